"""The retention rules of issue 14: people known only from the directory, former subscribers,
invitations, deactivated accounts, evidence files of lapsed certifications, event notes, erasure
records and expired sessions. Each with rows just inside and just outside its period, and a second
run that changes nothing."""

from dataclasses import replace
from datetime import timedelta
from importlib import import_module

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import CertificationEvent, CertificationEvidence
from ambassadors.services.erasure import evidence_remove
from ambassadors.storage import PrivateFileSystemStorage
from dissemination.enums import ConsentAction, ConsentSource, SubscriberStatus
from dissemination.models import ConsentRecord, Delivery, Event, EventGuest, MailEvent, Person, Subscriber
from dissemination.services.retention import former_subscribers, subscribers_forget
from dissemination.services.subscriptions import subscriber_confirm, subscriber_sign_up, subscriber_unsubscribe
from dissemination.tokens import confirm_url
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.privacy import retention
from mentorwijs.privacy.models import ErasureRecord, RetentionRun
from mentorwijs.privacy.services.account_erasure import account_erase
from mentorwijs.privacy.services.erasure import person_erase
from tests.factories import (
    AmbassadorFactory,
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    InvitationFactory,
    MailingListFactory,
    NewsletterFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _periods(policy):
    policy(retention_directory_years=3)
    policy(retention_former_subscriber_years=2)
    policy(retention_invitation_days=90)
    policy(retention_deactivated_account_years=2)
    policy(retention_evidence_days=90)
    policy(retention_outreach_notes_years=3)
    policy(retention_audit_log_years=5)


@pytest.fixture
def now():
    return timezone.now()


def audit_text(model, pks) -> str:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(pk) for pk in pks]
    )
    return " ".join(f"{e.object_repr} {e.changes} {e.changes_text} {e.serialized_data}" for e in entries).lower()


# --- people known only from the directory ---


def directory_person(*, added, **kwargs):
    person = PersonFactory(**kwargs)
    Person.objects.filter(pk=person.pk).update(created_at=added)
    person.refresh_from_db()
    return person


def test_a_person_known_only_from_the_directory_is_anonymised_after_the_period(now):
    cutoff = now - relativedelta(years=3)
    old = directory_person(added=cutoff - DAY, first_name="Dirk", last_name="Directorius", phone="0611111111")
    recent = directory_person(added=cutoff + DAY)

    assert retention.anonymise_directory_people(now=now) == 1

    old.refresh_from_db()
    assert (old.first_name, old.email, old.phone) == ("Verwijderd", "", "")
    assert old.organisation_id is not None  # counts per organisation stay
    record = ErasureRecord.objects.get(person_id=old.pk)
    assert (record.by, record.reason) == (None, "retention")
    recent.refresh_from_db()
    assert recent.first_name != "Verwijderd"
    assert retention.anonymise_directory_people(now=now) == 0


def test_the_last_contact_or_event_counts_not_only_the_addition(now):
    cutoff = now - relativedelta(years=3)
    contacted = directory_person(added=cutoff - relativedelta(years=2))
    OutreachContactFactory(person=contacted, organisation=contacted.organisation, date=timezone.localdate(now))
    guest = directory_person(added=cutoff - relativedelta(years=2))
    EventGuest.objects.create(
        event=Event.objects.create(kind="congress", title="Slot", date=timezone.localdate()), person=guest
    )
    contacted_long_ago = directory_person(added=cutoff - relativedelta(years=2))
    old_contact = OutreachContactFactory(
        person=contacted_long_ago,
        organisation=contacted_long_ago.organisation,
        date=timezone.localdate(cutoff) - DAY,
        notes="Sprak met Dirk",
    )

    assert retention.anonymise_directory_people(now=now) == 1

    assert Person.objects.get(pk=contacted_long_ago.pk).first_name == "Verwijderd"
    old_contact.refresh_from_db()
    assert old_contact.person_id == contacted_long_ago.pk  # the contact stays as a figure
    assert old_contact.notes == ""
    assert Person.objects.get(pk=contacted.pk).first_name != "Verwijderd"
    assert Person.objects.get(pk=guest.pk).first_name != "Verwijderd"


def test_people_still_needed_elsewhere_are_not_directory_people(now):
    long_ago = now - relativedelta(years=5)
    participant = directory_person(added=long_ago)
    EnrolmentFactory(person=participant, training=TrainingFactory(status="completed"))  # the participants' rule
    subscribed = directory_person(added=long_ago)
    SubscriberFactory(person=subscribed)
    same_address_subscriber = directory_person(added=long_ago, email="Lezer@Example.org")
    SubscriberFactory(email="lezer@example.org", status="pending", confirmed_at=None)
    account_holder = directory_person(added=long_ago, email="Trainer@Example.org")
    UserFactory(email="trainer@example.org")
    ambassador = directory_person(added=long_ago)
    AmbassadorFactory(person=ambassador)  # with an account

    assert list(retention.directory_people_due(now=now)) == []
    assert retention.anonymise_directory_people(now=now) == 0
    kept = [participant, subscribed, same_address_subscriber, account_holder, ambassador]
    assert "Verwijderd" not in set(
        Person.objects.filter(pk__in=[p.pk for p in kept]).values_list("first_name", flat=True)
    )


def test_a_person_whose_subscription_ended_and_an_unused_ambassador_invitation_are_anonymised(now):
    long_ago = now - relativedelta(years=5)
    left = directory_person(added=long_ago)
    SubscriberFactory(person=left, status="unsubscribed")
    invited = directory_person(added=long_ago)
    profile = AmbassadorFactory(person=invited, user=None, offers=["tell_network"], public_listing=True)
    profile.created_at = long_ago
    profile.save()

    assert retention.anonymise_directory_people(now=now) == 2

    profile.refresh_from_db()
    assert (profile.offers, profile.public_listing) == ([], False)
    assert Subscriber.objects.get(person=left).email.startswith("verwijderd-")


def test_an_account_erasure_record_does_not_hide_participants_from_their_rule(now, policy):
    """ErasureRecord.person_id is empty for an account's erasure: NOT IN (… NULL …) would match nothing."""
    policy(retention_participant_years=5)
    ErasureRecord.objects.create(user_id=UserFactory().pk, reason="test")
    person = PersonFactory()
    training = TrainingFactory(status="completed", meetings=1, meetings__first_meeting=now - relativedelta(years=6))
    EnrolmentFactory(training=training, person=person, status="completed", created_at=now - relativedelta(years=6))
    directory_person(added=now - relativedelta(years=4))

    assert list(retention.participants_due(now=now)) == [person]
    assert len(retention.directory_people_due(now=now)) == 1


# --- former subscribers ---


def confirmed_subscriber(*, at, email="oud@example.org", lists=None):
    lists = lists or [MailingListFactory(name="Werkgevers")]
    subscriber = SubscriberFactory(
        email=email, name="Olga Oud", organisation_name="Bakkerij Oud", status="pending", created_at=at
    )
    subscriber_confirm(subscriber=subscriber, list_ids=[mailing_list.pk for mailing_list in lists])
    return Subscriber.objects.get(pk=subscriber.pk)


def unsubscribed(*, at, email="oud@example.org"):
    subscriber = confirmed_subscriber(at=at - DAY, email=email)
    subscriber_unsubscribe(subscriber=subscriber)
    # Move the history to `at`; consent records refuse update(), so the test goes around them.
    Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=at - DAY, unsubscribed_at=at)
    QuerySet.update(ConsentRecord.objects.filter(subscriber=subscriber), at=at)
    return Subscriber.objects.get(pk=subscriber.pk)


def test_an_unsubscribed_address_is_forgotten_once_the_proof_is_no_longer_needed(now):
    cutoff = now - relativedelta(years=2)
    old = unsubscribed(at=cutoff - DAY, email="Oud@Example.org")
    Delivery.objects.create(
        newsletter=NewsletterFactory(), subscriber=old, status="sent", last_error="452 oud@example.org"
    )
    MailEvent.objects.create(subscriber=old, kind="soft_bounce", detail="oud@example.org full", at=cutoff - DAY * 2)
    recent = unsubscribed(at=cutoff + DAY, email="recent@example.org")
    records_before = list(ConsentRecord.objects.filter(subscriber=old).order_by("pk").values_list("action", "at"))

    assert retention.forget_former_subscribers(now=now) == 1

    old.refresh_from_db()
    assert old.email == f"verwijderd-{old.pk}"
    assert (old.name, old.organisation_name, old.status) == ("", "", "unsubscribed")
    records = ConsentRecord.objects.filter(subscriber=old).order_by("pk")
    assert list(records.values_list("action", "at")) == records_before  # the figures stay
    assert set(records.values_list("email", "proof")) == {(f"verwijderd-{old.pk}", "")}
    assert list(Delivery.objects.filter(subscriber=old).values_list("status", "last_error")) == [("sent", "")]
    assert list(MailEvent.objects.filter(subscriber=old).values_list("detail", flat=True)) == [""]
    assert "oud@example.org" not in audit_text(Subscriber, [old.pk])
    assert "olga" not in audit_text(Subscriber, [old.pk])
    recent.refresh_from_db()
    assert recent.email == "recent@example.org"
    assert set(ConsentRecord.objects.filter(subscriber=recent).values_list("email", flat=True)) == {
        "recent@example.org"
    }
    assert retention.forget_former_subscribers(now=now) == 0


def test_a_bounced_address_still_on_lists_gets_a_withdrawal_before_it_is_forgotten(now):
    long_ago = now - relativedelta(years=3)
    bounced = confirmed_subscriber(at=long_ago, email="stuk@example.org")
    Subscriber.objects.filter(pk=bounced.pk).update(status=SubscriberStatus.BOUNCED, confirmed_at=long_ago)
    QuerySet.update(ConsentRecord.objects.filter(subscriber=bounced), at=long_ago)
    MailEvent.objects.create(subscriber=bounced, kind="hard_bounce", detail="550 stuk@example.org", at=long_ago)

    assert retention.forget_former_subscribers(now=now) == 1

    bounced.refresh_from_db()
    assert bounced.status == "bounced"
    assert list(bounced.lists.all()) == []
    actions = list(ConsentRecord.objects.filter(subscriber=bounced).order_by("pk").values_list("action", "source"))
    assert actions == [(ConsentAction.GIVEN, ConsentSource.FORM), (ConsentAction.WITHDRAWN, ConsentSource.STAFF)]
    assert not ConsentRecord.objects.filter(email__contains="@", subscriber=bounced).exists()


@pytest.mark.parametrize("mail_sent", [True, False], ids=["confirmation sent", "confirmation still to send"])
def test_a_former_subscriber_who_signed_up_again_keeps_the_address_and_the_link_works(
    now, client, mail_sent, django_capture_on_commit_callbacks
):
    old = unsubscribed(at=now - relativedelta(years=3), email="terug@example.org")
    newsletter = MailingListFactory(name="Scholen")
    with django_capture_on_commit_callbacks(execute=mail_sent):
        subscriber_sign_up(email="Terug@Example.org", name="Terug", lists=[newsletter])
    old.refresh_from_db()
    assert (old.status, old.confirmation_request is None) == ("unsubscribed", mail_sent)

    assert retention.forget_former_subscribers(now=now) == 0

    old.refresh_from_db()
    assert old.email == "terug@example.org"
    assert not ConsentRecord.objects.filter(subscriber=old).exclude(email="terug@example.org").exists()
    link = confirm_url(old, list_ids=[newsletter.pk]).removeprefix(django_settings.SITE_URL)
    client.post(link)
    old.refresh_from_db()
    assert (old.email, old.status, list(old.lists.all())) == ("terug@example.org", "confirmed", [newsletter])


def test_a_subscriber_who_confirms_after_the_listing_is_not_forgotten(now):
    """subscribers_forget applies the rule again to the rows it locks."""
    cutoff = now - relativedelta(years=2)
    old = unsubscribed(at=cutoff - DAY, email="terug@example.org")
    due = list(former_subscribers(before=cutoff).values_list("pk", flat=True))
    assert due == [old.pk]
    newsletter = MailingListFactory(name="Scholen")
    subscriber_confirm(subscriber=old, list_ids=[newsletter.pk])  # between the listing and the forgetting

    assert subscribers_forget(subscriber_ids=due, before=cutoff) == []

    old.refresh_from_db()
    assert (old.email, old.status) == ("terug@example.org", "confirmed")
    assert list(old.lists.all()) == [newsletter]
    assert not ConsentRecord.objects.filter(subscriber=old).exclude(email="terug@example.org").exists()


def test_subscribers_still_subscribed_or_recently_active_keep_their_address(now):
    long_ago = now - relativedelta(years=3)
    confirmed = confirmed_subscriber(at=long_ago, email="trouw@example.org")
    bounced_lately = SubscriberFactory(email="laat@example.org", status="bounced", created_at=long_ago)
    MailEvent.objects.create(subscriber=bounced_lately, kind="hard_bounce", detail="550")

    assert retention.forget_former_subscribers(now=now) == 0
    assert Subscriber.objects.filter(email__in=["trouw@example.org", "laat@example.org"]).count() == 2
    assert confirmed.status == "confirmed"


def test_consent_records_stay_append_only_for_everything_else():
    subscriber = confirmed_subscriber(at=timezone.now())
    record = ConsentRecord.objects.filter(subscriber=subscriber).first()
    with pytest.raises(TypeError):
        ConsentRecord.objects.filter(pk=record.pk).update(email="x@example.org")
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        ConsentRecord.objects.filter(pk=record.pk).delete()


# --- event notes ---


def test_outcomes_and_follow_up_notes_of_old_events_are_emptied(now):
    cutoff = timezone.localdate(now) - relativedelta(years=3)
    old = Event.objects.create(
        kind="congress", title="Oud", date=cutoff - DAY, outcomes="Jan belt", follow_up="Mail Jan"
    )
    recent = Event.objects.create(kind="congress", title="Nieuw", date=cutoff, outcomes="Piet belt")

    assert retention.clear_event_notes(now=now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.outcomes, old.follow_up, old.title) == ("", "", "Oud")
    assert recent.outcomes == "Piet belt"
    assert retention.clear_event_notes(now=now) == 0


# --- invitations ---


def test_lapsed_invitations_are_deleted_and_used_ones_keep_only_who_invited_whom(now, settings):
    settings.INVITATION_VALID_DAYS = 7
    cutoff = now - timedelta(days=90)
    revoked_long_ago = InvitationFactory(email="weg@example.org", revoked_at=cutoff - DAY)
    revoked_lately = InvitationFactory(email="blijft@example.org", revoked_at=cutoff + DAY)
    expired_long_ago = InvitationFactory(email="verlopen@example.org", created_at=cutoff - timedelta(days=8))
    expired_lately = InvitationFactory(email="net@example.org", created_at=cutoff - timedelta(days=6))
    account = UserFactory(email="nieuw@example.org")
    accepted = InvitationFactory(
        email="nieuw@example.org", first_name="Nina", accepted_at=cutoff - DAY, accepted_user=account
    )
    profile = AmbassadorFactory(user=None, person=PersonFactory(), invitation=expired_long_ago)

    assert retention.forget_invitations(now=now) == 3

    assert set(Invitation.objects.values_list("pk", flat=True)) == {revoked_lately.pk, expired_lately.pk, accepted.pk}
    accepted.refresh_from_db()
    assert (accepted.email, accepted.first_name) == ("", "")
    assert (accepted.accepted_user, accepted.invited_by_id) == (account, accepted.invited_by_id)
    profile.refresh_from_db()
    assert profile.invitation is None
    for gone in (revoked_long_ago, expired_long_ago):
        assert not LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Invitation), object_pk=str(gone.pk)
        ).exists()
    assert "weg@example.org" not in " ".join(LogEntry.objects.values_list("object_repr", flat=True))
    assert "nina" not in audit_text(Invitation, [accepted.pk])
    assert "nieuw@example.org" not in audit_text(Invitation, [accepted.pk])
    assert retention.forget_invitations(now=now) == 0


# --- deactivated accounts ---


def deactivated(*, last_login, **kwargs):
    user = UserFactory(**kwargs)
    User.objects.filter(pk=user.pk).update(is_active=False, last_login=last_login, date_joined=last_login - DAY)
    return User.objects.get(pk=user.pk)


def test_a_deactivated_account_is_anonymised_after_the_period(now):
    cutoff = now - relativedelta(years=2)
    old = deactivated(last_login=cutoff - DAY, roles=["ambassador"], first_name="Olaf", last_name="Oudgediende")
    recent = deactivated(last_login=cutoff + DAY, roles=["ambassador"])
    active = UserFactory(roles=["ambassador"])
    User.objects.filter(pk=active.pk).update(last_login=cutoff - relativedelta(years=1))

    assert retention.anonymise_deactivated_accounts(now=now) == 1

    old.refresh_from_db()
    assert (old.first_name, old.last_name) == ("Verwijderd", f"account #{old.pk}")
    assert old.email == f"verwijderd-{old.pk}@verwijderd.invalid"
    record = ErasureRecord.objects.get(user_id=old.pk)
    assert (record.by, record.reason, record.person_id) == (None, "retention", None)
    recent.refresh_from_db()
    active.refresh_from_db()
    assert recent.first_name != "Verwijderd"
    assert active.first_name != "Verwijderd"
    assert retention.anonymise_deactivated_accounts(now=now) == 0


def session_of(user):
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session.create()
    return session.session_key


def test_the_sessions_of_deactivated_accounts_end_and_each_session_is_read_once(now, monkeypatch):
    due = [deactivated(last_login=now - relativedelta(years=3), roles=["ambassador"]) for _ in range(3)]
    gone = [session_of(user) for user in due]
    kept = session_of(UserFactory(roles=["trainer"]))
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    decoded = []
    real_decode = SessionBase.decode
    monkeypatch.setattr(SessionBase, "decode", lambda self, data: decoded.append(data) or real_decode(self, data))

    assert retention.anonymise_deactivated_accounts(now=now) == 3

    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]
    assert not any(store(session_key=key).exists(key) for key in gone)
    assert len(decoded) == 4  # every live session once, not once per account


def test_a_recent_deactivation_in_the_audit_trail_counts_more_than_an_old_login(now):
    """Staff close an account that nobody used for three years: it is kept the full period from then."""
    user = UserFactory(roles=["trainer"])
    User.objects.filter(pk=user.pk).update(
        last_login=now - relativedelta(years=3), date_joined=now - relativedelta(years=4)
    )
    user.refresh_from_db()
    user.is_active = False
    user.save()  # as the admin form does: the audit trail records the change of is_active

    assert list(retention.deactivated_accounts_due(now=now)) == []
    assert list(retention.deactivated_accounts_due(now=now + relativedelta(years=2, days=1))) == [user]


def test_a_deactivated_trainer_with_runs_still_to_give_is_skipped(now, caplog):
    trainer = deactivated(last_login=now - relativedelta(years=3), roles=["trainer"])
    AssignmentFactory(trainer=trainer, training=TrainingFactory(status="open", meetings=2))

    assert retention.anonymise_deactivated_accounts(now=now) == 0
    assert User.objects.get(pk=trainer.pk).first_name != "Verwijderd"
    assert "not anonymised" in caplog.text


# --- evidence files of lapsed certifications ---


@pytest.fixture
def evidence_storage(monkeypatch, tmp_path):
    storage = PrivateFileSystemStorage(location=tmp_path)
    monkeypatch.setattr(CertificationEvidence._meta.get_field("file"), "storage", storage)
    return storage


def evidence_for(certification, name="diploma-olga.pdf"):
    evidence = CertificationEvidence(
        certification=certification, original_name=name, content_type="application/pdf", size=4
    )
    evidence.file.save("bewijs.pdf", ContentFile(b"%PDF"), save=True)
    return evidence


def test_evidence_files_of_lapsed_certifications_are_deleted_after_the_period(
    now, evidence_storage, django_capture_on_commit_callbacks
):
    today = timezone.localdate(now)
    cutoff = now - timedelta(days=90)
    expired = CertificationFactory(
        status="expired", valid_from=today - relativedelta(years=3), valid_until=timezone.localdate(cutoff) - DAY
    )
    expired_lately = CertificationFactory(
        status="expired", valid_from=today - relativedelta(years=2), valid_until=timezone.localdate(cutoff) + DAY
    )
    revoked = CertificationFactory(status="revoked")
    CertificationEvent.objects.create(certification=revoked, action="revoked", at=cutoff - DAY)
    revoked_lately = CertificationFactory(status="revoked")
    CertificationEvent.objects.create(certification=revoked_lately, action="revoked", at=cutoff + DAY)
    rejected = CertificationFactory(status="rejected", valid_from=None, valid_until=None, reviewed_at=cutoff - DAY)
    valid = CertificationFactory()
    gone = [evidence_for(certification) for certification in (expired, revoked, rejected)]
    kept = [evidence_for(certification) for certification in (expired_lately, revoked_lately, valid)]
    names = [evidence.file.name for evidence in gone]

    with django_capture_on_commit_callbacks(execute=True):  # the files go once the batch commits
        assert retention.delete_lapsed_evidence(now=now) == 3

    for evidence, name in zip(gone, names, strict=True):
        evidence.refresh_from_db()
        assert not evidence_storage.exists(name)
        assert (evidence.file.name, evidence.original_name) == ("", "")
        assert (evidence.size, evidence.content_type) == (4, "application/pdf")  # the figure stays
    for evidence in kept:
        evidence.refresh_from_db()
        assert evidence_storage.exists(evidence.file.name)
        assert evidence.original_name == "diploma-olga.pdf"
    assert "diploma-olga" not in audit_text(CertificationEvidence, [evidence.pk for evidence in gone])
    assert retention.delete_lapsed_evidence(now=now) == 0


def test_a_removed_evidence_file_answers_404_not_500(client, evidence_storage):
    certification = CertificationFactory(status="expired", valid_from=timezone.localdate() - relativedelta(years=3))
    evidence = evidence_for(certification)
    evidence_remove(evidence_ids=[evidence.pk])
    client.force_login(certification.holder)
    assert client.get(reverse("ambassadors:evidence_download", args=[evidence.pk])).status_code == 404
    page = client.get(reverse("ambassadors:certification_detail", args=[certification.pk]))
    assert page.status_code == 200
    assert 'data-testid="evidence-link"' not in page.content.decode()


# --- erasure records, sessions ---


def test_old_erasure_records_lose_who_and_why(now):
    staff = UserFactory(roles=["staff"])
    old = ErasureRecord.objects.create(
        person_id=1, by=staff, reason="Verzoek van Anna", at=now - relativedelta(years=6)
    )
    recent = ErasureRecord.objects.create(person_id=2, by=staff, reason="Verzoek", at=now - relativedelta(years=4))

    assert retention.empty_old_erasure_records(now=now) == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.by, old.reason, old.person_id) == (None, "", 1)
    assert (recent.by, recent.reason) == (staff, "Verzoek")
    assert retention.empty_old_erasure_records(now=now) == 0


def test_expired_sessions_are_deleted(now):
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    live, expired = store(), store()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=now - DAY)

    assert retention.delete_expired_sessions(now=now) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


# --- the run ---


def test_every_run_is_stored_with_its_counts_and_a_failing_rule_does_not_stop_the_others(monkeypatch, now):
    def broken(*, now=None):
        raise RuntimeError("database on fire")

    rules = tuple(
        replace(rule, apply=broken) if rule.key == "caught_mail_deleted" else rule for rule in retention.RULES
    )
    monkeypatch.setattr(retention, "RULES", rules)
    directory_person(added=now - relativedelta(years=4))

    counts = retention.apply_retention(now=now)

    run = RetentionRun.objects.get()
    assert run.failed == ["caught_mail_deleted"]
    assert run.counts == counts
    assert counts["directory_people_anonymised"] == 1
    assert "caught_mail_deleted" not in counts
    assert set(counts) == {rule.key for rule in retention.RULES} - {"caught_mail_deleted"}
    assert run.finished_at is not None


def test_account_erasure_by_the_task_is_the_same_service(now):
    """The retention task and staff use one erasure (account_erase); by nobody is allowed."""
    user = deactivated(last_login=now - relativedelta(years=3), roles=["staff"])
    UserFactory(roles=["staff"])
    record = account_erase(user=user, by=None, reason="retention")
    assert record.user_id == user.pk


def test_after_a_persons_erasure_the_consent_records_lose_the_address_once_the_proof_is_no_longer_needed(now):
    """The erasure keeps the address in the consent records as proof of consent; the former
    subscribers' rule takes it out when the period after the withdrawal has passed."""
    person = PersonFactory(email="Eva@Example.org")
    subscriber = confirmed_subscriber(at=now - relativedelta(years=4), email="eva@example.org")
    person_erase(person=person, by=None, reason="verzoek")
    assert ConsentRecord.objects.filter(subscriber=subscriber, email="eva@example.org").exists()
    assert retention.forget_former_subscribers(now=now) == 0  # the withdrawal is today

    later = now + relativedelta(years=2, days=1)
    assert retention.forget_former_subscribers(now=later) == 1

    assert not ConsentRecord.objects.filter(subscriber=subscriber, email__contains="@").exists()
    assert retention.forget_former_subscribers(now=later) == 0


def test_the_public_retention_page_states_the_new_periods(client, policy):
    policy(retention_directory_years=4)
    policy(retention_former_subscriber_years=3)
    policy(retention_deactivated_account_years=6)
    policy(retention_evidence_days=120)
    policy(retention_invitation_days=45)
    content = client.get(reverse("privacy:retention")).content.decode()
    for testid, text in [
        ("retention-directory", "4 jaar"),
        ("retention-former-subscribers", "3 jaar"),
        ("retention-accounts", "6 jaar"),
        ("retention-evidence", "120 dagen"),
        ("retention-invitations", "45 dagen"),
    ]:
        assert f'data-testid="{testid}">' in content, testid
        cell = content.split(f'data-testid="{testid}">', 1)[1].split("</td>", 1)[0]
        assert text in cell, (testid, cell)


# --- one bad row, two runs at once ---


def failing_for(monkeypatch, name, bad_pk, key):
    """Make retention's `name` (person_erase or account_erase) raise OSError for the row `bad_pk`."""
    real = getattr(retention, name)

    def erase(**kwargs):
        if kwargs[key].pk == bad_pk:
            raise OSError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(retention, name, erase)


def test_a_person_that_fails_is_logged_and_the_next_ones_are_still_anonymised(monkeypatch, now, caplog):
    bad, good = (directory_person(added=now - relativedelta(years=4)) for _ in range(2))
    failing_for(monkeypatch, "person_erase", bad.pk, "person")

    with pytest.raises(retention.RowsFailed) as partly:
        retention.anonymise_directory_people(now=now)

    assert (partly.value.changed, partly.value.failed) == (1, 1)
    assert Person.objects.get(pk=good.pk).first_name == "Verwijderd"
    assert Person.objects.get(pk=bad.pk).first_name != "Verwijderd"
    assert f"retention: person {bad.pk} failed" in caplog.text


def test_an_account_that_fails_is_logged_and_the_run_counts_it(monkeypatch, now, caplog):
    bad, good = (deactivated(last_login=now - relativedelta(years=3), roles=["ambassador"]) for _ in range(2))
    failing_for(monkeypatch, "account_erase", bad.pk, "user")

    counts = retention.apply_retention(now=now)

    run = RetentionRun.objects.get()
    assert counts["deactivated_accounts_anonymised"] == 1
    assert run.rows_failed == {"deactivated_accounts_anonymised": 1}
    assert run.failed == []
    assert User.objects.get(pk=good.pk).first_name == "Verwijderd"
    assert User.objects.get(pk=bad.pk).first_name != "Verwijderd"
    assert f"retention: account {bad.pk} failed" in caplog.text


def test_a_second_run_while_one_is_busy_does_nothing(monkeypatch, now):
    """The second run starts from inside the first (as a task delivered twice would, at the same
    moment): it takes no lock, changes and stores nothing; the first counts each row once."""
    directory_person(added=now - relativedelta(years=4))
    second = []

    def start_a_second_run(*, now):
        if not second:
            second.append("started")
            second.append(retention.apply_retention(now=now))
        return 0

    rules = tuple(
        replace(rule, apply=start_a_second_run) if rule.key == "participants_anonymised" else rule
        for rule in retention.RULES
    )
    monkeypatch.setattr(retention, "RULES", rules)

    counts = retention.apply_retention(now=now)

    assert second == ["started", None]
    assert counts["directory_people_anonymised"] == 1
    assert RetentionRun.objects.get().counts["directory_people_anonymised"] == 1
    # The lock is gone with the first run: the next night runs again.
    monkeypatch.setattr(retention, "RULES", rules[1:])
    assert retention.apply_retention(now=now)["directory_people_anonymised"] == 0
    assert RetentionRun.objects.count() == 2
