"""Staff match the organisations participants named on the public enrolment form: confirm one as new
(then the public search finds it) or merge it into the existing one it stands for."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation
from dissemination.services.matching import organisation_confirm_public, organisation_match
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, TrainingFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("dissemination:organisation_matching")


def named(name="Bakkerij Linge BV", **kwargs):
    return OrganisationFactory(name=name, named_by_participant_at=timezone.now(), **kwargs)


def public_search(client, q):
    return [r["name"] for r in client.get(reverse("trainings:organisation_search"), {"q": q}).json()["results"]]


def confirm_url(organisation):
    return reverse("dissemination:organisation_match_confirm", kwargs={"pk": organisation.pk})


def merge_url(organisation):
    return reverse("dissemination:organisation_match_merge", kwargs={"pk": organisation.pk})


# --- the list ---


def test_the_list_holds_only_organisations_awaiting_a_match(staff_client):
    waiting = named("Bakkerij Linge BV")
    PersonFactory.create_batch(2, organisation=waiting)
    named("Al bevestigd", public_since=timezone.now())
    OrganisationFactory(name="Uit de relaties")  # entered by staff or an ambassador: never named
    response = staff_client.get(LIST)
    assert [(o.name, o.people_count) for o in response.context["organisations"]] == [("Bakkerij Linge BV", 2)]
    content = response.content.decode()
    assert "Al bevestigd" not in content
    assert "Uit de relaties" not in content
    assert confirm_url(waiting) in content
    assert merge_url(waiting) in content


def test_the_list_is_reached_from_the_organisation_list(staff_client):
    assert LIST in staff_client.get(reverse("dissemination:organisation_list")).content.decode()


def test_ambassadors_do_not_see_the_link(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    assert LIST not in client.get(reverse("dissemination:organisation_list")).content.decode()


@pytest.mark.parametrize("rows", [1, 40])
def test_the_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    for number in range(rows):
        PersonFactory(organisation=named(f"Organisatie {number:02d}"))
    # the user with roles (the session comes from the cache), the count, the page of rows with people
    with django_assert_num_queries(3):
        response = staff_client.get(LIST)
    assert len(response.context["organisations"]) == min(rows, 25)


@pytest.mark.parametrize("roles", [["ambassador"], ["trainer"], ["master_trainer"]])
def test_only_staff_match(client, roles):
    organisation = named()
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(LIST).status_code == 403
    assert client.post(confirm_url(organisation)).status_code == 403
    assert client.get(merge_url(organisation)).status_code == 403
    assert client.post(merge_url(organisation), {"existing": OrganisationFactory().pk}).status_code == 403
    assert Organisation.objects.get(pk=organisation.pk).public_since is None


# --- confirm as new ---


def test_confirming_makes_the_organisation_public(staff_client, client):
    organisation = named("Bakkerij Linge BV")
    assert public_search(client, "bakkerij") == []

    response = staff_client.post(confirm_url(organisation))

    assert response.status_code == 302
    assert response.url == LIST
    organisation.refresh_from_db()
    assert organisation.public_since is not None
    assert public_search(client, "bakkerij") == ["Bakkerij Linge BV"]
    assert staff_client.get(LIST).context["organisations"].count() == 0


def test_confirming_twice_keeps_the_first_moment(staff_user):
    organisation = named()
    first = organisation_confirm_public(organisation=organisation, by=staff_user).public_since
    assert organisation_confirm_public(organisation=organisation, by=staff_user).public_since == first


@pytest.mark.parametrize("kind", ["confirmed", "never named"])
def test_only_organisations_awaiting_a_match_can_be_confirmed_here(staff_client, kind):
    organisation = named(public_since=timezone.now()) if kind == "confirmed" else OrganisationFactory()
    assert staff_client.post(confirm_url(organisation)).status_code == 404
    assert staff_client.get(merge_url(organisation)).status_code == 404


def test_confirming_needs_a_post(staff_client):
    assert staff_client.get(confirm_url(named())).status_code == 405


# --- merge into an existing one ---


def test_the_merge_page_suggests_organisations_sharing_a_word(staff_client):
    organisation = named("Bakkerij Linge BV")
    OrganisationFactory(name="Bakkerij De Linge")
    OrganisationFactory(name="Hovenier Betuwe")
    response = staff_client.get(merge_url(organisation))
    assert [candidate.name for candidate in response.context["candidates"]] == ["Bakkerij De Linge"]
    searched = staff_client.get(merge_url(organisation), {"q": "hovenier"})
    assert [candidate.name for candidate in searched.context["candidates"]] == ["Hovenier Betuwe"]


def test_merging_moves_the_people_and_makes_the_existing_one_public(staff_client, client):
    organisation = named("Bakkerij Linge BV")
    existing = OrganisationFactory(name="Bakkerij De Linge", kvk_number="12345678")
    enrolment = EnrolmentFactory(person=PersonFactory(organisation=organisation), training=TrainingFactory())

    preview = staff_client.get(merge_url(organisation), {"existing": existing.pk})
    assert [move.count for move in preview.context["moves"]] == [1]
    assert preview.context["conflicts"] == []

    response = staff_client.post(merge_url(organisation), {"existing": existing.pk})

    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    enrolment.person.refresh_from_db()
    assert enrolment.person.organisation == existing
    existing.refresh_from_db()
    assert existing.public_since is not None
    assert public_search(client, "bakkerij") == ["Bakkerij De Linge"]
    assert staff_client.get(LIST).context["organisations"].count() == 0


def test_a_refused_merge_changes_nothing(staff_user, monkeypatch):
    from django.core.exceptions import ValidationError

    from dissemination.services import matching

    organisation, existing = named(), OrganisationFactory()

    def refuse(**kwargs):
        raise ValidationError("refused")

    monkeypatch.setattr(matching, "organisation_merge", refuse)
    with pytest.raises(ValidationError):
        organisation_match(named=organisation, existing=existing, by=staff_user)
    existing.refresh_from_db()
    assert existing.public_since is None


def test_merging_into_itself_answers_404(staff_client):
    organisation = named()
    assert staff_client.post(merge_url(organisation), {"existing": organisation.pk}).status_code == 404
    assert Organisation.objects.filter(pk=organisation.pk).exists()


@pytest.mark.parametrize("existing", ["", "abc", "²", "9" * 30, "99999999"])
def test_a_bad_choice_merges_nothing(staff_client, existing):
    organisation = named()
    response = staff_client.post(merge_url(organisation), {"existing": existing})
    assert response.status_code in (200, 404)
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_the_merge_page_runs_fixed_queries(staff_client, django_assert_max_num_queries):
    organisation = named("Bakkerij Linge BV")
    for number in range(30):
        OrganisationFactory(name=f"Bakkerij {number:02d}")
    with django_assert_max_num_queries(5):
        response = staff_client.get(merge_url(organisation))
    assert len(response.context["candidates"]) == 20
