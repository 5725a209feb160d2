"""Event invitations by mail with a personal answer link, answers, inviting many at once, reminders
(issue 17, events)."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import EventMailKind, RsvpAnswer, SubscriberStatus, TargetGroup
from dissemination.models import Event, EventGuest, EventMail, Person, Region, Subscriber
from dissemination.queries.newsletters_mail_events import SERVICE_MAIL_SOURCES
from dissemination.services.event_mails import EVENT_MAILS, event_mails_send_due, event_reminders_schedule
from dissemination.services.events import event_invite, event_invite_bulk, guest_answer
from dissemination.services.privacy import person_anonymise
from dissemination.tokens import RSVP_SALT, _email_key, rsvp_token, rsvp_url
from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.personal_data import PERSONAL_DATA, PersonErasure
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, TrainingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(roles=["staff"], two_factor=True)


def _event(days_ahead: int = 14, **overrides) -> Event:
    values = {
        "kind": "inspiration_meeting",
        "title": "Inspiratiemiddag inclusief werken",
        "date": timezone.localdate() + timedelta(days=days_ahead),
        "place": "Tiel, Agnietenhof",
    }
    values.update(overrides)
    return Event.objects.create(**values)


def _guest(event, person, **fields) -> EventGuest:
    return EventGuest.objects.create(event=event, person=person, **fields)


def _rsvp_path(guest) -> str:
    return reverse("event:rsvp", kwargs={"token": rsvp_token(guest)})


# --- invitations by mail ------------------------------------------------------------------------------


def test_an_invitation_is_an_outbox_row_first_and_leaves_on_commit_with_the_answer_link(
    staff, django_capture_on_commit_callbacks
):
    event = _event()
    person = PersonFactory(first_name="Ilse", email="ilse@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert event_invite(event=event, persons=[person], by=staff) == 1
    [row] = EventMail.objects.all()
    assert (row.kind, row.status, row.guest.person) == (EventMailKind.INVITATION, MessageStatus.PENDING, person)
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT
    [message] = mail.outbox
    assert message.to == ["ilse@example.org"]
    assert "Inspiratiemiddag inclusief werken" in message.subject
    assert "Hallo Ilse," in message.body
    assert rsvp_url(row.guest) in message.body
    assert message.extra_headers["Message-ID"] == row.message_id == EVENT_MAILS.message_id(row)


def test_no_invitation_mail_for_an_event_that_has_passed_or_a_person_without_an_address(
    staff, django_capture_on_commit_callbacks
):
    past = _event(days_ahead=-1)
    ahead = _event()
    with_address, without = PersonFactory(), PersonFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        event_invite(event=past, persons=[with_address], by=staff)
        event_invite(event=ahead, persons=[without], by=staff)
    assert EventGuest.objects.count() == 2
    assert not EventMail.objects.exists()
    assert mail.outbox == []


def test_inviting_twice_mails_once(staff, django_capture_on_commit_callbacks):
    event = _event()
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event_invite(event=event, persons=[person], by=staff)
        event_invite(event=event, persons=[person], by=staff)
    assert EventMail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_failed_invitation_shows_on_the_mail_events_page_and_is_sent_again(
    staff, client, django_capture_on_commit_callbacks
):
    event = _event()
    guest = _guest(event, PersonFactory(email="kapot@example.org"))
    row = EventMail.objects.create(
        guest=guest, kind=EventMailKind.INVITATION, due_at=timezone.now(), status=MessageStatus.FAILED, last_error="550"
    )
    source = SERVICE_MAIL_SOURCES["dissemination.event_mail"]
    [failed] = list(source.failed())
    assert (failed["ev_pk"], failed["ev_email"], failed["ev_what"]) == (row.pk, "kapot@example.org", "invitation")
    client.force_login(staff)
    response = client.get(reverse("dissemination:mail_event_list"))
    assert "kapot@example.org" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert source.retry(pk=row.pk) is True
    row.refresh_from_db()
    assert row.status == MessageStatus.SENT  # queued on commit; Celery runs eagerly in tests
    assert mail.outbox[0].to == ["kapot@example.org"]


# --- the answer through the personal link ------------------------------------------------------------


def test_a_guest_answers_yes_and_can_change_it_until_the_event(client):
    event = _event()
    guest = _guest(event, PersonFactory(first_name="Joris"))
    path = _rsvp_path(guest)

    page = client.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200
    assert 'data-testid="rsvp-form"' in page.content.decode()
    guest.refresh_from_db()
    assert (guest.rsvp, guest.rsvp_at) == ("", None)

    response = client.post(path, {"answer": "yes"})
    assert response.status_code == 200
    assert 'data-testid="rsvp-saved"' in response.content.decode()
    guest.refresh_from_db()
    assert guest.rsvp == RsvpAnswer.YES
    first_answer = guest.rsvp_at
    assert first_answer is not None

    client.post(path, {"answer": "no"})
    guest.refresh_from_db()
    assert guest.rsvp == RsvpAnswer.NO
    assert guest.rsvp_at >= first_answer


def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(client):
    guest = _guest(_event(), PersonFactory())
    response = client.post(_rsvp_path(guest), {"answer": "maybe"})
    assert response.status_code == 400
    guest.refresh_from_db()
    assert guest.rsvp == ""


def test_answering_after_the_event_is_refused():
    guest = _guest(_event(days_ahead=-1), PersonFactory())
    with pytest.raises(ValidationError):
        guest_answer(guest=guest, answer=RsvpAnswer.YES)
    guest.refresh_from_db()
    assert guest.rsvp == ""


def test_answering_on_the_day_itself_is_still_open(client):
    guest = _guest(_event(days_ahead=0), PersonFactory())
    client.post(_rsvp_path(guest), {"answer": "yes"})
    guest.refresh_from_db()
    assert guest.is_coming


def test_the_answer_page_of_a_past_event_shows_no_buttons(client):
    guest = _guest(_event(days_ahead=-2), PersonFactory())
    content = client.get(_rsvp_path(guest)).content.decode()
    assert 'data-testid="rsvp-closed"' in content
    assert 'data-testid="rsvp-form"' not in content


def test_a_token_for_another_guest_is_refused(client):
    event = _event()
    mine = _guest(event, PersonFactory(email="mijn@example.org"))
    theirs = _guest(event, PersonFactory(email="hun@example.org"))
    # Signed with the right key but naming the other guest with my address: refused.
    crafted = signing.Signer(salt=RSVP_SALT).sign_object([theirs.pk, _email_key(mine.person.email)])
    # My token with the other guest's id put in: the signature no longer fits.
    pk_part = signing.b64_encode(f"[{mine.pk},".encode()).decode()
    swapped = rsvp_token(mine).replace(pk_part, signing.b64_encode(f"[{theirs.pk},".encode()).decode())
    # A link of another kind (a newsletter's preferences link) for the same id: another salt.
    other_kind = signing.Signer(salt="mentorwijs.newsletter.preferences").sign_object(
        [theirs.pk, _email_key(theirs.person.email)]
    )
    for token in (crafted, swapped, other_kind, "rommel"):
        response = client.post(reverse("event:rsvp", kwargs={"token": token}), {"answer": "no"})
        assert response.status_code == 400
        assert 'data-testid="invalid-link"' in response.content.decode()
    assert set(EventGuest.objects.values_list("rsvp", flat=True)) == {""}


def test_the_link_stops_working_when_the_person_has_another_address(client):
    guest = _guest(_event(), PersonFactory(email="oud@example.org"))
    path = _rsvp_path(guest)
    Person.objects.filter(pk=guest.person_id).update(email="nieuw@example.org")
    assert client.post(path, {"answer": "yes"}).status_code == 400
    guest.refresh_from_db()
    assert guest.rsvp == ""


# --- the guest list filled from the answers ----------------------------------------------------------


def test_the_event_page_counts_the_answers_and_lists_them(client, staff):
    event = _event()
    coming = [_guest(event, PersonFactory()) for _ in range(3)]
    declined = _guest(event, PersonFactory(last_name="Afmelder"))
    silent = [_guest(event, PersonFactory()) for _ in range(2)]
    for guest in coming:
        guest_answer(guest=guest, answer=RsvpAnswer.YES)
    guest_answer(guest=declined, answer=RsvpAnswer.NO)

    client.force_login(staff)
    response = client.get(reverse("dissemination:event_detail", args=[event.pk]))
    shown = response.context["event"]
    assert (shown.invited_count, shown.coming_count, shown.declined_count, shown.unanswered_count) == (6, 3, 1, 2)
    answers = {guest.pk: (guest.is_coming, guest.has_declined) for guest in response.context["guests"]}
    assert answers[declined.pk] == (False, True)
    assert all(answers[guest.pk] == (True, False) for guest in coming)
    assert all(answers[guest.pk] == (False, False) for guest in silent)
    content = response.content.decode()
    row = re.search(rf'data-testid="guest-{declined.pk}">(.*?)</tr>', content, re.S).group(1)
    assert "Afmelder" in row
    assert "komt niet" in row


# --- inviting many at once ----------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    """People of two regions, with the cases a bulk invitation must skip."""
    rivierenland = Region.objects.get(name="Rivierenland")
    other = Region.objects.exclude(pk=rivierenland.pk).first()
    employer = OrganisationFactory(region=rivierenland, target_group=TargetGroup.EMPLOYERS)
    school = OrganisationFactory(region=other, target_group=TargetGroup.SCHOOLS)
    elsewhere = OrganisationFactory(region=other, target_group=TargetGroup.EMPLOYERS)
    people = {
        "employer": PersonFactory(organisation=employer),
        "employer_no_email": PersonFactory(organisation=employer, email=""),
        "employer_erased": PersonFactory(organisation=employer),
        "employer_unsubscribed": PersonFactory(organisation=employer, email="weg@example.org"),
        "employer_complained": PersonFactory(organisation=employer),
        "employer_already": PersonFactory(organisation=employer),
        "school": PersonFactory(organisation=school),
        "elsewhere": PersonFactory(organisation=elsewhere),
        "no_organisation": PersonFactory(organisation=None),
    }
    person_anonymise(person=people["employer_erased"])
    Subscriber.objects.create(email="WEG@example.org", status=SubscriberStatus.UNSUBSCRIBED)  # by address
    Subscriber.objects.create(
        email="elders@example.org", person=people["employer_complained"], status=SubscriberStatus.COMPLAINED
    )
    Subscriber.objects.create(email=people["employer"].email, status=SubscriberStatus.CONFIRMED)
    # Past participants: a supervisor who completed a run in Rivierenland (of the school elsewhere),
    # one who dropped out there, one who completed a run in the other region.
    run_here = TrainingFactory(region=rivierenland)
    run_there = TrainingFactory(region=other)
    EnrolmentFactory(training=run_here, person=people["school"], status="completed")
    EnrolmentFactory(training=run_here, person=people["elsewhere"], status="dropped_out")
    EnrolmentFactory(training=run_there, person=people["no_organisation"], status="completed")
    EnrolmentFactory(training=run_here, person=people["employer_no_email"], status="completed")
    return {"people": people, "rivierenland": rivierenland, "other": other}


def _invited(event) -> set[int]:
    return set(EventGuest.objects.filter(event=event).values_list("person_id", flat=True))


def _ids(crowd, *names) -> set[int]:
    return {crowd["people"][name].pk for name in names}


def test_bulk_by_region_invites_the_region_and_skips_the_rest(staff, crowd, django_capture_on_commit_callbacks):
    event = _event()
    _guest(event, crowd["people"]["employer_already"])
    with django_capture_on_commit_callbacks(execute=True):
        result = event_invite_bulk(event=event, by=staff, group_key="organisations", region=crowd["rivierenland"])
    assert result == {"invited": 1, "skipped": 5}
    assert _invited(event) == _ids(crowd, "employer", "employer_already")
    assert [message.to for message in mail.outbox] == [[crowd["people"]["employer"].email]]
    assert EventMail.objects.get().guest.person == crowd["people"]["employer"]


def test_bulk_by_target_group_invites_that_group_in_every_region(staff, crowd):
    event = _event()
    event_invite_bulk(event=event, by=staff, group_key="organisations", target_group=TargetGroup.SCHOOLS)
    assert _invited(event) == _ids(crowd, "school")


def test_bulk_past_participants_of_a_region_are_those_who_completed_a_run_there(staff, crowd):
    event = _event()
    result = event_invite_bulk(event=event, by=staff, group_key="past_participants", region=crowd["rivierenland"])
    assert _invited(event) == _ids(crowd, "school")
    assert result == {"invited": 1, "skipped": 1}  # the one without an address


def test_bulk_past_participants_of_every_region(staff, crowd):
    event = _event()
    event_invite_bulk(event=event, by=staff, group_key="past_participants")
    assert _invited(event) == _ids(crowd, "school", "no_organisation")


def test_bulk_people_of_organisations_without_region_or_target_group_is_refused(staff, crowd):
    event = _event()
    with pytest.raises(ValidationError) as refused:
        event_invite_bulk(event=event, by=staff, group_key="organisations")
    assert "region" in refused.value.message_dict
    with pytest.raises(ValidationError):
        event_invite_bulk(event=event, by=staff, group_key="everyone")
    assert not EventGuest.objects.exists()


def test_bulk_twice_invites_nobody_twice(staff, crowd):
    event = _event()
    event_invite_bulk(event=event, by=staff, group_key="organisations", region=crowd["rivierenland"])
    again = event_invite_bulk(event=event, by=staff, group_key="organisations", region=crowd["rivierenland"])
    assert again["invited"] == 0
    assert _invited(event) == _ids(crowd, "employer", "employer_already")
    assert EventMail.objects.count() == 2


def _many(count: int, region) -> None:
    organisation = OrganisationFactory(region=region)
    Person.objects.bulk_create(
        Person(
            first_name="Gast", last_name=f"{n:03}", email=f"veel{n}-{region.pk}@example.org", organisation=organisation
        )
        for n in range(count)
    )


def test_bulk_runs_a_fixed_number_of_queries(staff):
    counts = []
    for people, region in zip((2, 40), Region.objects.all()[:2], strict=True):
        event = _event()
        _many(people, region)
        staff.has_perm("dissemination.manage_events")  # the roles, read once per request in a view
        with CaptureQueriesContext(connection) as queries:
            result = event_invite_bulk(event=event, by=staff, group_key="organisations", region=region)
        assert result["invited"] == people
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_preview_shows_how_many_and_who_and_why_others_are_skipped(client, staff, crowd):
    event = _event()
    _guest(event, crowd["people"]["employer_already"])
    client.force_login(staff)
    url = reverse("dissemination:event_invite_bulk", args=[event.pk])
    response = client.get(url, {"group": "organisations", "region": crowd["rivierenland"].pk})
    preview = response.context["preview"]
    assert [person.pk for person in preview.invite] == [crowd["people"]["employer"].pk]
    reasons = {person.pk: reason for person, reason in preview.skipped}
    assert reasons == {
        crowd["people"]["employer_no_email"].pk: "no_email",
        crowd["people"]["employer_erased"].pk: "erased",
        crowd["people"]["employer_unsubscribed"].pk: "unsubscribed",
        crowd["people"]["employer_complained"].pk: "unsubscribed",
        crowd["people"]["employer_already"].pk: "already_invited",
    }
    content = response.content.decode()
    assert "1 persoon wordt uitgenodigd" in content
    assert _invited(event) == _ids(crowd, "employer_already")  # the preview invites nobody

    response = client.post(url, {"group": "organisations", "region": crowd["rivierenland"].pk})
    assert response.status_code == 302
    assert _invited(event) == _ids(crowd, "employer", "employer_already")


def test_the_preview_without_a_criterion_says_what_is_missing(client, staff, crowd):
    event = _event()
    client.force_login(staff)
    response = client.get(reverse("dissemination:event_invite_bulk", args=[event.pk]), {"group": "organisations"})
    assert response.status_code == 400
    assert response.context["preview"] is None
    assert response.context["form"].errors["region"]


@pytest.mark.parametrize("people", [2, 40])
def test_the_preview_page_runs_fixed_queries(client, staff, django_assert_num_queries, people):
    region = Region.objects.get(name="Rivierenland")
    _many(people, region)
    event = _event()
    client.force_login(staff)
    # the user with roles and two-factor state, the event with counts, the region (form), the regions
    # (select), the people with their organisation and reasons: no query per person
    with django_assert_num_queries(5):
        response = client.get(
            reverse("dissemination:event_invite_bulk", args=[event.pk]), {"group": "organisations", "region": region.pk}
        )
    assert len(response.context["preview"].invite) == people


# --- reminders ----------------------------------------------------------------------------------------


def _sent_invitation(guest, *, days_ago: int) -> None:
    EventMail.objects.create(
        guest=guest,
        kind=EventMailKind.INVITATION,
        due_at=timezone.now() - timedelta(days=days_ago),
        status=MessageStatus.SENT,
        sent_at=timezone.now() - timedelta(days=days_ago),
    )


def test_reminders_go_once_to_those_coming_and_those_who_have_not_answered():
    event = _event(days_ahead=2)
    coming = _guest(event, PersonFactory(email="ja@example.org"))
    guest_answer(guest=coming, answer=RsvpAnswer.YES)
    declined = _guest(event, PersonFactory(email="nee@example.org"))
    _sent_invitation(declined, days_ago=5)
    guest_answer(guest=declined, answer=RsvpAnswer.NO)
    silent = _guest(event, PersonFactory(email="stil@example.org"))
    _sent_invitation(silent, days_ago=5)
    invited_today = _guest(event, PersonFactory(email="vandaag@example.org"))
    _sent_invitation(invited_today, days_ago=0)
    _guest(event, PersonFactory(email="nooit-gemaild@example.org"))  # on the list without a mail
    _guest(event, PersonFactory(email="binnengelopen@example.org"), invited=False, attended=True)
    far = _event(days_ahead=10)
    _guest(far, PersonFactory(email="later@example.org"), rsvp=RsvpAnswer.YES, rsvp_at=timezone.now())

    event_reminders_schedule()
    event_reminders_schedule()  # beat ran twice: nothing twice
    reminders = EventMail.objects.filter(kind=EventMailKind.REMINDER)
    assert set(reminders.values_list("guest_id", flat=True)) == {coming.pk, silent.pk}

    assert event_mails_send_due() == 2
    assert event_mails_send_due() == 0
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {"ja@example.org", "stil@example.org"}
    assert "Herinnering" in sent["ja@example.org"].subject
    assert "Je hebt laten weten dat je komt" in sent["ja@example.org"].body
    assert "nog niet gehoord" in sent["stil@example.org"].body

    event_reminders_schedule()
    assert event_mails_send_due() == 0
    assert reminders.count() == 2


def test_a_reminder_for_someone_who_said_no_meanwhile_is_cancelled_not_sent():
    event = _event(days_ahead=1)
    guest = _guest(event, PersonFactory(), rsvp=RsvpAnswer.YES, rsvp_at=timezone.now())
    event_reminders_schedule()
    guest_answer(guest=guest, answer=RsvpAnswer.NO)
    assert event_mails_send_due() == 0
    assert EventMail.objects.get().status == MessageStatus.CANCELLED
    assert mail.outbox == []


# --- who may manage ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["ambassador", "trainer", "master_trainer"])
def test_only_staff_invite_many_at_once(client, crowd, role):
    event = _event()
    user = UserFactory(roles=[role])
    client.force_login(user)
    url = reverse("dissemination:event_invite_bulk", args=[event.pk])
    assert client.get(url, {"group": "organisations", "region": crowd["rivierenland"].pk}).status_code == 403
    assert client.post(url, {"group": "organisations", "region": crowd["rivierenland"].pk}).status_code == 403
    with pytest.raises(ValidationError):
        event_invite_bulk(event=event, by=user, group_key="organisations", region=crowd["rivierenland"])
    with pytest.raises(ValidationError):
        event_invite(event=event, persons=[crowd["people"]["employer"]], by=user)
    assert not EventGuest.objects.exists()
    assert not EventMail.objects.exists()


def test_an_ambassador_sees_the_answer_counts_but_not_who_answered(client, staff):
    event = _event()
    guest = _guest(event, PersonFactory(last_name="Geheimhouder"))
    guest_answer(guest=guest, answer=RsvpAnswer.YES)
    client.force_login(UserFactory(roles=["ambassador"]))
    response = client.get(reverse("dissemination:event_detail", args=[event.pk]))
    assert response.context["event"].coming_count == 1
    assert "Geheimhouder" not in response.content.decode()


# --- privacy ------------------------------------------------------------------------------------------


def test_the_export_holds_the_answer_and_the_mails_and_the_erasure_cancels_waiting_mail():
    event = _event()
    person = PersonFactory()
    guest = _guest(event, person)
    guest_answer(guest=guest, answer=RsvpAnswer.YES)
    _sent_invitation(guest, days_ago=3)
    EventMail.objects.create(guest=guest, kind=EventMailKind.REMINDER, due_at=timezone.now() + timedelta(hours=1))
    EventMail.objects.filter(kind=EventMailKind.INVITATION).update(last_error="mailbox of ilse@x full")

    [exported] = PERSONAL_DATA["outreach"].person_export(person)["event_guests"]
    assert exported["rsvp"] == "yes"
    assert exported["rsvp_at"] is not None
    assert [(row["kind"], row["status"]) for row in exported["mails"]] == [
        ("invitation", "sent"),
        ("reminder", "pending"),
    ]

    erased = PERSONAL_DATA["outreach"].person_erase(PersonErasure(person=person, email=person.email))
    assert erased.counts["event_mails_cancelled"] == 1
    assert dict(EventMail.objects.values_list("kind", "status")) == {
        "invitation": MessageStatus.SENT,
        "reminder": MessageStatus.CANCELLED,
    }
    assert not EventMail.objects.exclude(last_error="").exists()


def test_the_reminder_task_is_safe_to_run_twice():
    from dissemination.tasks import schedule_event_reminders, send_due_event_mails

    event = _event(days_ahead=3)
    _guest(event, PersonFactory(email="twee@example.org"), rsvp=RsvpAnswer.YES, rsvp_at=timezone.now())
    schedule_event_reminders.apply()
    schedule_event_reminders.apply()
    send_due_event_mails.apply()
    send_due_event_mails.apply()
    assert EventMail.objects.filter(kind=EventMailKind.REMINDER, status=MessageStatus.SENT).count() == 1
    assert [message.to for message in mail.outbox] == [["twee@example.org"]]
