"""Erasing a person (AVG art. 17): anonymise them in place, so figures and trainers' history stay.

What goes and what stays (docs/security.md, "A person's data: export and erasure"):
- Person: names become "Verwijderd" / "persoon #<pk>"; email, phone and function are emptied. The
  organisation stays, so counts per organisation (dashboard, goals, progress) do not change. The
  research key is replaced: the research export's pseudonym of their evaluations changes, and
  nothing kept (not the person id, not the erasure record) gives the old one back; their
  before/after questionnaires still share the new one.
- Enrolments, attendance, certificates and evaluation scores stay (run figures, completion counts,
  "supervisors trained" per trainer, evaluation averages). Free text is cleared: dietary wishes,
  reasons for absence, evaluation remarks and a certificate's revocation reason (that and when it
  was revoked stays). The personal link (enrolment token) is replaced, so links in old mails open
  nothing; pending service mails to the person are cancelled and send errors (which may quote the
  address) emptied.
- Outreach contacts where they were the contact person: the contact stays (organisation, date,
  channel, stage count in the figures) and keeps pointing at the anonymised person, but its notes
  are cleared: notes of a conversation with someone describe that someone, and free text cannot be
  anonymised reliably. Notes of other contacts are left alone (they are about the organisation).
- An ambassador profile of the person (without an account) loses its offers and public listing.
- Newsletter subscribers with their address (or linked to them), through
  dissemination.services.retention.subscribers_forget_person: the address becomes a unique
  placeholder that is not an address, name and organisation are emptied, every list is left (a
  withdrawal consent record per list, source "staff", carrying the placeholder) and the status is
  unsubscribed; deliveries stay (a campaign's reach), their error texts and bounce details are
  cleared. Earlier consent records keep the address as proof of consent for as long as the
  retention rule for former subscribers allows (privacy.retention), counted from this withdrawal.
- Mail caught by the embedded outbox for the address is deleted.
- django-auditlog entries about the rows changed here (person, subscribers, enrolments, attendance,
  evaluations, contacts, certificates, profile) lose the old and new values of the erased fields
  and the object's name.
- A user account with the same address is not touched: it has its own erasure
  (privacy.services.account_erasure).
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from ambassadors.models import Ambassador
from ambassadors.services.erasure import profile_forget
from dissemination.models import OutreachContact, Person, Subscriber, new_research_key
from dissemination.services.retention import subscribers_forget_person
from mentorwijs.accounts.services import ERASED_FIRST_NAME
from mentorwijs.outbox.models import CaughtMail
from trainings.enums import EnrolmentStatus
from trainings.models import Attendance, Certificate, Enrolment, Evaluation, new_token
from trainings.queries.scheduling import runs_not_ended
from trainings.services.certificates import certificates_forget_reasons
from trainings.services.messages import messages_forget_recipient

from ..models import ErasureRecord

REDACTED = "[verwijderd]"
AUDIT_BATCH = 500

# Enrolments that still take part in a run (cancelled and dropped out ones no longer do).
TAKING_PART = [
    EnrolmentStatus.REGISTERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.COMPLETED,
]


def erased_last_name(person: Person) -> str:
    return f"persoon #{person.pk}"


def is_erased(person: Person) -> bool:
    """True when the person row still carries exactly what an erasure left."""
    return (
        person.first_name == ERASED_FIRST_NAME
        and person.last_name == erased_last_name(person)
        and not (person.email or person.phone or person.function)
    )


def enrolments_in_unfinished_runs(person: Person):
    """The person's enrolments that still take part in a run that has not ended
    (trainings.queries.runs_not_ended)."""
    return (
        Enrolment.objects.filter(person=person, status__in=TAKING_PART)
        .filter(Exists(runs_not_ended().filter(pk=OuterRef("training_id"))))
        .select_related("training")
    )


def redact_audit_log(model, pks, fields: list[str] | None, *, name: bool = True) -> int:
    """Blank the old and new values of `fields` (all fields when None) in the auditlog entries of
    these rows; with `name`, also their object_repr (which names the person). Returns the entries
    changed. Written in batches (bulk_update), so a retention run over thousands of rows stays quick."""
    from auditlog.models import LogEntry

    pks = [str(pk) for pk in pks]
    if not pks:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    changed = 0
    for start in range(0, len(pks), AUDIT_BATCH):
        entries = LogEntry.objects.filter(content_type=content_type, object_pk__in=pks[start : start + AUDIT_BATCH])
        redacted_entries = []
        for entry in entries:
            changes = entry.changes if isinstance(entry.changes, dict) else {}
            redacted = {
                field: [REDACTED, REDACTED]
                if (fields is None or field in fields) and isinstance(values, list) and len(values) == 2
                else values
                for field, values in changes.items()
            }
            if redacted == changes and (not name or entry.object_repr == REDACTED):
                continue
            entry.changes = redacted
            entry.changes_text = ""
            entry.serialized_data = None
            if name:
                entry.object_repr = REDACTED
            redacted_entries.append(entry)
        LogEntry.objects.bulk_update(
            redacted_entries, ["changes", "changes_text", "serialized_data", "object_repr"], batch_size=AUDIT_BATCH
        )
        changed += len(redacted_entries)
    return changed


def redact_m2m_names(model, field: str, names) -> int:
    """Replace these names (the str() of the rows auditlog stored) by REDACTED in the many-to-many
    changes of `field` in every auditlog entry of `model` (a same name of someone else goes too: more
    is blanked, never less). Returns the entries changed."""
    from auditlog.models import LogEntry

    names = {name for name in names if name}
    if not names:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    redacted_entries = []
    for entry in LogEntry.objects.filter(content_type=content_type).iterator(chunk_size=AUDIT_BATCH):
        change = entry.changes.get(field) if isinstance(entry.changes, dict) else None
        if not isinstance(change, dict) or not names & set(change.get("objects") or []):
            continue
        change["objects"] = [REDACTED if name in names else name for name in change["objects"]]
        entry.changes_text = ""
        entry.serialized_data = None
        redacted_entries.append(entry)
    fields = ["changes", "changes_text", "serialized_data"]
    LogEntry.objects.bulk_update(redacted_entries, fields, batch_size=AUDIT_BATCH)
    return len(redacted_entries)


def delete_caught_mail_to(email: str) -> int:
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

    # Subscribers first, while the address is still known (dissemination's service).
    subscriber_ids = subscribers_forget_person(person=person, email=email)
    summary["subscribers"] = len(subscriber_ids)
    summary["caught_mail"] = delete_caught_mail_to(email) if email else 0

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
    summary["certificates"] = certificates_forget_reasons(enrolment_ids=enrolment_ids)
    summary["messages_cancelled"] = messages_forget_recipient(enrolment_ids=enrolment_ids)
    contact_ids = list(OutreachContact.objects.filter(person=person).values_list("pk", flat=True))
    summary["outreach_contacts"] = OutreachContact.objects.filter(pk__in=contact_ids).exclude(notes="").update(notes="")

    profile = Ambassador.objects.filter(person=person).first()
    summary["ambassador_profile"] = int(profile_forget(profile=profile)) if profile else 0

    person.first_name = ERASED_FIRST_NAME
    person.last_name = erased_last_name(person)
    person.email = ""
    person.phone = ""
    person.function = ""
    # A new research key: the research export's pseudonym for their evaluations changes, and nothing
    # kept can give the old one back (before/after pairs still share the new one).
    person.research_key = new_research_key()
    person.save(update_fields=["first_name", "last_name", "email", "phone", "function", "research_key"])

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
        + redact_audit_log(
            Certificate,
            Certificate.objects.filter(enrolment_id__in=enrolment_ids).values_list("pk", flat=True),
            ["revocation_reason"],
        )
        + redact_audit_log(Ambassador, [profile.pk] if profile else [], ["offers"])
    )
    return ErasureRecord.objects.create(person_id=person.pk, by=by, reason=reason, summary=summary)
