"""Erasing a person (AVG art. 17): anonymise them in place, so figures and trainers' history stay.

What goes and what stays (docs: /tmp/docs/A_person.md, later docs/privacy.md):
- Person: names become "Verwijderd" / "persoon #<pk>"; email, phone and function are emptied. The
  organisation stays, so counts per organisation (dashboard, goals, progress) do not change.
- Enrolments, attendance, certificates and evaluation scores stay (run figures, completion counts,
  "supervisors trained" per trainer, evaluation averages). Free text is cleared: dietary wishes,
  reasons for absence and evaluation remarks. The personal link (enrolment token) is replaced, so
  links in old mails open nothing; pending service mails to the person are cancelled.
- Outreach contacts where they were the contact person: the contact stays (organisation, date,
  channel, stage count in the figures) and keeps pointing at the anonymised person, but its notes
  are cleared: notes of a conversation with someone describe that someone, and free text cannot be
  anonymised reliably. Notes of other contacts are left alone (they are about the organisation).
- Newsletter subscribers with their address (or linked to them): the address becomes a unique
  placeholder that is not an address, name and organisation are emptied, every list is left (a
  withdrawal consent record per list, source "staff", carrying the placeholder) and the status is
  unsubscribed; deliveries stay (a campaign's reach), their error texts and bounce details are
  cleared. Earlier consent records stay untouched: they are append-only proof of consent and
  still hold the address as it was when the consent was given.
- Mail caught by the embedded outbox for the address is deleted.
- django-auditlog entries about the rows changed here lose the old values of the erased fields.
- A user account with the same address is not touched: it is a staff member's or trainer's own
  account (with certifications and runs given), closed through the accounts pages, not here.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.enums import ConsentSource, SubscriberStatus
from dissemination.models import Delivery, MailEvent, OutreachContact, Person, Subscriber
from dissemination.services.subscriptions import subscriber_unsubscribe
from mentorwijs.outbox.models import CaughtMail
from trainings.enums import EnrolmentStatus, MeetingStatus, MessageStatus, TrainingStatus
from trainings.models import Attendance, Enrolment, Evaluation, Meeting, ScheduledMessage, new_token

from ..models import ErasureRecord

ERASED_FIRST_NAME = "Verwijderd"
REDACTED = "[verwijderd]"

# Enrolments that still take part in a run (cancelled and dropped out ones no longer do).
TAKING_PART = [
    EnrolmentStatus.REGISTERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.COMPLETED,
]


def erased_last_name(person: Person) -> str:
    return f"persoon #{person.pk}"


def erased_subscriber_email(subscriber: Subscriber) -> str:
    """Unique (the subscriber's id) and not an address (no @), so nothing can ever be mailed to it."""
    return f"verwijderd-{subscriber.pk}"


def is_erased(person: Person) -> bool:
    """True when the person row still carries exactly what an erasure left."""
    return (
        person.first_name == ERASED_FIRST_NAME
        and person.last_name == erased_last_name(person)
        and not (person.email or person.phone or person.function)
    )


def enrolments_in_unfinished_runs(person: Person):
    """The person's enrolments that still take part in a run that has not ended: a run not
    completed or cancelled, with no scheduled meetings yet or one that ends after now."""
    now = timezone.now()
    scheduled = Meeting.objects.filter(training=OuterRef("training_id")).exclude(status=MeetingStatus.CANCELLED)
    return (
        Enrolment.objects.filter(person=person, status__in=TAKING_PART)
        .exclude(training__status__in=[TrainingStatus.COMPLETED, TrainingStatus.CANCELLED])
        .filter(Q(Exists(scheduled.filter(ends_at__gt=now))) | ~Q(Exists(scheduled)))
        .select_related("training")
    )


def redact_audit_log(model, pks, fields: list[str] | None, *, name: bool = True) -> int:
    """Blank the old and new values of `fields` (all fields when None) in the auditlog entries of
    these rows; with `name`, also their object_repr (which names the person). Returns the entries
    changed."""
    from auditlog.models import LogEntry

    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_pk__in=pks)
    changed = 0
    for entry in entries:
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        redacted = {
            field: [REDACTED, REDACTED]
            if (fields is None or field in fields) and isinstance(values, list) and len(values) == 2
            else values
            for field, values in changes.items()
        }
        if not name and redacted == changes:
            continue
        entry.changes = redacted
        entry.changes_text = ""
        entry.serialized_data = None
        if name:
            entry.object_repr = REDACTED
        entry.save(update_fields=["changes", "changes_text", "serialized_data", "object_repr"])
        changed += 1
    return changed


def _delete_caught_mail(email: str) -> int:
    """Delete outbox mail addressed to `email` (compared without case, as one recipient of a list)."""
    address = email.lower()
    ids = [
        mail.pk
        for mail in CaughtMail.objects.filter(recipients__icontains=address).only("pk", "recipients")
        if address in {part.strip().lower() for part in re.split(r"[,;]", mail.recipients)}
    ]
    CaughtMail.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def person_erase(*, person: Person, by, reason: str) -> ErasureRecord:
    """Anonymise `person` in one transaction (see the module docstring for what goes and what
    stays) and store an ErasureRecord (who, when, why; never the name). Raises ValidationError
    when the person still takes part in a run that has not ended. Idempotent: a person who is
    still erased returns their latest record and nothing changes. `by` is None for the
    retention task."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if is_erased(person):
        record = ErasureRecord.objects.filter(person_id=person.pk).first()
        if record is not None:
            return record
    unfinished = list(enrolments_in_unfinished_runs(person))
    if unfinished:
        raise ValidationError(
            _(
                "This person takes part in a training run that has not ended yet (%(runs)s). "
                "Erase them after the run, or cancel the enrolment first."
            )
            % {"runs": ", ".join(enrolment.training.title for enrolment in unfinished)},
            code="running_enrolment",
        )
    email = person.email
    summary = {}

    # Subscribers first, while the address is still known.
    match = Q(person=person)
    if email:
        match |= Q(email__iexact=email)
    subscribers = list(Subscriber.objects.select_for_update().filter(match))
    for subscriber in subscribers:
        subscriber.email = erased_subscriber_email(subscriber)
        subscriber.name = ""
        subscriber.organisation_name = ""
        # An open confirmation request must not be mailed (by the task or the sweep) any more.
        subscriber.confirmation_request = None
        subscriber.save(update_fields=["email", "name", "organisation_name", "confirmation_request"])
        # Withdraws consent for every list it still had (new records, with the placeholder address).
        subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.STAFF)
        Subscriber.objects.filter(pk=subscriber.pk).exclude(status=SubscriberStatus.UNSUBSCRIBED).update(
            status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
    subscriber_ids = [subscriber.pk for subscriber in subscribers]
    summary["subscribers"] = len(subscriber_ids)
    summary["deliveries"] = (
        Delivery.objects.filter(subscriber_id__in=subscriber_ids).exclude(last_error="").update(last_error="")
    )
    MailEvent.objects.filter(subscriber_id__in=subscriber_ids).exclude(detail="").update(detail="")
    summary["caught_mail"] = _delete_caught_mail(email) if email else 0

    enrolment_ids = list(Enrolment.objects.filter(person=person).values_list("pk", flat=True))
    for enrolment_id in enrolment_ids:
        # One token each (unique); the old personal links open nothing any more.
        Enrolment.objects.filter(pk=enrolment_id).update(dietary_wishes="", token=new_token())
    summary["enrolments"] = len(enrolment_ids)
    summary["attendances"] = (
        Attendance.objects.filter(enrolment_id__in=enrolment_ids).exclude(absence_reason="").update(absence_reason="")
    )
    summary["evaluations"] = (
        Evaluation.objects.filter(enrolment_id__in=enrolment_ids).exclude(remarks="").update(remarks="")
    )
    summary["messages_cancelled"] = ScheduledMessage.objects.filter(
        enrolment_id__in=enrolment_ids, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED)
    contact_ids = list(OutreachContact.objects.filter(person=person).values_list("pk", flat=True))
    summary["outreach_contacts"] = OutreachContact.objects.filter(pk__in=contact_ids).exclude(notes="").update(notes="")

    person.first_name = ERASED_FIRST_NAME
    person.last_name = erased_last_name(person)
    person.email = ""
    person.phone = ""
    person.function = ""
    person.save(update_fields=["first_name", "last_name", "email", "phone", "function"])

    # Last, so the entries this erasure itself produced are redacted too.
    summary["audit_entries"] = (
        redact_audit_log(Person, [person.pk], None)
        + redact_audit_log(Subscriber, subscriber_ids, ["email", "name", "organisation_name"])
        + redact_audit_log(Enrolment, enrolment_ids, ["dietary_wishes", "token"])
        + redact_audit_log(
            Attendance,
            Attendance.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True),
            ["absence_reason"],
        )
        + redact_audit_log(
            Evaluation,
            Evaluation.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True),
            ["remarks"],
        )
        + redact_audit_log(OutreachContact, contact_ids, ["notes"])
    )
    return ErasureRecord.objects.create(person_id=person.pk, by=by, reason=reason, summary=summary)
