"""The public organisation search and the enrolment form's organisation: only organisations that are
public already (hosting a public run, or confirmed by staff after a participant named them), from
three letters on, rate-limited; a hidden id of any other organisation counts as no pick."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation
from tests.factories import OrganisationFactory, TrainingFactory, UserFactory
from tests.trainings.test_public_enrolment import enrol_url, form_data
from trainings.enums import TrainingStatus, Variant
from trainings.forms.enrolment import EnrolmentForm
from trainings.models import Enrolment
from trainings.queries.enrolment import public_organisations
from trainings.services.enrolment import enrolment_create

pytestmark = pytest.mark.django_db


def search(client, q):
    response = client.get(reverse("trainings:organisation_search"), {"q": q})
    assert response.status_code == 200
    return [result["name"] for result in response.json()["results"]]


@pytest.fixture
def directory():
    """Organisations of every kind, all with "Zorg" in the name."""
    now = timezone.now()
    orgs = {
        "confirmed": OrganisationFactory(name="Zorg Confirmed", public_since=now),
        "host": OrganisationFactory(name="Zorg Host"),
        "host_in_company": OrganisationFactory(name="Zorg Host In-company"),
        "host_draft": OrganisationFactory(name="Zorg Host Draft"),
        "host_completed": OrganisationFactory(name="Zorg Host Completed"),
        "named": OrganisationFactory(name="Zorg Named", named_by_participant_at=now),
        "directory": OrganisationFactory(name="Zorg Directory"),  # an ambassador's outreach contact
    }
    TrainingFactory(host_organisation=orgs["host"], status=TrainingStatus.OPEN)
    TrainingFactory(host_organisation=orgs["host_in_company"], variant=Variant.IN_COMPANY)
    TrainingFactory(host_organisation=orgs["host_draft"], status=TrainingStatus.DRAFT)
    TrainingFactory(host_organisation=orgs["host_completed"], status=TrainingStatus.COMPLETED)
    return orgs


def test_the_search_finds_only_public_organisations(client, directory):
    assert search(client, "zorg") == ["Zorg Confirmed", "Zorg Host"]


def test_public_means_hosting_a_public_run_or_confirmed(directory):
    assert set(public_organisations()) == {directory["confirmed"], directory["host"]}


@pytest.mark.parametrize("status", [TrainingStatus.FULL, TrainingStatus.RUNNING])
def test_a_host_stays_public_while_its_run_is_on_the_public_feed(client, status):
    OrganisationFactory(name="Zorg Host")
    TrainingFactory(host_organisation=Organisation.objects.get(), status=status)
    assert search(client, "zorg") == ["Zorg Host"]


def test_the_search_is_the_same_for_every_role(client, directory):
    """It is a public page: a logged-in user gets no more (staff search the directory elsewhere)."""
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    assert search(client, "zorg") == ["Zorg Confirmed", "Zorg Host"]


@pytest.mark.parametrize("q", ["", "z", "zo", " z o ", "%%%", "___"])
def test_fewer_than_three_letters_find_nothing(client, directory, q):
    assert search(client, q) == []


def test_the_search_is_rate_limited_per_client(client, directory, settings):
    settings.PUBLIC_SEARCHES_PER_HOUR = 3
    url = reverse("trainings:organisation_search")
    answers = [client.get(url, {"q": "zorg"}) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["results"] == []


def test_the_search_gives_at_most_ten(client):
    for number in range(12):
        OrganisationFactory(name=f"Zorg {number:02d}", public_since=timezone.now())
    assert len(search(client, "zorg")) == 10


# --- the hidden id on the public form ---


@pytest.mark.parametrize("kind", ["named", "directory", "host_in_company", "host_draft"])
def test_a_hidden_id_of_a_non_public_organisation_counts_as_no_pick(client, directory, kind):
    organisation = directory[kind]
    data = form_data(organisation=str(organisation.pk), organisation_name=organisation.name, organisation_city="")
    response = client.post(enrol_url(TrainingFactory(meetings=2)), data)
    # The same answer as for an unknown id: the new-organisation fields are asked for.
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation_city"]
    assert not Enrolment.objects.exists()


def test_the_answer_for_a_non_public_id_is_the_answer_for_an_unknown_one(client, directory):
    run = TrainingFactory(meetings=2)
    hidden = directory["directory"]
    data = form_data(organisation_name=hidden.name, organisation_city="")
    known = client.post(enrol_url(run), {**data, "organisation": str(hidden.pk)})
    unknown = client.post(enrol_url(run), {**data, "organisation": "999999"})
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    token = "csrfmiddlewaretoken"
    strip = lambda response: [line for line in response.content.decode().splitlines() if token not in line]  # noqa: E731
    assert strip(known) == strip(unknown)


@pytest.mark.parametrize("kind", ["confirmed", "host"])
def test_a_public_organisation_can_be_picked(client, directory, kind):
    organisation = directory[kind]
    data = form_data(organisation=str(organisation.pk), organisation_name=organisation.name, organisation_city="")
    assert client.post(enrol_url(TrainingFactory(meetings=2)), data).status_code == 302
    assert Enrolment.objects.get().person.organisation == organisation


# --- the same rule in the enrolment service (one rule: the form asks the service) ---


def _enrol(training, organisation, new_organisation=None, **kwargs):
    return enrolment_create(
        training=training,
        first_name="Anna",
        last_name="de Vries",
        email="anna@example.org",
        organisation=organisation,
        new_organisation=new_organisation,
        consent=True,
        **kwargs,
    )


@pytest.mark.parametrize("kind", ["named", "directory", "host_in_company", "host_draft"])
def test_the_service_takes_no_non_public_organisation_on_a_public_enrolment(directory, kind):
    run = TrainingFactory(meetings=2)
    with pytest.raises(ValidationError) as refused:
        _enrol(run, directory[kind])
    assert list(refused.value.error_dict) == ["organisation_name"]
    assert not Enrolment.objects.exists()
    # With the name of a new one typed in, that one is used: the id is ignored.
    new = {"name": "Bakkerij Linge", "city": "Tiel", "target_group": "employers"}
    organisation = _enrol(run, directory[kind], new_organisation=new).person.organisation
    assert (organisation.name, organisation.named_by_participant_at is not None) == ("Bakkerij Linge", True)


@pytest.mark.parametrize("kind", ["confirmed", "host"])
def test_the_service_takes_a_public_organisation(directory, kind):
    assert _enrol(TrainingFactory(meetings=2), directory[kind]).person.organisation == directory[kind]


def test_the_service_takes_the_host_only_on_its_runs_link(directory):
    host = directory["host_in_company"]
    run = TrainingFactory(variant=Variant.IN_COMPANY, host_organisation=host, meetings=2)
    assert _enrol(run, host, link_key=run.enrolment_link_key).person.organisation == host
    with pytest.raises(ValidationError):
        _enrol(TrainingFactory(meetings=2), host)  # another run's page: not the host there


def test_staff_enrolling_someone_name_any_organisation(directory):
    staff = UserFactory(roles=["staff"])
    enrolment = _enrol(TrainingFactory(meetings=2), directory["directory"], enrolled_by=staff)
    assert enrolment.person.organisation == directory["directory"]


def test_the_form_asks_the_service_which_organisations_may_be_picked(directory, monkeypatch):
    from trainings.forms import enrolment as form_module

    asked = []
    monkeypatch.setattr(
        form_module, "pickable_organisations", lambda **kwargs: asked.append(kwargs) or public_organisations()
    )
    host = directory["host_in_company"]
    form = EnrolmentForm(form_data(organisation=str(host.pk), organisation_name=host.name), host=host)
    assert form.is_valid()
    assert asked == [{"host_id": host.pk}]


def test_an_employer_not_found_is_added_as_named_by_a_participant(client):
    client.post(enrol_url(TrainingFactory(meetings=2)), form_data(organisation_name="Bakkerij Linge"))
    organisation = Enrolment.objects.get().person.organisation
    assert (organisation.name, organisation.city, organisation.target_group) == ("Bakkerij Linge", "Tiel", "employers")
    assert organisation.named_by_participant_at is not None
    assert organisation.public_since is None
    assert search(client, "bakkerij") == []  # not public until staff confirm it


def test_an_organisation_staff_add_while_enrolling_someone_is_not_named_by_a_participant(staff_client):
    run = TrainingFactory(meetings=2)
    data = form_data(organisation_name="Bakkerij Linge")
    data.pop("consent")
    assert staff_client.post(reverse("trainings:staff_enrol", kwargs={"pk": run.pk}), data).status_code == 302
    assert Organisation.objects.get().named_by_participant_at is None


def test_the_staff_enrolment_form_searches_the_whole_directory(staff_client):
    run = TrainingFactory(meetings=2)
    content = staff_client.get(reverse("trainings:staff_enrol", kwargs={"pk": run.pk})).content.decode()
    assert f'data-organisation-search="{reverse("dissemination:organisation_search")}"' in content


def test_the_public_form_searches_public_organisations(client):
    content = client.get(enrol_url(TrainingFactory(meetings=2))).content.decode()
    assert f'data-organisation-search="{reverse("trainings:organisation_search")}"' in content


def test_the_run_form_searches_the_whole_directory_for_the_host(staff_client):
    content = staff_client.get(reverse("trainings:training_create")).content.decode()
    assert f'data-organisation-search="{reverse("dissemination:organisation_search")}"' in content


@pytest.mark.parametrize(
    ("roles", "url_name"),
    [
        (["ambassador"], "dissemination:organisation_search"),
        (["trainer"], "trainings:organisation_search"),  # trainers may not browse the directory
    ],
)
def test_the_profile_form_searches_what_the_user_may_see(client, roles, url_name):
    client.force_login(UserFactory(roles=roles))
    content = client.get(reverse("ambassadors:my_profile")).content.decode()
    assert f'data-organisation-search="{reverse(url_name)}"' in content


# --- existing data (trainings migration 0007) ---


def test_the_migration_marks_organisations_people_enrolled_from_through_the_public_form():
    import importlib

    from django.apps import apps

    from tests.factories import EnrolmentFactory, PersonFactory

    migration = importlib.import_module("trainings.migrations.0007_organisations_named_by_participants")
    public_form, by_staff, confirmed, outreach = (OrganisationFactory() for _ in range(4))
    confirmed.public_since = timezone.now()
    confirmed.save()
    first = EnrolmentFactory(person=PersonFactory(organisation=public_form))
    EnrolmentFactory(person=PersonFactory(organisation=public_form))
    EnrolmentFactory(person=PersonFactory(organisation=by_staff), enrolled_by=UserFactory(roles=["staff"]))
    EnrolmentFactory(person=PersonFactory(organisation=confirmed))

    migration.mark_named(apps, None)

    marked = dict(Organisation.objects.values_list("pk", "named_by_participant_at"))
    assert marked[public_form.pk] == first.created_at
    assert marked[by_staff.pk] is None
    assert marked[confirmed.pk] is None
    assert marked[outreach.pk] is None
    assert set(public_organisations()) == {confirmed}  # nothing else became public
