from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Ambassador
from ambassadors.services import profiles as profile_services
from ambassadors.services.profiles import (
    ambassador_invite,
    ambassador_invite_participant,
    profile_or_new,
    profile_save,
)
from dissemination.models import Person, Region
from mentorwijs.accounts.models import Invitation
from mentorwijs.accounts.services import invitation_accept
from tests.factories import (
    PASSWORD,
    AmbassadorFactory,
    EnrolmentFactory,
    OrganisationFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def region():
    return Region.objects.get(name="Rivierenland")


def invite(staff_user, email="nieuw@example.org", **kwargs):
    return ambassador_invite(
        **{
            "email": email,
            "first_name": "Noor",
            "last_name": "Jansen",
            "kind": "professional",
            "organisation": None,
            "region": None,
            "offers": ["speak_at_events"],
            "invited_by": staff_user,
            **kwargs,
        }
    )


def completed_enrolment(**kwargs):
    run = TrainingFactory(status="completed", region=Region.objects.exclude(name="Rivierenland").first())
    return EnrolmentFactory(training=run, status="completed", completed_at=timezone.now(), **kwargs)


# --- inviting by address ---


def test_inviting_a_new_address_makes_an_ambassador_invitation_a_profile_and_one_mail(
    staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        profile = invite(staff_user, email="Noor.Jansen@Example.org", organisation=organisation)
    invitation = Invitation.objects.get()
    assert invitation.email == "noor.jansen@example.org"
    assert invitation.roles == ["ambassador"]
    assert invitation.invited_by == staff_user
    profile.refresh_from_db()
    assert profile.invitation == invitation
    assert profile.user is None
    assert profile.kind == "professional"
    assert profile.organisation == organisation
    assert profile.offers == ["speak_at_events"]
    assert (profile.person.email, profile.person.last_name) == ("noor.jansen@example.org", "Jansen")
    assert [message.to for message in mailoutbox] == [["noor.jansen@example.org"]]


def test_inviting_an_address_of_a_known_person_links_that_person(staff_user):
    person = PersonFactory(email="bekend@example.org")
    profile = invite(staff_user, email="bekend@example.org")
    assert profile.person == person


def test_accepting_the_invitation_links_the_profile_to_the_new_account(staff_user):
    profile = invite(staff_user)
    user = invitation_accept(invitation=profile.invitation, first_name="Noor", last_name="Jansen", password=PASSWORD)
    profile.refresh_from_db()
    assert profile.user == user
    assert user.roles == frozenset({"ambassador"})


def test_inviting_an_existing_user_adds_the_ambassador_role_and_keeps_their_roles(staff_user, mailoutbox):
    trainer = UserFactory(email="trainer@example.org", roles=["trainer", "master_trainer"])
    profile = invite(staff_user, email="Trainer@example.org", kind="trainer")
    trainer.refresh_from_db()
    assert trainer.roles == frozenset({"trainer", "master_trainer", "ambassador"})
    assert profile.user == trainer
    assert profile.invitation is None
    assert not Invitation.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("existing_user", [False, True])
def test_a_second_invite_of_the_same_address_is_refused(staff_user, existing_user):
    if existing_user:
        UserFactory(email="twee@example.org")
    invite(staff_user, email="twee@example.org")
    with pytest.raises(ValidationError) as refused:
        invite(staff_user, email="TWEE@example.org")
    assert set(refused.value.message_dict) == {"email"}
    assert Ambassador.objects.count() == 1
    assert Invitation.objects.count() == (0 if existing_user else 1)


def test_a_double_invite_of_a_new_address_leaves_one_person_one_profile_and_one_invitation(staff_user):
    invite(staff_user, email="samen@example.org")
    with pytest.raises(ValidationError) as refused:
        invite(staff_user, email="Samen@Example.org", first_name="Ander")
    assert set(refused.value.message_dict) == {"email"}
    assert Person.objects.filter(email__iexact="samen@example.org").count() == 1
    assert Ambassador.objects.get().person.email == "samen@example.org"
    assert Invitation.objects.count() == 1


def test_inviting_an_existing_user_links_the_person_of_their_address(staff_user):
    user = UserFactory(email="account@example.org")
    profile = invite(staff_user, email="account@example.org")
    assert (profile.user, profile.person.email, profile.person.last_name) == (user, "account@example.org", "Jansen")


@pytest.mark.parametrize("existing_user", [False, True])
def test_a_profile_stored_elsewhere_between_check_and_insert_is_a_clean_refusal(
    staff_client, monkeypatch, existing_user
):
    """The IntegrityError of the unique account or person answers as a refusal on "email"."""
    user = UserFactory(email="race@example.org") if existing_user else None

    def racing(real):
        def run(**kwargs):
            outcome = real(**kwargs)
            if user is not None:
                Ambassador.objects.create(user=user, kind="trainer")
            else:
                Ambassador.objects.create(person=Person.objects.get(email="race@example.org"), kind="trainer")
            return outcome

        return run

    name = "user_set_roles" if existing_user else "invitation_create"
    monkeypatch.setattr(profile_services, name, racing(getattr(profile_services, name)))
    response = staff_client.post(
        reverse("ambassadors:ambassador_invite"),
        {"email": "race@example.org", "first_name": "A", "last_name": "B", "kind": "professional", "language": "nl"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email"}
    # Nothing of the refused invitation is kept, the racing profile of this test's transaction neither.
    assert not Ambassador.objects.exists()
    assert not Invitation.objects.exists()
    assert not Person.objects.exists()


def test_an_address_with_an_open_accounts_invitation_is_refused(staff_user):
    Invitation.objects.create(email="open@example.org", roles=["trainer"], invited_by=staff_user)
    with pytest.raises(ValidationError) as refused:
        invite(staff_user, email="open@example.org")
    assert set(refused.value.message_dict) == {"email"}
    assert not Ambassador.objects.exists()


def test_a_lapsed_invitation_is_renewed_on_the_same_profile(staff_user):
    profile = invite(staff_user, email="laat@example.org")
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=60))
    again = invite(staff_user, email="laat@example.org")
    assert again.pk == profile.pk
    assert Invitation.objects.count() == 2
    assert again.invitation == Invitation.objects.order_by("-pk").first()


def test_the_invite_form_searches_organisations_by_name(staff_client):
    response = staff_client.get(reverse("ambassadors:ambassador_invite"))
    assert response.status_code == 200
    assert f'data-organisation-search="{reverse("dissemination:organisation_search")}"' in response.content.decode()


def test_staff_invite_through_the_form_goes_back_to_the_list(staff_client, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(name="Bakkerij De Korenbloem")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("ambassadors:ambassador_invite"),
            {
                "email": "form@example.org",
                "first_name": "Sanne",
                "last_name": "de Vries",
                "kind": "trained_supervisor",
                "organisation_name": "Bakkerij De Korenbloem",
                "organisation": organisation.pk,
                "region": Region.objects.get(name="Rivierenland").pk,
                "offers": ["tell_network", "host_run"],
                "language": "en",
            },
        )
    assert response.status_code == 302
    assert response.url == reverse("ambassadors:ambassador_list")
    profile = Ambassador.objects.get()
    assert profile.organisation == organisation
    assert profile.offers == ["tell_network", "host_run"]
    assert profile.invitation.language == "en"


def test_a_refused_invite_shows_the_error_at_the_email_field_and_saves_nothing(staff_client, staff_user):
    invite(staff_user, email="dubbel@example.org")
    response = staff_client.post(
        reverse("ambassadors:ambassador_invite"),
        {"email": "dubbel@example.org", "first_name": "A", "last_name": "B", "kind": "professional", "language": "nl"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email"}
    assert Ambassador.objects.count() == 1


# --- one click from a completed enrolment ---


def test_one_click_from_a_completed_enrolment_makes_the_profile_and_the_invitation(
    staff_client, mailoutbox, django_capture_on_commit_callbacks
):
    enrolment = completed_enrolment()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("ambassadors:invite_participant", args=[enrolment.pk]))
    assert response.status_code == 302
    assert response.url == reverse("trainings:training_detail", args=[enrolment.training_id])
    profile = Ambassador.objects.get()
    person = enrolment.person
    assert profile.person == person
    assert profile.kind == "trained_supervisor"
    assert profile.organisation == person.organisation
    assert profile.region == enrolment.training.region
    assert profile.invitation.email == person.email
    assert profile.invitation.roles == ["ambassador"]
    assert [message.to for message in mailoutbox] == [[person.email]]


@pytest.mark.parametrize("status", ["registered", "waitlisted", "cancelled", "dropped_out"])
def test_one_click_is_refused_for_an_enrolment_that_is_not_completed(staff_user, status):
    enrolment = EnrolmentFactory(status=status)
    with pytest.raises(ValidationError) as refused:
        ambassador_invite_participant(enrolment=enrolment, invited_by=staff_user)
    assert set(refused.value.message_dict) == {"enrolment"}
    assert not Ambassador.objects.exists()
    assert not Invitation.objects.exists()


def test_one_click_twice_is_refused_the_second_time(staff_client):
    enrolment = completed_enrolment()
    url = reverse("ambassadors:invite_participant", args=[enrolment.pk])
    staff_client.post(url)
    response = staff_client.post(url)
    assert response.status_code == 302
    assert Ambassador.objects.count() == 1
    assert Invitation.objects.count() == 1


def test_one_click_needs_an_email_address(staff_user):
    enrolment = completed_enrolment(person=PersonFactory(email=""))
    with pytest.raises(ValidationError) as refused:
        ambassador_invite_participant(enrolment=enrolment, invited_by=staff_user)
    assert set(refused.value.message_dict) == {"email"}


def test_one_click_for_a_participant_with_an_account_gives_the_role(staff_user):
    enrolment = completed_enrolment()
    user = UserFactory(email=enrolment.person.email, roles=["trainer"])
    profile = ambassador_invite_participant(enrolment=enrolment, invited_by=staff_user)
    user.refresh_from_db()
    assert (profile.user, profile.person) == (user, enrolment.person)
    assert user.roles == frozenset({"trainer", "ambassador"})
    assert not Invitation.objects.exists()


def test_the_run_page_offers_the_invite_only_on_completed_enrolments_without_a_profile(staff_client):
    enrolment = completed_enrolment()
    run = enrolment.training
    EnrolmentFactory(training=run, status="registered")
    AmbassadorFactory(user=None, person=EnrolmentFactory(training=run, status="completed").person)
    response = staff_client.get(reverse("trainings:training_detail", args=[run.pk]))
    content = response.content.decode()
    assert content.count('data-testid="invite-ambassador"') == 1
    assert reverse("ambassadors:invite_participant", args=[enrolment.pk]) in content


def test_the_run_page_queries_do_not_grow_with_completed_participants(staff_client):
    def queries_for(run):
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(reverse("trainings:training_detail", args=[run.pk])).status_code == 200
        return len(captured)

    few, many = completed_enrolment().training, completed_enrolment().training
    for enrolment in EnrolmentFactory.create_batch(12, training=many, status="completed")[:6]:
        AmbassadorFactory(user=None, person=enrolment.person)
    assert queries_for(few) == queries_for(many)


# --- who may use the pages ---


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ambassador_list", "get"),
        ("ambassador_invite", "get"),
        ("ambassador_invite", "post"),
        ("invite_participant", "post"),
    ],
)
def test_the_staff_pages_refuse_a_trainer_and_send_anonymous_to_login(client, name, method):
    enrolment = completed_enrolment()
    url = reverse(f"ambassadors:{name}", args=[enrolment.pk] if name == "invite_participant" else [])
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    client.force_login(UserFactory(roles=["trainer", "ambassador"]))
    assert getattr(client, method)(url).status_code == 403
    assert not Ambassador.objects.exists()


def test_invite_participant_answers_only_post(staff_client):
    enrolment = completed_enrolment()
    assert staff_client.get(reverse("ambassadors:invite_participant", args=[enrolment.pk])).status_code == 405
    assert not Ambassador.objects.exists()


def test_invite_participant_of_an_unknown_enrolment_answers_404(staff_client):
    assert staff_client.post(reverse("ambassadors:invite_participant", args=[999999])).status_code == 404


# --- the own profile ---


@pytest.mark.parametrize(
    ("roles", "kind"),
    [(["trainer"], "trainer"), (["master_trainer"], "trainer"), (["ambassador"], "trained_supervisor")],
)
def test_looking_at_the_own_profile_stores_nothing_and_the_first_save_stores_it_with_the_kind_of_the_role(
    client, region, roles, kind
):
    user = UserFactory(roles=roles, two_factor=True)  # master trainers must use two-factor login
    person = PersonFactory(email=user.email.upper())
    client.force_login(user)
    response = client.get(reverse("ambassadors:my_profile"))
    assert response.status_code == 200
    assert f'data-kind="{kind}"' in response.content.decode()
    assert not Ambassador.objects.exists()

    response = client.post(reverse("ambassadors:my_profile"), {"region": region.pk, "offers": ["host_run"]})
    assert response.status_code == 302
    profile = Ambassador.objects.get()
    assert (profile.user, profile.kind, profile.person, profile.region, profile.offers) == (
        user,
        kind,
        person,
        region,
        ["host_run"],
    )
    assert (profile.public_listing, profile.public_listing_changed_at) == (False, None)
    assert profile_or_new(user=user) == profile


def test_saving_the_own_profile_twice_keeps_one_profile(region):
    user = UserFactory(roles=["trainer"])
    first = profile_save(user=user, organisation=None, region=region, offers=[], public_listing=True)
    second = profile_save(user=user, organisation=None, region=None, offers=["tell_network"], public_listing=True)
    assert first.pk == second.pk
    stored = Ambassador.objects.get()
    assert (stored.region, stored.offers, stored.public_listing_changed_at) == (
        None,
        ["tell_network"],
        first.public_listing_changed_at,
    )


def test_a_first_save_that_loses_its_person_to_another_profile_is_refused_cleanly(client, region, monkeypatch):
    user = UserFactory(roles=["ambassador"])
    taken = AmbassadorFactory(user=None, person=PersonFactory()).person
    # The person looked free, then another profile took them before the insert.
    monkeypatch.setattr(profile_services, "_free_person", lambda email: taken)
    client.force_login(user)
    response = client.post(reverse("ambassadors:my_profile"), {"region": region.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Ambassador.objects.filter(user=user).exists()


def test_a_user_edits_only_their_own_profile(client, region):
    other = AmbassadorFactory(offers=["host_run"])
    user = UserFactory(roles=["ambassador"])
    organisation = OrganisationFactory(name="Zorgboerderij De Linde")
    client.force_login(user)
    assert client.get(reverse("ambassadors:my_profile")).status_code == 200
    response = client.post(
        reverse("ambassadors:my_profile"),
        {
            "organisation_name": "Zorgboerderij De Linde",
            "organisation": organisation.pk,
            "region": region.pk,
            "offers": ["tell_network"],
            "public_listing": "on",
            # A profile id sent along changes nothing: the page only knows the user's own.
            "ambassador": other.pk,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("ambassadors:my_profile")
    own = Ambassador.objects.get(user=user)
    assert (own.organisation, own.region, own.offers, own.public_listing) == (
        organisation,
        region,
        ["tell_network"],
        True,
    )
    other.refresh_from_db()
    assert (other.offers, other.public_listing, other.organisation) == (["host_run"], False, None)


def test_an_unknown_organisation_name_is_refused_at_its_field(client):
    user = UserFactory(roles=["trainer"])
    client.force_login(user)
    response = client.post(reverse("ambassadors:my_profile"), {"organisation_name": "Bestaat Niet BV"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"organisation_name"}
    assert not Ambassador.objects.filter(user=user).exists()


def test_the_own_profile_page_refuses_staff_without_an_ambassador_or_trainer_role(staff_client):
    assert staff_client.get(reverse("ambassadors:my_profile")).status_code == 403
    assert not Ambassador.objects.exists()


def test_the_consent_time_is_set_when_the_consent_changes_and_only_then(region):
    profile = AmbassadorFactory()
    user = profile.user

    def save(offers, public_listing):
        profile_save(user=user, organisation=None, region=region, offers=offers, public_listing=public_listing)
        return Ambassador.objects.get()

    assert save([], False).public_listing_changed_at is None

    given = save([], True).public_listing_changed_at
    assert given is not None

    assert save(["host_run"], True).public_listing_changed_at == given

    stored = save([], False)
    assert stored.public_listing is False
    assert stored.public_listing_changed_at > given


def test_a_new_profile_saved_with_consent_records_the_moment(region):
    user = UserFactory(roles=["trainer"])
    profile = profile_save(user=user, organisation=None, region=region, offers=[], public_listing=True)
    assert profile.public_listing is True
    assert profile.public_listing_changed_at is not None


def test_an_unknown_offer_is_refused(region):
    user = UserFactory(roles=["trainer"])
    with pytest.raises(ValidationError) as refused:
        profile_save(user=user, organisation=None, region=region, offers=["sing"], public_listing=False)
    assert set(refused.value.message_dict) == {"offers"}
    assert not Ambassador.objects.exists()


# --- the staff list ---


def make_profiles(count, region):
    users = UserFactory.create_batch(count // 3, roles=["ambassador"])
    people = PersonFactory.create_batch(count - len(users))
    organisation = OrganisationFactory()
    Ambassador.objects.bulk_create(
        [Ambassador(user=user, kind="trainer", region=region, offers=["host_run"]) for user in users]
        + [
            Ambassador(person=person, kind="trained_supervisor", organisation=organisation, offers=["tell_network"])
            for person in people
        ]
    )


@pytest.mark.parametrize("rows", [3, 60])
def test_the_list_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, region, rows):
    make_profiles(rows, region)
    for ambassador in Ambassador.objects.filter(user__isnull=True)[:2]:
        ambassador.invitation = Invitation.objects.create(
            email=ambassador.person.email, roles=["ambassador"], invited_by=UserFactory()
        )
        ambassador.save()
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("ambassadors:ambassador_list"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="ambassador"') == min(rows, 50)


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"kind": "trainer"}, 2), ({"offer": "tell_network"}, 4), ({"offer": "host_run"}, 2), ({"region": "r"}, 2)],
)
def test_the_list_filters_by_kind_region_and_offer(staff_client, region, query, expected):
    make_profiles(6, region)
    if "region" in query:
        query = {"region": region.pk}
    response = staff_client.get(reverse("ambassadors:ambassador_list"), query)
    assert len(response.context["object_list"]) == expected
