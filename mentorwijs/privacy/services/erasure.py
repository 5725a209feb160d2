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

Each app does its own part (mentorwijs.personal_data, registered in its AppConfig.ready; the order
is services.parts.PERSON_ERASURE_ORDER): dissemination.services.privacy (relations: the person row,
person_anonymise; outreach: the contacts' notes; newsletters: the subscribers),
trainings.services.privacy, ambassadors.services.privacy and mentorwijs.outbox.personal_data. This
module locks the person row first, asks every part, and cleans the audit trail of what they changed,
all in one transaction.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from dissemination.models import Person
from dissemination.services.privacy import person_is_anonymised
from mentorwijs.personal_data import AuditNames, PersonErasure

from ..models import ErasureRecord
from .parts import PERSON_ERASURE_ORDER, erased, refusals

REDACTED = "[verwijderd]"
AUDIT_BATCH = 500


def is_erased(person: Person) -> bool:
    """True when the person row still carries exactly what an erasure left."""
    return person_is_anonymised(person)


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


def audit_clean(audit) -> int:
    """Clean the audit trail of what the parts of an erasure changed (their Erased.audit). Returns the
    entries changed."""
    return sum(
        redact_m2m_names(item.model, item.field, item.names)
        if isinstance(item, AuditNames)
        else redact_audit_log(item.model, item.pks, item.fields, name=item.name)
        for item in audit
    )


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
    refused = refusals("person_refusals", person)
    if refused:
        raise refused[0] if len(refused) == 1 else ValidationError(refused)
    result = erased("person_erase", PERSON_ERASURE_ORDER, PersonErasure(person=person, email=person.email))
    # Last, so the entries this erasure itself produced are redacted too.
    summary = {**result.counts, "audit_entries": audit_clean(result.audit)}
    return ErasureRecord.objects.create(person_id=person.pk, by=by, reason=reason, summary=summary)
