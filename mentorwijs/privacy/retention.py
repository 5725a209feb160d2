"""Retention: how long each kind of personal data is kept.

Each rule (RULES) applies one period (a value of mentorwijs.policy that staff change on the page
"Periods and limits", keys retention_*), counted from a moment the data
itself holds, and returns how many rows it changed. Every rule is idempotent: a second run at the
same moment changes nothing. The nightly task privacy.apply_retention runs them all, each in its
own transaction, and stores the counts (RetentionRun) for the processing register's page;
/privacy/bewaartermijnen/ states the periods to the public.

A rule also says which fields it acts on (`fields`: emptied, replaced or deleted), which it leaves
on rows that no longer name anyone (`keeps`: figures), and which models it makes anonymous
(`anonymises`: a relation pointing at them is covered). tests/privacy/test_register.py fails when a
personal field of the processing register has no rule.

Where a rule changes another app's rows it calls that app's service (dissemination.services.
retention, trainings.services.privacy, ambassadors.services.erasure, mentorwijs.accounts.services,
mentorwijs.outbox.personal_data); the audit trail, this app's concern, is cleaned here. Choosing who
is due (participants_due, directory_people_due) reads across the apps; it writes nothing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import uuid4

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Ambassador, CertificationEvidence
from ambassadors.services.erasure import evidence_remove, lapsed_evidence
from dissemination.enums import SubscriberStatus
from dissemination.models import EventGuest, OutreachContact, Person, Subscriber
from dissemination.services.retention import (
    event_notes_clear,
    former_subscribers,
    outreach_notes_clear,
    subscribers_forget,
    unconfirmed_subscribers_delete,
)
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.services import invitations_forget, live_sessions_by_user
from mentorwijs.outbox.personal_data import caught_mail_delete
from mentorwijs.policy.queries import policy_value
from mentorwijs.policy.registry import POLICIES_BY_KEY
from mentorwijs.privacy.models import ErasureRecord, RetentionRun
from mentorwijs.privacy.services.account_erasure import account_erase
from mentorwijs.privacy.services.erasure import audit_clean, person_erase, redact_audit_log
from trainings.models import Enrolment
from trainings.services.privacy import run_details_clear

logger = logging.getLogger(__name__)

RETENTION_REASON = "retention"
BATCH_SIZE = 1000
# Runs of the task are kept this long for the register's figures (they hold numbers only).
RUNS_KEPT = relativedelta(years=2)


# --- people: participants and people known only from the directory ---


def _not_needed_since(people, cutoff):
    """`people` without anything that still needs them: no outreach contact or event since the
    cut-off, no newsletter subscription still running (pending or confirmed, linked to them or with
    their address: erasing them would withdraw a consent that is still given; a subscription that
    ended follows its own rule), no active account with their address, no earlier erasure. Every
    condition is an EXISTS subquery, not a join: with joins PostgreSQL misjudged the rows left and
    the national-scale data took minutes (docs/performance.md)."""
    day = timezone.localdate(cutoff)
    active_accounts = User.objects.filter(is_active=True).alias(email_lower=Lower("email"))
    running = Subscriber.objects.filter(status__in=[SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED])
    return (
        people.exclude(Exists(OutreachContact.objects.filter(person=OuterRef("pk"), date__gte=day)))
        .exclude(Exists(EventGuest.objects.filter(person=OuterRef("pk"), event__date__gte=day)))
        .exclude(Exists(running.filter(person=OuterRef("pk"))))
        .exclude(
            ~Q(email="")
            & Q(Exists(running.alias(email_lower=Lower("email")).filter(email_lower=Lower(OuterRef("email")))))
        )
        .exclude(~Q(email="") & Q(Exists(active_accounts.filter(email_lower=Lower(OuterRef("email"))))))
        .exclude(Exists(ErasureRecord.objects.filter(person_id=OuterRef("pk"))))
        .order_by("pk")
    )


def participants_due(*, now=None):
    """The persons whose participation is older than the period retention_participant_years and who are not
    needed for anything newer: every run they enrolled in ended (and every enrolment was made)
    before the cut-off, they were no outreach contact or event guest since, no newsletter
    subscription of theirs still runs, they hold no ambassador profile and no account (those follow
    the profile or account), and they were not erased before (_not_needed_since)."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_participant_years"))
    enrolments = Enrolment.objects.filter(person=OuterRef("pk"))
    people = (
        Person.objects.filter(Exists(enrolments))
        .exclude(Exists(enrolments.filter(training__meetings__ends_at__gte=cutoff)))
        .exclude(Exists(enrolments.filter(created_at__gte=cutoff)))
        .exclude(Exists(Ambassador.objects.filter(person=OuterRef("pk"))))
    )
    return _not_needed_since(people, cutoff)


def directory_people_due(*, now=None):
    """Persons known only from the directory (never enrolled) added more than the period retention_directory_years
    ago, with no ambassador profile with an account or made since, and nothing else that still
    needs them (_not_needed_since: no outreach contact or event since, no newsletter subscription
    still running, no active account with their address, not erased before)."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_directory_years"))
    profiles = Ambassador.objects.filter(person=OuterRef("pk")).filter(
        Q(user__isnull=False) | Q(created_at__gte=cutoff)
    )
    people = (
        Person.objects.filter(created_at__lt=cutoff)
        .exclude(Exists(Enrolment.objects.filter(person=OuterRef("pk"))))
        .exclude(Exists(profiles))
    )
    return _not_needed_since(people, cutoff)


class RowsFailed(Exception):
    """A rule that goes row by row did every row it could, but some raised an error (each logged
    with its id): apply_retention stores both numbers."""

    def __init__(self, *, changed: int, failed: int):
        super().__init__(f"{failed} rows failed, {changed} changed")
        self.changed, self.failed = changed, failed


def _one_by_one(rows, erase: Callable, kind: str) -> int:
    """Call `erase(row)` for every row (each erasure is its own transaction). A refusal
    (ValidationError: still needed) is logged and skipped; any other error is logged with the row's
    id and the next row follows, so one bad row cannot stop the rule every night at the same place.
    Returns how many were erased; raises RowsFailed at the end when any row failed."""
    changed = failed = 0
    for row in rows.iterator():
        try:
            erase(row)
        except ValidationError as error:
            logger.warning("retention: %s %s not anonymised: %s", kind, row.pk, error)
            continue
        except Exception:
            logger.exception("retention: %s %s failed", kind, row.pk)
            failed += 1
            continue
        changed += 1
    if failed:
        raise RowsFailed(changed=changed, failed=failed)
    return changed


def _erase_people(people) -> int:
    """person_erase (by nobody, reason "retention") per person (see _one_by_one)."""
    return _one_by_one(people, lambda person: person_erase(person=person, by=None, reason=RETENTION_REASON), "person")


def anonymise_former_participants(*, now=None) -> int:
    """Anonymise every person `participants_due` finds through privacy.services.erasure.person_erase:
    names replaced, contact details and free text emptied, the research key renewed, enrolments,
    attendance and certificates kept for the figures, an ErasureRecord written."""
    return _erase_people(participants_due(now=now))


def anonymise_directory_people(*, now=None) -> int:
    """Anonymise every person `directory_people_due` finds, the same way (person_erase). The row
    stays, so contact counts per organisation and the event guest lists keep their numbers."""
    return _erase_people(directory_people_due(now=now))


# --- participants' details ---


@transaction.atomic
def clear_run_details(*, now=None) -> int:
    """Empty the dietary wishes and the reasons for absence of runs whose last meeting ended more
    than the period retention_run_details_days ago (trainings.services.privacy.run_details_clear),
    also in the audit trail. Enrolment, attendance and certificate stay. Returns the number of
    enrolments and attendance rows emptied."""
    now = now or timezone.now()
    count, redactions = run_details_clear(before=now - timedelta(days=policy_value("retention_run_details_days")))
    audit_clean(redactions)
    return count


# --- newsletter subscribers ---


@transaction.atomic
def delete_unconfirmed_subscribers(*, now=None) -> int:
    """Delete subscribers still PENDING the period retention_unconfirmed_subscriber_days after they signed up
    and after their last confirmation request (dissemination.services.retention.
    unconfirmed_subscribers_delete: one with consent records is left alone, those are proof). Their
    list memberships and their audit-trail entries go with them. Returns the number deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=policy_value("retention_unconfirmed_subscriber_days"))
    # The audit trail would keep the address in the history of a row that is gone: drop that
    # history, and do not log the deletion itself (this function is the record of it).
    with disable_auditlog():
        ids, deleted = unconfirmed_subscribers_delete(before=cutoff)
    _delete_audit_entries(Subscriber, ids)
    return deleted


def forget_former_subscribers(*, now=None) -> int:
    """Forget the address of subscribers who unsubscribed, bounced or complained more than
    the period retention_former_subscriber_years ago (and of whom nothing happened since): the proof of consent
    and of withdrawal was kept that long; then the address leaves the subscriber, its consent records
    and its bounce details (dissemination.services.retention.subscribers_forget), and the audit
    trail. In batches, each its own transaction. Returns the number of subscribers forgotten."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_former_subscriber_years"))
    ids = list(former_subscribers(before=cutoff).order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(ids), BATCH_SIZE):
        with transaction.atomic():
            forgotten = subscribers_forget(subscriber_ids=ids[start : start + BATCH_SIZE], before=cutoff)
            redact_audit_log(Subscriber, forgotten, ["email", "name", "first_name", "organisation_name"])
        count += len(forgotten)
    return count


# --- outreach and events ---


@transaction.atomic
def clear_outreach_notes(*, now=None) -> int:
    """Empty the notes of outreach contacts dated more than the period retention_outreach_notes_years ago. The
    contact itself (who, when, organisation, channel, stage) stays for the dissemination figures.
    Returns the number of contacts whose notes were emptied."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - relativedelta(years=policy_value("retention_outreach_notes_years"))
    return outreach_notes_clear(before_day=cutoff)


def clear_event_notes(*, now=None) -> int:
    """Empty the outcomes and follow-up notes of events held more than the period retention_outreach_notes_years
    ago (the same period as the notes of outreach contacts); event and guests stay. Returns the number
    of events changed."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - relativedelta(years=policy_value("retention_outreach_notes_years"))
    return event_notes_clear(before_day=cutoff)


# --- accounts and invitations ---


def forget_invitations(*, now=None) -> int:
    """Invitations the period retention_invitation_days after they lapsed or were used: a revoked or expired one
    is deleted with its audit entries; an accepted one loses the address and first name (the account
    holds them), in its audit entries too, and keeps who invited whom. Returns the rows changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=policy_value("retention_invitation_days"))
    with transaction.atomic(), disable_auditlog():
        deleted, emptied = invitations_forget(before=cutoff)
        _delete_audit_entries(Invitation, deleted)
        redact_audit_log(Invitation, emptied, ["email", "first_name"])
    return len(deleted) + len(emptied)


def deactivated_accounts_due(*, now=None):
    """Accounts deactivated, and not used, for the period retention_deactivated_account_years: inactive, with no
    login, no joining and no deactivation recorded in the audit trail since the cut-off (the trail
    has it when staff deactivated the account through a form; without it, the last login counts),
    not erased before."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_deactivated_account_years"))
    deactivated_since = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=Cast(OuterRef("pk"), CharField()),
        changes__is_active__1="False",
        timestamp__gte=cutoff,
    )
    return (
        User.objects.filter(is_active=False, date_joined__lt=cutoff)
        .exclude(last_login__gte=cutoff)
        .exclude(Exists(deactivated_since))
        .exclude(pk__in=ErasureRecord.objects.filter(user_id__isnull=False).values("user_id"))
        .order_by("pk")
    )


def anonymise_deactivated_accounts(*, now=None) -> int:
    """Anonymise every account `deactivated_accounts_due` finds through
    privacy.services.account_erasure.account_erase (by nobody, reason "retention"): names, address,
    second factors, sessions, notes and evidence files go; the teaching history and the lineage stay
    as figures. An account the erasure refuses (runs still to give) is logged and skipped; one that
    fails otherwise is logged and counted (_one_by_one). The live sessions are decoded once for all
    of them (an inactive account cannot log in meanwhile), not once per account."""
    due = deactivated_accounts_due(now=now)
    sessions = live_sessions_by_user() if due.exists() else {}
    return _one_by_one(
        due, lambda user: account_erase(user=user, by=None, reason=RETENTION_REASON, sessions=sessions), "account"
    )


def delete_lapsed_evidence(*, now=None) -> int:
    """Delete the evidence files of certifications that expired, were rejected or were revoked more
    than the period retention_evidence_days ago (ambassadors.services.erasure.evidence_remove); the row stays
    without file and file name (type, size and upload time remain as a figure), also in the audit
    trail. Returns the number of files deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=policy_value("retention_evidence_days"))
    ids = list(lapsed_evidence(before=cutoff).order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            count += evidence_remove(evidence_ids=batch)
            redact_audit_log(CertificationEvidence, batch, ["original_name", "file"])
    return count


@transaction.atomic
def delete_expired_sessions(*, now=None) -> int:
    """Delete sessions past their expiry from the database (Django leaves them until `clearsessions`;
    cached copies expire by themselves). Returns the number deleted."""
    now = now or timezone.now()
    _total, per_model = Session.objects.filter(expire_date__lt=now).delete()
    return per_model.get(Session._meta.label, 0)


# --- mail and accountability ---


@transaction.atomic
def delete_caught_mail(*, now=None) -> int:
    """Delete caught mail (the embedded default's outbox) older than the period retention_caught_mail_days.
    Returns the number deleted."""
    now = now or timezone.now()
    return caught_mail_delete(before=now - timedelta(days=policy_value("retention_caught_mail_days")))


@transaction.atomic
def delete_old_audit_entries(*, now=None) -> int:
    """Delete audit-trail entries older than the period retention_audit_log_years. Returns the number deleted."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_audit_log_years"))
    _total, per_model = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return per_model.get(LogEntry._meta.label, 0)


@transaction.atomic
def empty_old_erasure_records(*, now=None) -> int:
    """Erasure records older than the period retention_audit_log_years (the audit trail's period) lose who
    erased and why; that an erasure took place, when, of which id and the counts stay, so an erased
    person is never found due again. Returns the records changed."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=policy_value("retention_audit_log_years"))
    return ErasureRecord.objects.filter(at__lt=cutoff).exclude(reason="", by=None).update(reason="", by=None)


def _delete_audit_entries(model, pks) -> int:
    if not pks:
        return 0
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_pk__in=[str(pk) for pk in pks]
    )
    return entries.delete()[0]


# --- the rules ---


@dataclass(frozen=True)
class Rule:
    """One retention rule: its period (a key of mentorwijs.policy.registry), from when it counts,
    what it does, and which fields it covers (see the module docstring)."""

    key: str
    label: str
    policy: str | None  # None: the data carries its own end (a session's expiry)
    unit: str  # "years" or "days"
    counted_from: str
    action: str
    apply: Callable[..., int]
    fields: tuple[str, ...] = ()
    keeps: tuple[str, ...] = ()
    anonymises: tuple[str, ...] = ()
    covers: frozenset = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self):
        object.__setattr__(self, "covers", frozenset(self.fields) | frozenset(self.keeps))

    @property
    def default(self) -> int | None:
        return POLICIES_BY_KEY[self.policy].default if self.policy else None

    def covers_field(self, dotted: str, related_model: str | None = None) -> bool:
        """Does this rule decide what becomes of the field "app.Model.field" (pointing at
        `related_model`, for a relation)?"""
        return dotted in self.covers or (related_model is not None and related_model in self.anonymises)


PERSON_FIELDS = (
    "dissemination.Person.first_name",
    "dissemination.Person.last_name",
    "dissemination.Person.email",
    "dissemination.Person.phone",
    "dissemination.Person.function",
    "dissemination.Person.research_key",
    "trainings.Enrolment.dietary_wishes",
    "trainings.Enrolment.late_reason",
    "trainings.Attendance.absence_reason",
    "trainings.Certificate.revocation_reason",
    "trainings.Evaluation.remarks",
    "dissemination.OutreachContact.notes",
    "dissemination.Subscriber.email",
    "dissemination.Subscriber.name",
    "dissemination.Subscriber.first_name",
    "dissemination.Subscriber.organisation_name",
    "dissemination.Subscriber.lists",
    "dissemination.MailEvent.detail",
    "ambassadors.Ambassador.offers",
    "ambassadors.Ambassador.public_listing",
)
PERSON_KEEPS = (
    "dissemination.Person.organisation",
    "dissemination.EventGuest.invited",
    "dissemination.EventGuest.attended",
    "dissemination.EventGuest.rsvp",
    "dissemination.EventGuest.rsvp_at",
    "dissemination.EventMail.guest",
    "trainings.Enrolment.status",
    "trainings.Enrolment.source",
    "trainings.Enrolment.privacy_version",
    "trainings.Enrolment.consented_at",
    "trainings.Enrolment.language",
    "trainings.Attendance.present",
    "trainings.Certificate.code",
)

RULES = (
    Rule(
        key="participants_anonymised",
        label=_("Participants anonymised"),
        policy="retention_participant_years",
        unit="years",
        counted_from=_("the end of the last meeting of their last run"),
        action=_(
            "Names replaced, address, phone, function and free text emptied, the research pseudonym renewed; "
            "enrolments, attendance, certificates and scores stay as figures."
        ),
        apply=anonymise_former_participants,
        fields=PERSON_FIELDS,
        keeps=PERSON_KEEPS,
        anonymises=("dissemination.Person", "trainings.Enrolment"),
    ),
    Rule(
        key="directory_people_anonymised",
        label=_("People known only from the directory anonymised"),
        policy="retention_directory_years",
        unit="years",
        counted_from=_("the last outreach contact or event with them (or their addition to the directory)"),
        action=_("Anonymised as a participant is; contact counts per organisation and guest lists keep their numbers."),
        apply=anonymise_directory_people,
        fields=PERSON_FIELDS,
        keeps=PERSON_KEEPS,
        anonymises=("dissemination.Person",),
    ),
    Rule(
        key="run_details_cleared",
        label=_("Dietary wishes and reasons for absence emptied"),
        policy="retention_run_details_days",
        unit="days",
        counted_from=_("the end of the run's last meeting"),
        action=_("Emptied, also in the audit trail; enrolment and attendance stay."),
        apply=clear_run_details,
        fields=("trainings.Enrolment.dietary_wishes", "trainings.Attendance.absence_reason"),
    ),
    Rule(
        key="unconfirmed_subscribers_deleted",
        label=_("Unconfirmed newsletter sign-ups deleted"),
        policy="retention_unconfirmed_subscriber_days",
        unit="days",
        counted_from=_("the sign-up or the last confirmation request"),
        action=_("Deleted with their audit entries."),
        apply=delete_unconfirmed_subscribers,
        fields=(
            "dissemination.Subscriber.email",
            "dissemination.Subscriber.name",
            "dissemination.Subscriber.first_name",
            "dissemination.Subscriber.organisation_name",
            "dissemination.Subscriber.person",
            "dissemination.Subscriber.lists",
        ),
    ),
    Rule(
        key="former_subscribers_forgotten",
        label=_("Addresses of former subscribers forgotten"),
        policy="retention_former_subscriber_years",
        unit="years",
        counted_from=_("unsubscribing, the last bounce or complaint, or the last consent record"),
        action=_(
            "The proof of consent and withdrawal has been kept this long; then the address leaves the subscriber, "
            "its consent records and bounce details (a placeholder instead), name and organisation are emptied."
        ),
        apply=forget_former_subscribers,
        fields=(
            "dissemination.Subscriber.email",
            "dissemination.Subscriber.name",
            "dissemination.Subscriber.first_name",
            "dissemination.Subscriber.organisation_name",
            "dissemination.Subscriber.lists",
            "dissemination.ConsentRecord.email",
            "dissemination.ConsentRecord.proof",
            "dissemination.MailEvent.detail",
        ),
        anonymises=("dissemination.Subscriber",),
    ),
    Rule(
        key="outreach_notes_cleared",
        label=_("Notes of outreach contacts emptied"),
        policy="retention_outreach_notes_years",
        unit="years",
        counted_from=_("the date of the contact"),
        action=_("Notes emptied; the contact stays as a number in the dissemination figures."),
        apply=clear_outreach_notes,
        fields=("dissemination.OutreachContact.notes",),
        keeps=("dissemination.OutreachContact.follow_up_on", "dissemination.OutreachContact.follow_up_done"),
    ),
    Rule(
        key="event_notes_cleared",
        label=_("Outcomes and follow-up notes of events emptied"),
        policy="retention_outreach_notes_years",
        unit="years",
        counted_from=_("the date of the event"),
        action=_("Outcomes and follow-up notes emptied; the event and its guests stay."),
        apply=clear_event_notes,
        fields=("dissemination.Event.outcomes", "dissemination.Event.follow_up"),
        keeps=("dissemination.Event.follow_up_on", "dissemination.Event.follow_up_done"),
    ),
    Rule(
        key="invitations_forgotten",
        label=_("Invitations deleted or emptied"),
        policy="retention_invitation_days",
        unit="days",
        counted_from=_("acceptance, revocation or expiry"),
        action=_(
            "Unused ones (revoked or expired) are deleted; accepted ones lose address and first name, the account "
            "holds them. Who invited whom stays."
        ),
        apply=forget_invitations,
        fields=("accounts.Invitation.email", "accounts.Invitation.first_name"),
        keeps=("accounts.Invitation.invited_by", "accounts.Invitation.accepted_user"),
        anonymises=("accounts.Invitation",),
    ),
    Rule(
        key="deactivated_accounts_anonymised",
        label=_("Deactivated accounts anonymised"),
        policy="retention_deactivated_account_years",
        unit="years",
        counted_from=_("the deactivation (or the last login)"),
        action=_(
            "Names and address replaced, second factors and sessions deleted, notes and evidence files removed; "
            "runs given, certifications and the lineage stay as anonymous figures."
        ),
        apply=anonymise_deactivated_accounts,
        fields=(
            "accounts.User.first_name",
            "accounts.User.last_name",
            "accounts.User.email",
            "accounts.User.groups",
            "account.EmailAddress.email",
            "sessions.Session.session_data",
            "accounts.Invitation.email",
            "accounts.Invitation.first_name",
            "ambassadors.Ambassador.offers",
            "ambassadors.Ambassador.public_listing",
            "ambassadors.AssignmentOffer.note",
            "ambassadors.AssignmentOffer.decision_note",
            "ambassadors.Certification.request_note",
            "ambassadors.Certification.review_note",
            "ambassadors.CertificationEvent.note",
            "ambassadors.CertificationEvidence.original_name",
            "ambassadors.CertificationEvidence.file",
            "ambassadors.FidelityReview.notes",
        ),
        keeps=("accounts.User.language", "ambassadors.Ambassador.organisation", "ambassadors.Ambassador.region"),
        anonymises=("accounts.User",),
    ),
    Rule(
        key="evidence_files_deleted",
        label=_("Evidence files of lapsed certifications deleted"),
        policy="retention_evidence_days",
        unit="days",
        counted_from=_("the expiry, rejection or revocation of the certification"),
        action=_("The file and its name go; the row stays as a figure (type, size, upload date)."),
        apply=delete_lapsed_evidence,
        fields=("ambassadors.CertificationEvidence.file", "ambassadors.CertificationEvidence.original_name"),
    ),
    Rule(
        key="expired_sessions_deleted",
        label=_("Expired sessions deleted"),
        policy=None,
        unit="",
        counted_from=_("the session's own expiry"),
        action=_("Deleted from the database."),
        apply=delete_expired_sessions,
        fields=("sessions.Session.session_data",),
    ),
    Rule(
        key="caught_mail_deleted",
        label=_("Caught mail deleted"),
        policy="retention_caught_mail_days",
        unit="days",
        counted_from=_("the moment it was caught"),
        action=_("Deleted."),
        apply=delete_caught_mail,
        fields=("outbox.CaughtMail.from_email", "outbox.CaughtMail.recipients", "outbox.CaughtMail.raw"),
    ),
    Rule(
        key="audit_entries_deleted",
        label=_("Audit-trail entries deleted"),
        policy="retention_audit_log_years",
        unit="years",
        counted_from=_("the change"),
        action=_("Deleted."),
        apply=delete_old_audit_entries,
        fields=(
            "auditlog.LogEntry.actor",
            "auditlog.LogEntry.actor_email",
            "auditlog.LogEntry.remote_addr",
            "auditlog.LogEntry.object_repr",
            "auditlog.LogEntry.changes",
        ),
    ),
    Rule(
        key="erasure_records_emptied",
        label=_("Erasure records emptied"),
        policy="retention_audit_log_years",
        unit="years",
        counted_from=_("the erasure"),
        action=_("Who erased and why are emptied; that the erasure took place (id, time, counts) stays."),
        apply=empty_old_erasure_records,
        fields=("privacy.ErasureRecord.by", "privacy.ErasureRecord.reason"),
        keeps=("privacy.ErasureRecord.person_id", "privacy.ErasureRecord.user_id"),
    ),
)
RULES_BY_KEY = {rule.key: rule for rule in RULES}


# One run at a time (beat and a manual run, or a task delivered twice): the run holds this key in
# the shared cache. The timeout is far longer than a run takes; a run killed midway frees it then.
LOCK_KEY = "privacy:retention-running"
LOCK_SECONDS = 6 * 3600


def apply_retention(*, now=None) -> dict[str, int] | None:
    """Apply every retention rule (each in its own transactions) and return how many rows each
    changed. A rule that fails is logged and named in the run's `failed`; the others still run. A
    rule that failed on some rows only (RowsFailed) keeps its count, and the rows that failed go in
    the run's `rows_failed`. Stores the run (RetentionRun) and drops runs older than RUNS_KEPT.
    Idempotent: a second run afterwards returns zeros. While a run holds the lock (LOCK_KEY in the
    shared cache), another does nothing, stores nothing and returns None: two runs at once would
    count the same rows twice in the register's figures."""
    token = uuid4().hex
    if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
        logger.warning("retention: another run is still busy; this one does nothing")
        return None
    try:
        return _apply_rules(now=now or timezone.now())
    finally:
        if cache.get(LOCK_KEY) == token:  # not a later run's lock, should this one have outlived its own
            cache.delete(LOCK_KEY)


def _apply_rules(*, now) -> dict[str, int]:
    run = RetentionRun.objects.create(started_at=timezone.now())
    counts, failed, rows_failed = {}, [], {}
    for rule in RULES:
        try:
            counts[rule.key] = rule.apply(now=now)
        except RowsFailed as partly:
            counts[rule.key], rows_failed[rule.key] = partly.changed, partly.failed
        except Exception:
            logger.exception("retention rule %s failed", rule.key)
            failed.append(rule.key)
    run.counts, run.failed, run.rows_failed, run.finished_at = counts, failed, rows_failed, timezone.now()
    run.save(update_fields=["counts", "failed", "rows_failed", "finished_at"])
    RetentionRun.objects.filter(started_at__lt=now - RUNS_KEPT).delete()
    logger.info("retention applied", extra={"counts": counts, "failed": failed, "rows_failed": rows_failed})
    return counts
