"""Runs of kinds that are not public (in-company, train-the-trainer) are on no public page and take
enrolments only through the link staff send; staff see the link on the run's page and can replace it."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation
from tests.factories import OrganisationFactory, TrainingFactory, UserFactory
from tests.trainings.test_public_enrolment import enrol_url, form_data
from trainings.enums import TrainingStatus, Variant
from trainings.models import Enrolment
from trainings.services.enrolment import enrolment_create, training_enrolment_link_renew

pytestmark = pytest.mark.django_db

NOT_PUBLIC = [Variant.IN_COMPANY, Variant.TRAIN_THE_TRAINER]


def link_url(training, name="trainings:link_enrol"):
    return reverse(name, kwargs={"key": training.enrolment_link_key})


@pytest.fixture
def runs():
    """One run of every variant, open, with meetings ahead."""
    return {variant: TrainingFactory(variant=variant, title=f"Run {variant}", meetings=2) for variant in Variant}


# --- never on a public page ---


def test_the_public_list_shows_only_public_variants(client, runs):
    response = client.get(reverse("trainings:public_list"))
    assert {run.variant for run in response.context["runs"]} == {Variant.STANDARD, Variant.INTERNSHIP}
    content = response.content.decode()
    for variant in NOT_PUBLIC:
        assert runs[variant].title not in content


def test_a_region_with_only_non_public_runs_is_no_filter_choice(client):
    from dissemination.models import Region

    TrainingFactory(variant=Variant.IN_COMPANY, region=Region.objects.get(name="Zeeland"), meetings=2)
    TrainingFactory(meetings=2)  # Rivierenland
    response = client.get(reverse("trainings:public_list"))
    assert [region.name for region in response.context["regions"]] == ["Rivierenland"]


def test_the_public_calendar_feed_leaves_out_non_public_runs(client, runs):
    content = client.get(reverse("trainings:public_feed")).content.decode()
    assert f"Run {Variant.STANDARD}" in content
    assert f"Run {Variant.INTERNSHIP}" in content
    for variant in NOT_PUBLIC:
        assert f"Run {variant}" not in content


def test_the_public_register_lists_no_runs(client, runs):
    content = client.get(reverse("ambassadors:public_register")).content.decode()
    for run in runs.values():
        assert run.title not in content


@pytest.mark.parametrize("variant", NOT_PUBLIC)
def test_the_public_enrolment_pages_of_a_non_public_run_answer_404(client, runs, variant):
    run = runs[variant]
    assert client.get(enrol_url(run)).status_code == 404
    assert client.post(enrol_url(run), form_data()).status_code == 404
    assert client.get(reverse("trainings:public_enrolled", kwargs={"pk": run.pk})).status_code == 404
    assert not Enrolment.objects.exists()


# --- the link ---


@pytest.mark.parametrize("variant", NOT_PUBLIC)
def test_the_link_enrols_in_a_non_public_run(client, runs, variant, mailoutbox):
    run = runs[variant]
    page = client.get(link_url(run))
    assert page.status_code == 200
    assert b'name="robots" content="noindex"' in page.content

    response = client.post(link_url(run), form_data())

    assert response.status_code == 302
    assert response.url == link_url(run, "trainings:link_enrolled")
    assert Enrolment.objects.get().training == run
    assert client.get(response.url).status_code == 200


def test_the_link_of_a_public_run_opens_nothing(client, runs):
    assert client.get(link_url(runs[Variant.STANDARD])).status_code == 404


@pytest.mark.parametrize("status", [TrainingStatus.DRAFT, TrainingStatus.RUNNING, TrainingStatus.CANCELLED])
def test_the_link_works_only_while_the_run_takes_enrolments(client, status):
    run = TrainingFactory(variant=Variant.IN_COMPANY, status=status, meetings=2)
    assert client.get(link_url(run)).status_code == 404


def test_a_wrong_key_opens_nothing(client, runs):
    assert client.get(reverse("trainings:link_enrol", kwargs={"key": "x" * 32})).status_code == 404


def test_a_new_link_makes_the_old_one_stop_working(client, runs):
    run = runs[Variant.IN_COMPANY]
    old = link_url(run)
    training_enrolment_link_renew(training=run)
    run.refresh_from_db()
    assert link_url(run) != old
    assert client.get(old).status_code == 404
    assert client.post(old, form_data()).status_code == 404
    assert client.get(link_url(run)).status_code == 200
    assert not Enrolment.objects.exists()


def test_the_service_refuses_a_public_enrolment_in_a_non_public_run_without_the_current_key(runs):
    run = runs[Variant.TRAIN_THE_TRAINER]
    person = {"first_name": "Anna", "last_name": "Smit", "email": "anna@example.org", "consent": True}
    organisation = OrganisationFactory(public_since=timezone.now())
    for key in ["", "an old key", "ẞ" * 32]:
        with pytest.raises(ValidationError):
            enrolment_create(training=run, organisation=organisation, link_key=key, **person)
    enrolment_create(training=run, organisation=organisation, link_key=run.enrolment_link_key, **person)
    # Staff enrol without a link.
    staff = UserFactory(roles=["staff"])
    enrolment_create(training=run, organisation=organisation, enrolled_by=staff, **{**person, "email": "b@x.org"})
    assert Enrolment.objects.filter(training=run).count() == 2


def test_each_run_has_its_own_key(runs):
    keys = {run.enrolment_link_key for run in runs.values()}
    assert len(keys) == len(runs)
    assert all(len(key) >= 32 for key in keys)


def test_the_link_page_offers_the_host_of_an_in_company_run(client):
    host = OrganisationFactory(name="Zorggroep Lingeland")  # not public: it hosts no public run
    run = TrainingFactory(variant=Variant.IN_COMPANY, host_organisation=host, meetings=2)
    form = client.get(link_url(run)).context["form"]
    assert (form.initial["organisation"], form.initial["organisation_name"]) == (host.pk, "Zorggroep Lingeland")

    client.post(link_url(run), form_data(organisation=str(host.pk), organisation_name=host.name, organisation_city=""))

    assert Enrolment.objects.get().person.organisation == host
    assert Organisation.objects.count() == 1


def test_the_host_of_an_in_company_run_cannot_be_picked_on_another_runs_page(client):
    host = OrganisationFactory(name="Zorggroep Lingeland", city="Culemborg")  # the form says Tiel
    TrainingFactory(variant=Variant.IN_COMPANY, host_organisation=host, meetings=2)
    public_run = TrainingFactory(meetings=2)
    client.post(enrol_url(public_run), form_data(organisation=str(host.pk), organisation_name=host.name))
    person = Enrolment.objects.get().person
    assert person.organisation != host
    assert person.organisation.named_by_participant_at is not None


# --- staff: the link on the run's page ---


@pytest.mark.parametrize("variant", NOT_PUBLIC)
def test_staff_see_the_link_on_the_runs_page(staff_client, runs, variant, settings):
    run = runs[variant]
    response = staff_client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert response.context["enrolment_link"] == settings.SITE_URL + link_url(run)
    assert (settings.SITE_URL + link_url(run)) in response.content.decode()
    assert reverse("trainings:enrolment_link_renew", kwargs={"pk": run.pk}) in response.content.decode()


def test_a_public_run_shows_no_link(staff_client, runs):
    run = runs[Variant.STANDARD]
    response = staff_client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert response.context["enrolment_link"] == ""
    assert run.enrolment_link_key not in response.content.decode()


@pytest.mark.parametrize("roles", [["master_trainer"], ["trainer"]])
def test_only_staff_see_the_link(client, runs, roles):
    run = runs[Variant.IN_COMPANY]
    user = UserFactory(roles=roles, two_factor=True)
    run.trainers.add(user)
    client.force_login(user)
    response = client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert run.enrolment_link_key not in response.content.decode()


def test_staff_make_a_new_link(staff_client, runs):
    run = runs[Variant.IN_COMPANY]
    old = run.enrolment_link_key
    response = staff_client.post(reverse("trainings:enrolment_link_renew", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    assert response.url == reverse("trainings:training_detail", kwargs={"pk": run.pk})
    run.refresh_from_db()
    assert run.enrolment_link_key != old
    page = staff_client.get(response.url).content.decode()
    assert run.enrolment_link_key in page
    assert old not in page


@pytest.mark.parametrize("roles", [["master_trainer"], ["trainer"], ["ambassador"]])
def test_others_cannot_make_a_new_link(client, runs, roles):
    run = runs[Variant.IN_COMPANY]
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.post(reverse("trainings:enrolment_link_renew", kwargs={"pk": run.pk})).status_code == 403
    assert Client().post(reverse("trainings:enrolment_link_renew", kwargs={"pk": run.pk})).status_code == 302
    old = run.enrolment_link_key
    run.refresh_from_db()
    assert run.enrolment_link_key == old


def test_the_link_page_counts_towards_the_enrolment_limit(client, settings):
    settings.PUBLIC_ENROLMENTS_PER_HOUR = 1
    run = TrainingFactory(variant=Variant.IN_COMPANY, meetings=2)
    assert client.post(link_url(run), form_data(email="a@example.org")).status_code == 302
    response = client.post(link_url(run), form_data(email="b@example.org"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Enrolment.objects.count() == 1
