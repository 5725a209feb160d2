"""Retention: how long each kind of personal data is kept. Each rule is one function that applies a
period from settings (RETENTION_*) and returns how many rows it changed; every rule is idempotent,
so running it twice changes nothing the second time. The nightly task privacy.apply_retention runs
them all; /privacy/bewaartermijnen/ states the same periods.

The periods count from a moment the data itself holds:
- participants: the end of the last meeting of their last run (or the enrolment, for a run that
  never had a meeting);
- dietary wishes and reasons for absence: the end of the last meeting of that run (or the enrolment);
- unconfirmed subscribers: the sign-up or the last confirmation request, whichever is later;
- outreach notes: the date of the contact;
- caught mail: the moment it was caught;
- the audit trail: the moment of the change.
"""

import logging
from datetime import timedelta

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dissemination.enums import SubscriberStatus
from dissemination.models import OutreachContact, Person, Subscriber
from mentorwijs.accounts.models import User
from mentorwijs.outbox.models import CaughtMail
from mentorwijs.privacy.models import ErasureRecord
from mentorwijs.privacy.services.erasure import person_erase, redact_audit_log
from trainings.models import Attendance, Enrolment

logger = logging.getLogger(__name__)

RETENTION_REASON = "retention"
BATCH_SIZE = 1000


def participants_due(*, now=None):
    """The persons whose participation is older than RETENTION_PARTICIPANT_YEARS and who are not
    needed for anything newer: every run they enrolled in ended (and every enrolment was made)
    before the cut-off, they were no outreach contact or event guest since, they hold no ambassador
    profile and no account (those follow the profile or account), and they were not erased before."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=settings.RETENTION_PARTICIPANT_YEARS)
    account_emails = User.objects.filter(is_active=True).values("email")
    return (
        Person.objects.filter(enrolments__isnull=False)
        .exclude(enrolments__training__meetings__ends_at__gte=cutoff)
        .exclude(enrolments__created_at__gte=cutoff)
        .exclude(outreach_contacts__date__gte=cutoff.date())
        .exclude(event_guests__event__date__gte=cutoff.date())
        .exclude(ambassador__isnull=False)
        .exclude(Q(email__in=account_emails) & ~Q(email=""))
        .exclude(pk__in=ErasureRecord.objects.values("person_id"))
        .distinct()
        .order_by("pk")
    )


def anonymise_former_participants(*, now=None) -> int:
    """Anonymise every person `participants_due` finds, one person per transaction, through
    privacy.services.erasure.person_erase (by nobody, reason "retention"): names replaced,
    contact details and free text emptied, enrolments, attendance and certificates kept for the
    figures, and an ErasureRecord written. A person the erasure refuses is logged and skipped.
    Returns the number of persons anonymised."""
    count = 0
    for person in participants_due(now=now).iterator():
        try:
            person_erase(person=person, by=None, reason=RETENTION_REASON)
        except ValidationError as error:
            logger.warning("retention: person %s not anonymised: %s", person.pk, error)
            continue
        count += 1
    return count


@transaction.atomic
def clear_run_details(*, now=None) -> int:
    """Empty the dietary wishes and the reasons for absence of runs whose last meeting ended more
    than RETENTION_RUN_DETAILS_DAYS ago (both may tell something about health, and the run no longer
    needs them), also in the audit trail. Enrolment, attendance and certificate stay. Returns the
    number of enrolments and attendance rows emptied."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_RUN_DETAILS_DAYS)
    ended = Enrolment.objects.exclude(training__meetings__ends_at__gte=cutoff).exclude(created_at__gte=cutoff)
    due = (
        (Enrolment, "dietary_wishes", ended),
        # A catch-up in a later run keeps its reason until that meeting is as old.
        (Attendance, "absence_reason", Attendance.objects.filter(enrolment__in=ended, meeting__ends_at__lt=cutoff)),
    )
    count = 0
    for model, field, rows in due:
        ids = list(rows.exclude(**{field: ""}).values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH_SIZE):  # a bounded IN (...) list, also on SQLite
            batch = ids[start : start + BATCH_SIZE]
            model.objects.filter(pk__in=batch).update(**{field: ""})
            # The rows keep their names until the participant is anonymised; only the values go.
            redact_audit_log(model, batch, [field], name=False)
        count += len(ids)
    return count


@transaction.atomic
def delete_unconfirmed_subscribers(*, now=None) -> int:
    """Delete subscribers still PENDING RETENTION_UNCONFIRMED_SUBSCRIBER_DAYS after they signed up
    and after their last confirmation request. A pending subscriber has no consent records (consent
    is recorded on confirmation); one that has any is left alone, since those records are proof
    that must be kept. Their list memberships and their audit-trail entries go with them. Returns
    the number deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_UNCONFIRMED_SUBSCRIBER_DAYS)
    due = (
        Subscriber.objects.filter(status=SubscriberStatus.PENDING, created_at__lt=cutoff)
        .exclude(confirmation_sent_at__gte=cutoff)
        .exclude(consents__isnull=False)
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return 0
    # The audit trail would keep the address in the history of a row that is gone: drop that
    # history, and do not log the deletion itself (this function is the record of it).
    with disable_auditlog():
        _total, per_model = Subscriber.objects.filter(pk__in=ids).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Subscriber), object_pk__in=[str(pk) for pk in ids]
    ).delete()
    return per_model.get(Subscriber._meta.label, 0)


@transaction.atomic
def clear_outreach_notes(*, now=None) -> int:
    """Empty the notes of outreach contacts dated more than RETENTION_OUTREACH_NOTES_YEARS ago. The
    contact itself (who, when, organisation, channel, stage) stays for the dissemination figures.
    Returns the number of contacts whose notes were emptied."""
    now = now or timezone.now()
    cutoff = timezone.localdate(now) - relativedelta(years=settings.RETENTION_OUTREACH_NOTES_YEARS)
    return OutreachContact.objects.filter(date__lt=cutoff).exclude(notes="").update(notes="")


@transaction.atomic
def delete_caught_mail(*, now=None) -> int:
    """Delete caught mail (the embedded default's outbox) older than RETENTION_CAUGHT_MAIL_DAYS.
    Returns the number deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_CAUGHT_MAIL_DAYS)
    _total, per_model = CaughtMail.objects.filter(caught_at__lt=cutoff).delete()
    return per_model.get(CaughtMail._meta.label, 0)


@transaction.atomic
def delete_old_audit_entries(*, now=None) -> int:
    """Delete audit-trail entries older than RETENTION_AUDIT_LOG_YEARS. Returns the number deleted."""
    now = now or timezone.now()
    cutoff = now - relativedelta(years=settings.RETENTION_AUDIT_LOG_YEARS)
    _total, per_model = LogEntry.objects.filter(timestamp__lt=cutoff).delete()
    return per_model.get(LogEntry._meta.label, 0)


RULES = {
    "participants_anonymised": anonymise_former_participants,
    "run_details_cleared": clear_run_details,
    "unconfirmed_subscribers_deleted": delete_unconfirmed_subscribers,
    "outreach_notes_cleared": clear_outreach_notes,
    "caught_mail_deleted": delete_caught_mail,
    "audit_entries_deleted": delete_old_audit_entries,
}


def apply_retention(*, now=None) -> dict[str, int]:
    """Apply every retention rule (each in its own transaction) and return how many rows each
    changed. Idempotent: a second run at the same moment returns zeros."""
    now = now or timezone.now()
    counts = {name: rule(now=now) for name, rule in RULES.items()}
    logger.info("retention applied", extra={"counts": counts})
    return counts
