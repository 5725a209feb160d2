"""Enrolment services and the staff pages: enrol, move, cancel, the participant list."""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import TargetGroup
from dissemination.models import Organisation, Person, Region
from tests.factories import (
    EnrolmentFactory,
    MeetingFactory,
    OrganisationFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.calendar import participant_feed_token
from trainings.enums import EnrolmentStatus, MeetingStatus, MessageKind, MessageStatus, TrainingStatus
from trainings.models import Enrolment, ScheduledMessage
from trainings.services.enrolment import enrolment_cancel, enrolment_create, enrolment_move, training_has_started
from trainings.services.messages import run_message_send

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2026, 11, 2, 10, 0))


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def enrol(training, email="anna@example.org", **overrides):
    values = {
        "training": training,
        "first_name": "Anna",
        "last_name": "de Vries",
        "email": email,
        "phone": "0612345678",
        # A public enrolment takes a public organisation only (pickable_organisations).
        "organisation": overrides.pop("organisation", None) or OrganisationFactory(public_since=timezone.now()),
        "function": "Teamleider",
        "source": "newsletter",
        "dietary_wishes": "",
        "consent": True,
        "language": "nl",
    }
    values.update(overrides)
    return enrolment_create(**values)


def kinds(enrolment):
    return sorted(ScheduledMessage.objects.filter(enrolment=enrolment).values_list("kind", flat=True))


def test_enrolment_with_a_free_place_is_registered_with_confirmation_and_reminders():
    training = TrainingFactory(capacity=3, meetings=5)
    enrolment = enrol(training)
    assert enrolment.status == EnrolmentStatus.REGISTERED
    assert enrolment.waitlisted_at is None
    assert kinds(enrolment) == sorted(
        [MessageKind.ENROLMENT_CONFIRMED, MessageKind.EVALUATION_BEFORE, MessageKind.EVALUATION_AFTER]
        + [MessageKind.MEETING_REMINDER] * 5
    )
    training.refresh_from_db()
    assert training.status == TrainingStatus.OPEN


def test_enrolment_stores_consent_version_and_time(frozen_now):
    enrolment = enrol(TrainingFactory())
    assert enrolment.privacy_version == settings.PRIVACY_STATEMENT_VERSION
    assert enrolment.consented_at == NOW


def test_public_enrolment_without_consent_is_refused():
    training = TrainingFactory()
    with pytest.raises(ValidationError) as error:
        enrol(training, consent=False)
    assert list(error.value.error_dict) == ["consent"]
    assert Enrolment.objects.count() == 0


def test_staff_may_enrol_someone_without_consent_which_stays_empty():
    staff = UserFactory(roles=["staff"])
    enrolment = enrol(TrainingFactory(), consent=False, enrolled_by=staff)
    assert enrolment.enrolled_by == staff
    assert enrolment.privacy_version == ""
    assert enrolment.consented_at is None


def test_taking_the_last_place_marks_the_run_full():
    training = TrainingFactory(capacity=2)
    enrol(training, email="a@example.org")
    enrol(training, email="b@example.org")
    training.refresh_from_db()
    assert training.status == TrainingStatus.FULL


def test_enrolments_in_a_full_run_go_on_the_waiting_list_in_order(frozen_now):
    training = TrainingFactory(capacity=1)
    enrol(training, email="a@example.org")
    second = enrol(training, email="b@example.org")
    third = enrol(training, email="c@example.org")
    assert [second.status, third.status] == [EnrolmentStatus.WAITLISTED, EnrolmentStatus.WAITLISTED]
    assert second.waitlisted_at == NOW
    assert kinds(second) == [MessageKind.WAITLIST_CONFIRMED]


@pytest.mark.parametrize("status", [TrainingStatus.DRAFT, TrainingStatus.RUNNING, TrainingStatus.CANCELLED])
def test_a_run_that_takes_no_enrolments_refuses_them(status):
    training = TrainingFactory(status=status)
    with pytest.raises(ValidationError):
        enrol(training)
    assert Enrolment.objects.count() == 0


def test_staff_enrolling_a_known_email_in_another_case_reuses_the_person_and_fills_empty_fields():
    person = PersonFactory(email="Anna.de.Vries@Example.org", phone="", function="Chef")
    organisation = person.organisation
    enrolment = enrol(
        TrainingFactory(),
        email="anna.DE.vries@example.ORG",
        phone="0611111111",
        function="Teamleider",
        enrolled_by=UserFactory(roles=["staff"]),
    )
    assert enrolment.person == person
    assert Person.objects.count() == 1
    person.refresh_from_db()
    # Empty fields are filled, nothing is overwritten.
    assert person.email == "Anna.de.Vries@Example.org"
    assert person.phone == "0611111111"
    assert person.function == "Chef"
    assert person.organisation == organisation


def test_a_public_enrolment_never_changes_a_known_person():
    person = PersonFactory(first_name="Anna", email="anna@example.org", phone="", function="", organisation=None)
    enrolment = enrolment_create(
        training=TrainingFactory(),
        first_name="Someone",
        last_name="Else",
        email="ANNA@example.org",
        phone="0611111111",
        function="Teamleider",
        new_organisation={"name": "Nep BV", "city": "Tiel", "target_group": TargetGroup.EMPLOYERS},
        consent=True,
    )
    assert enrolment.person == person
    person.refresh_from_db()
    assert (person.first_name, person.phone, person.function, person.organisation) == ("Anna", "", "", None)
    assert Person.objects.count() == 1
    assert Organisation.objects.count() == 0  # no organisation made up for a known person


def test_a_second_live_enrolment_by_staff_is_refused_at_the_email_field():
    staff = UserFactory(roles=["staff"])
    training = TrainingFactory()
    enrol(training, email="anna@example.org")
    with pytest.raises(ValidationError) as error:
        enrol(training, email="ANNA@example.org", enrolled_by=staff)
    assert list(error.value.error_dict) == ["email"]
    assert training.enrolments.count() == 1


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (EnrolmentStatus.REGISTERED, MessageKind.ENROLMENT_CONFIRMED),
        (EnrolmentStatus.WAITLISTED, MessageKind.WAITLIST_CONFIRMED),
        (EnrolmentStatus.OFFERED, MessageKind.WAITLIST_OFFER),
    ],
)
def test_a_repeated_public_enrolment_returns_the_existing_one_and_sends_its_mail_again(status, kind):
    training = TrainingFactory(meetings=2)
    existing = EnrolmentFactory(
        training=training,
        person__email="anna@example.org",
        status=status,
        waitlisted_at=timezone.now() if status != EnrolmentStatus.REGISTERED else None,
        offer_expires_at=timezone.now() + timedelta(hours=5) if status == EnrolmentStatus.OFFERED else None,
        dietary_wishes="geen vis",
    )
    again = enrol(training, email="Anna@Example.org", dietary_wishes="vegan", source="website")
    assert again == existing
    again.refresh_from_db()
    assert (again.status, again.dietary_wishes, again.source) == (status, "geen vis", "network")
    assert training.enrolments.count() == 1
    assert kinds(existing) == [kind]


def test_repeated_public_enrolments_send_the_mail_again_at_most_once_per_ten_minutes():
    training = TrainingFactory(meetings=2)
    existing = enrol(training, email="anna@example.org")
    for _ in range(3):
        enrol(training, email="anna@example.org")
    assert kinds(existing).count(MessageKind.ENROLMENT_CONFIRMED) == 1
    existing.messages.update(created_at=timezone.now() - timedelta(minutes=11))
    enrol(training, email="anna@example.org")
    assert kinds(existing).count(MessageKind.ENROLMENT_CONFIRMED) == 2


def test_a_repeated_public_enrolment_of_someone_who_dropped_out_sends_nothing():
    training = TrainingFactory()
    existing = EnrolmentFactory(training=training, person__email="anna@example.org", status="dropped_out")
    assert enrol(training, email="anna@example.org") == existing
    assert kinds(existing) == []
    assert training.enrolments.count() == 1


# --- runs that have started ---


def test_a_run_has_started_once_its_first_scheduled_meeting_has_begun():
    training = TrainingFactory()
    MeetingFactory(training=training, number=2, starts_at=timezone.now() + timedelta(days=7))
    first = MeetingFactory(training=training, number=1, starts_at=timezone.now() - timedelta(minutes=1))
    assert training_has_started(training) is True
    first.status = MeetingStatus.CANCELLED
    first.save()
    assert training_has_started(training) is False


def test_a_public_enrolment_in_a_run_that_has_started_is_refused():
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError):
        enrol(training)
    assert Enrolment.objects.count() == 0


def test_staff_may_still_enrol_someone_in_a_run_that_has_started():
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(days=7))
    enrolment = enrol(training, enrolled_by=UserFactory(roles=["staff"]), late_reason="Vervangt een collega")
    assert (enrolment.training, enrolment.status) == (training, EnrolmentStatus.REGISTERED)
    assert enrolment.late_reason == "Vervangt een collega"


def test_staff_may_move_someone_into_a_run_that_has_started():
    started = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(days=7))
    moved = enrolment_move(enrolment=enrol(TrainingFactory()), to_training=started, by=UserFactory(roles=["staff"]))
    assert (moved.training, moved.status) == (started, EnrolmentStatus.REGISTERED)


def test_someone_who_cancelled_may_enrol_again():
    training = TrainingFactory()
    first = enrol(training)
    enrolment_cancel(enrolment=first)
    again = enrol(training)
    assert again.status == EnrolmentStatus.REGISTERED
    assert again.person == first.person


def test_a_new_organisation_is_created_in_the_region_of_the_run():
    region = Region.objects.get(name="Zeeland")
    training = TrainingFactory(region=region)
    enrolment = enrolment_create(
        training=training,
        first_name="Bram",
        last_name="Jansen",
        email="bram@example.org",
        new_organisation={"name": "Hoveniers Zeeland", "city": "Goes", "target_group": TargetGroup.EMPLOYERS},
        consent=True,
    )
    organisation = Organisation.objects.get(name="Hoveniers Zeeland")
    assert enrolment.person.organisation == organisation
    assert (organisation.city, organisation.region, organisation.target_group) == ("Goes", region, "employers")


def test_the_same_new_organisation_name_in_the_same_city_is_reused():
    existing = OrganisationFactory(name="Bakkerij Linge", city="Tiel")
    enrolment = enrolment_create(
        training=TrainingFactory(),
        first_name="Bram",
        last_name="Jansen",
        email="bram@example.org",
        new_organisation={"name": "bakkerij linge", "city": "TIEL", "target_group": TargetGroup.EMPLOYERS},
        consent=True,
    )
    assert enrolment.person.organisation == existing
    assert Organisation.objects.count() == 1


def test_confirmation_mail_has_the_ics_and_the_personal_link(django_capture_on_commit_callbacks):
    training = TrainingFactory(meetings=5)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(training, email="anna@example.org")
    assert len(mail.outbox) == 2  # the confirmation and the evaluation request before the first meeting
    confirmation = ScheduledMessage.objects.get(enrolment=enrolment, kind=MessageKind.ENROLMENT_CONFIRMED)
    assert confirmation.status == MessageStatus.SENT
    message = next(m for m in mail.outbox if m.extra_headers["Message-ID"] == confirmation.message_id)
    assert message.to == ["anna@example.org"]
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("mentorwijs.ics", "text/calendar")
    assert content.count("BEGIN:VEVENT") == 5
    link = settings.SITE_URL + reverse("trainings:personal", kwargs={"token": enrolment.token})
    assert link in message.body
    assert link in message.alternatives[0][0]
    feed = settings.SITE_URL + reverse(
        "trainings:participant_feed", kwargs={"token": participant_feed_token(enrolment)}
    )
    assert feed in message.body
    assert feed in message.alternatives[0][0]


def test_waitlist_confirmation_mail_has_the_personal_link_and_no_ics(django_capture_on_commit_callbacks):
    training = TrainingFactory(capacity=1, meetings=1)
    enrol(training, email="a@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        waiting = enrol(training, email="b@example.org")
    [message] = mail.outbox
    assert message.to == ["b@example.org"]
    assert message.attachments == []
    assert reverse("trainings:personal", kwargs={"token": waiting.token}) in message.body
    feed = reverse("trainings:participant_feed", kwargs={"token": participant_feed_token(waiting)})
    assert feed in message.body
    assert feed in message.alternatives[0][0]


def test_cancelling_frees_the_place_reopens_the_run_and_cancels_reminders(frozen_now):
    training = TrainingFactory(capacity=1, meetings=5)
    enrolment = enrol(training)
    training.refresh_from_db()
    assert training.status == TrainingStatus.FULL
    enrolment_cancel(enrolment=enrolment)
    enrolment.refresh_from_db()
    training.refresh_from_db()
    assert (enrolment.status, enrolment.cancelled_at) == (EnrolmentStatus.CANCELLED, NOW)
    assert training.status == TrainingStatus.OPEN
    assert not ScheduledMessage.objects.filter(
        enrolment=enrolment, kind=MessageKind.MEETING_REMINDER, status=MessageStatus.PENDING
    ).exists()
    assert ScheduledMessage.objects.filter(enrolment=enrolment, kind=MessageKind.ENROLMENT_CANCELLED).count() == 1


def test_cancelling_twice_is_harmless():
    enrolment = enrol(TrainingFactory())
    enrolment_cancel(enrolment=enrolment)
    enrolment_cancel(enrolment=enrolment)
    assert ScheduledMessage.objects.filter(enrolment=enrolment, kind=MessageKind.ENROLMENT_CANCELLED).count() == 1


def test_a_completed_enrolment_cannot_be_cancelled():
    enrolment = EnrolmentFactory(status=EnrolmentStatus.COMPLETED)
    with pytest.raises(ValidationError):
        enrolment_cancel(enrolment=enrolment)


def test_staff_move_to_another_run_registers_there_and_offers_the_old_place(frozen_now):
    staff = UserFactory(roles=["staff"])
    old = TrainingFactory(capacity=1)
    new = TrainingFactory(capacity=5)
    moving = enrol(old, email="a@example.org", dietary_wishes="vegetarisch")
    waiting = enrol(old, email="b@example.org")
    moved = enrolment_move(enrolment=moving, to_training=new, by=staff)
    moving.refresh_from_db()
    waiting.refresh_from_db()
    assert moving.status == EnrolmentStatus.CANCELLED
    assert (moved.training, moved.person, moved.status) == (new, moving.person, EnrolmentStatus.REGISTERED)
    assert (moved.dietary_wishes, moved.privacy_version, moved.enrolled_by) == ("vegetarisch", "2026-11", staff)
    assert waiting.status == EnrolmentStatus.OFFERED
    assert kinds(moving).count(MessageKind.ENROLMENT_CANCELLED) == 0
    assert kinds(moved).count(MessageKind.ENROLMENT_CONFIRMED) == 1


def test_moving_into_a_full_run_puts_the_person_on_its_waiting_list():
    full = TrainingFactory(capacity=1)
    enrol(full, email="a@example.org")
    moved = enrolment_move(enrolment=enrol(TrainingFactory(), email="b@example.org"), to_training=full)
    assert moved.status == EnrolmentStatus.WAITLISTED
    assert full.enrolments.filter(status=EnrolmentStatus.REGISTERED).count() == 1


def test_moving_to_the_same_run_or_a_run_already_joined_is_refused():
    one, other = TrainingFactory(), TrainingFactory()
    enrolment = enrol(one)
    enrol(other)
    with pytest.raises(ValidationError):
        enrolment_move(enrolment=enrolment, to_training=one)
    with pytest.raises(ValidationError):
        enrolment_move(enrolment=enrolment, to_training=other)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REGISTERED


# --- staff pages ---


def enrol_post(organisation, **overrides):
    data = {
        "first_name": "Chris",
        "last_name": "Bakker",
        "email": "chris@example.org",
        "phone": "",
        "organisation_name": organisation.name,
        "organisation": str(organisation.pk),
        "function": "",
        "source": "",
        "dietary_wishes": "",
    }
    data.update(overrides)
    return data


def test_staff_enrol_someone_on_the_run_page(staff_client, staff_user):
    training = TrainingFactory()
    organisation = OrganisationFactory()
    response = staff_client.post(reverse("trainings:staff_enrol", kwargs={"pk": training.pk}), enrol_post(organisation))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get()
    assert (enrolment.training, enrolment.enrolled_by, enrolment.person.organisation) == (
        training,
        staff_user,
        organisation,
    )
    assert enrolment.consented_at is None


def test_staff_enrolling_someone_twice_gets_the_error_at_the_email_field(staff_client):
    training = TrainingFactory()
    organisation = OrganisationFactory()
    EnrolmentFactory(training=training, person__email="chris@example.org")
    response = staff_client.post(reverse("trainings:staff_enrol", kwargs={"pk": training.pk}), enrol_post(organisation))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert training.enrolments.count() == 1


def test_staff_move_page_moves_the_enrolment(staff_client, staff_user):
    old, new = TrainingFactory(), TrainingFactory()
    enrolment = EnrolmentFactory(training=old)
    response = staff_client.post(
        reverse("trainings:enrolment_move", kwargs={"pk": enrolment.pk}), {"to_training": str(new.pk)}
    )
    assert response.status_code == 302
    moved = Enrolment.objects.get(training=new)
    assert (moved.person, moved.status, moved.enrolled_by) == (enrolment.person, "registered", staff_user)


def test_staff_cancel_page_confirms_on_get_and_cancels_on_post(staff_client):
    enrolment = EnrolmentFactory()
    url = reverse("trainings:enrolment_cancel", kwargs={"pk": enrolment.pk})
    assert staff_client.get(url).status_code == 200
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REGISTERED
    assert staff_client.post(url).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.CANCELLED


def test_staff_pages_are_forbidden_for_a_trainer(client):
    enrolment = EnrolmentFactory()
    enrolment.training.trainers.add(client_user := UserFactory(roles=["trainer"]))
    client.force_login(client_user)
    urls = [
        reverse("trainings:staff_enrol", kwargs={"pk": enrolment.training_id}),
        reverse("trainings:enrolment_move", kwargs={"pk": enrolment.pk}),
        reverse("trainings:enrolment_cancel", kwargs={"pk": enrolment.pk}),
    ]
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]
    assert [client.post(url).status_code for url in urls] == [403, 403, 403]
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.REGISTERED


# --- the participant list on the run's page ---

PARTICIPANTS = Template("{% load participants %}{% training_participants training %}")


def test_participant_list_groups_enrolments_by_status(staff_user):
    training = TrainingFactory()
    for status in ["registered", "registered", "waitlisted", "offered", "cancelled", "completed"]:
        EnrolmentFactory(training=training, status=status)
    html = PARTICIPANTS.render(Context({"training": training, "user": staff_user}))
    counted = {status: html.count(f'data-enrolment-status="{status}"') for status in EnrolmentStatus.values}
    assert counted == {
        "registered": 2,
        "waitlisted": 1,
        "offered": 1,
        "cancelled": 1,
        "completed": 1,
        "dropped_out": 0,
    }
    # Staff get move and cancel links for the four live enrolments.
    assert html.count("/verplaatsen/") == 4


def test_participant_list_shows_no_actions_to_a_trainer():
    trainer = UserFactory(roles=["trainer"])
    training = TrainingFactory()
    EnrolmentFactory(training=training)
    html = PARTICIPANTS.render(Context({"training": training, "user": trainer}))
    assert 'data-enrolment-status="registered"' in html
    assert "/verplaatsen/" not in html


@pytest.mark.parametrize("rows", [5, 200])
def test_participant_list_runs_fixed_queries(django_assert_num_queries, staff_user, rows):
    training = TrainingFactory(capacity=60)
    organisation = OrganisationFactory()
    EnrolmentFactory.create_batch(rows, training=training, person__organisation=organisation)
    staff_user.roles  # noqa: B018 (loaded once per request by the middleware)
    with django_assert_num_queries(1):
        html = PARTICIPANTS.render(Context({"training": training, "user": staff_user}))
    assert html.count('data-enrolment-status="registered"') == rows


@pytest.mark.parametrize("rows", [5, 200])
def test_run_page_with_its_participants_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    training = TrainingFactory(capacity=60, meetings=5)
    EnrolmentFactory.create_batch(rows, training=training, person__organisation=OrganisationFactory())
    history = 1 if rows < 50 else 5
    for number in range(history):
        run_message_send(training=training, subject=f"Bericht {number}", body="Tot dinsdag.", sent_by=UserFactory())
    with django_assert_num_queries(7):
        response = staff_client.get(reverse("trainings:training_detail", kwargs={"pk": training.pk}))
    assert response.status_code == 200
    assert response.content.decode().count('data-enrolment-status="registered"') == rows
    assert response.content.decode().count('data-testid="history-entry"') == history


def test_leaving_a_run_that_has_begun_is_dropping_out_and_keeps_the_history():
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(days=8), status="running")
    enrolment = EnrolmentFactory(training=training)
    enrolment_cancel(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.DROPPED_OUT
    assert enrolment.cancelled_at is not None
    assert enrolment_cancel(enrolment=enrolment).status == EnrolmentStatus.DROPPED_OUT
    assert kinds(enrolment) == [MessageKind.ENROLMENT_CANCELLED]
