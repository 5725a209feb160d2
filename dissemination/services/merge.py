"""Merging two organisations or two persons into one.

Every relation that points at the record that goes is found through the model's meta-data
(`_meta.get_fields(include_hidden=True)`, the reverse side of every ForeignKey, OneToOneField and
ManyToManyField), so relations that other apps add (enrolments, hosted training runs, outreach
contacts, ...) move as well without this app importing them.

A moved row could break a unique rule of its own table, e.g. one live enrolment per person and run:
when both records hold such a row the merge is refused as a whole. Rows of automatically created
many-to-many tables carry nothing but the link, so a double link is simply dropped. Some rows can be
combined instead (COMBINERS): two guest rows of one event become one, invited or present if either was.

A person's rows that carry mail (enrolments) go, with the merge, to the address of the person who
stays: when that address is another one, it is an address change of those rows, handled as
person_save handles one (relations.person_address_changed: a notice to the old address, new
personal links to the new one)."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from ..models import EventGuest, Organisation, Person
from .relations import fill_empty_fields, person_address_changed, same_address

logger = logging.getLogger(__name__)

SAME_RECORD = _("A record cannot be merged with itself.")


@dataclass(frozen=True)
class Move:
    """The rows of one relation that point at a record."""

    model: type[models.Model]
    field_name: str  # the field on `model` that points at the record
    count: int

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name_plural)


def _combine_event_guests(*, keep, remove) -> int:
    """Both persons are guests of one event: keep's row takes invited OR, attended OR of the two and
    the latest answer to the invitation (rsvp), remove's row is deleted with its event mails
    (event_guest_once allows one row per person and event). Returns how many rows were combined.
    Runs inside the merge's transaction, rows locked."""
    kept = {guest.event_id: guest for guest in EventGuest.objects.select_for_update().filter(person=keep)}
    duplicates = list(EventGuest.objects.select_for_update().filter(person=remove, event_id__in=list(kept)))
    if not duplicates:
        return 0
    combined = []
    for duplicate in duplicates:
        guest = kept[duplicate.event_id]
        guest.invited = guest.invited or duplicate.invited
        guest.attended = guest.attended or duplicate.attended
        if duplicate.rsvp_at is not None and (guest.rsvp_at is None or duplicate.rsvp_at > guest.rsvp_at):
            guest.rsvp, guest.rsvp_at = duplicate.rsvp, duplicate.rsvp_at
        combined.append(guest)
    EventGuest.objects.bulk_update(combined, ["invited", "attended", "rsvp", "rsvp_at"])
    EventGuest.objects.filter(pk__in=[duplicate.pk for duplicate in duplicates]).delete()
    return len(duplicates)


# Relations whose clashing rows are combined onto the record that stays instead of refusing the merge:
# (model, field name) -> combine(keep=..., remove=...), run in the merge's transaction before rows move.
COMBINERS = {(EventGuest, "person"): _combine_event_guests}


def _reverse_relations(model):
    """The ForeignKey / OneToOneField fields of other models (also automatically created many-to-many
    tables, and relations hidden with related_name="+") that point at `model`."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            yield relation.related_model, relation.field.name


def _unique_sets(model, field_name):
    """The unique rules of `model` that include `field_name`: (field names, condition or None)."""
    field = model._meta.get_field(field_name)
    if field.unique:
        yield (field_name,), None
    for together in model._meta.unique_together:
        if field_name in together:
            yield tuple(together), None
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and field_name in constraint.fields:
            yield tuple(constraint.fields), constraint.condition


def _column_names(model, names):
    return [model._meta.get_field(name).attname for name in names]


def _clashing_rows(model, field_name, keep, remove) -> list:
    """Rows of `remove` that would break a unique rule of `model` once they point at `keep`."""
    clashing = []
    for names, condition in _unique_sets(model, field_name):
        others = _column_names(model, [name for name in names if name != field_name])
        rows = model._base_manager.filter(condition) if condition is not None else model._base_manager.all()
        keep_rows = rows.filter(**{field_name: keep})
        if not others:
            if keep_rows.exists():
                clashing.extend(rows.filter(**{field_name: remove}))
            continue
        taken = {values for values in keep_rows.values_list(*others) if None not in values}
        for row in rows.filter(**{field_name: remove}):
            values = tuple(getattr(row, name) for name in others)
            if None not in values and values in taken:
                clashing.append(row)
    return clashing


def merge_moves(*, remove) -> list[Move]:
    """What would move from `remove` to the record that stays, relation by relation (none empty)."""
    moves = []
    for model, field_name in _reverse_relations(type(remove)):
        count = model._base_manager.filter(**{field_name: remove}).count()
        if count:
            moves.append(Move(model=model, field_name=field_name, count=count))
    return moves


def merge_conflicts(*, keep, remove) -> list[str]:
    """Why the merge would be refused: one message per table where both records hold a row that may
    exist only once (automatically created many-to-many tables excepted: a double link is dropped)."""
    messages = []
    for model, field_name in _reverse_relations(type(remove)):
        if model._meta.auto_created or (model, field_name) in COMBINERS:
            continue
        clashing = _clashing_rows(model, field_name, keep, remove)
        if clashing:
            messages.append(
                _("Both hold %(things)s that may exist only once: %(rows)s.")
                % {"things": model._meta.verbose_name_plural, "rows": ", ".join(str(row) for row in clashing[:5])}
            )
    return messages


def _fill_empty_fields(keep, remove) -> list[str]:
    """keep's empty fields take remove's values: the rule person_find_or_add follows too."""
    fields = [field for field in type(keep)._meta.concrete_fields if not field.primary_key]
    return fill_empty_fields(keep, {field.name: getattr(remove, field.attname) for field in fields})


def _merge(*, keep, remove, by, before_move=None) -> list[Move]:
    model = type(keep)
    if keep.pk == remove.pk:
        raise ValidationError(SAME_RECORD, code="same_record")
    # Lock both rows, the lower id first, so two merges at the same moment run one after the other.
    locked = {
        obj.pk: obj
        for obj in model._base_manager.select_for_update().filter(pk__in=[keep.pk, remove.pk]).order_by("pk")
    }
    keep, remove = locked[keep.pk], locked[remove.pk]
    conflicts = merge_conflicts(keep=keep, remove=remove)
    if conflicts:
        raise ValidationError(conflicts, code="merge_conflict")
    for related_model, field_name in _reverse_relations(model):
        combine = COMBINERS.get((related_model, field_name))
        if combine is not None:
            combine(keep=keep, remove=remove)
    if before_move is not None:
        before_move(keep=keep, remove=remove)
    moves = merge_moves(remove=remove)
    for move in moves:
        if move.model._meta.auto_created:
            # A plain many-to-many link: drop links keep already has, then move the others.
            for row in _clashing_rows(move.model, move.field_name, keep, remove):
                row.delete()
        move.model._base_manager.filter(**{move.field_name: remove}).update(**{move.field_name: keep})
    filled = _fill_empty_fields(keep, remove)
    removed_pk = remove.pk
    remove.delete()  # first: a unique value taken over from it (KvK number, email) is free only then
    if filled:
        keep.save(update_fields=filled)
    logger.info(
        "merged %s %s into %s by user %s: %s",
        model._meta.model_name,
        removed_pk,
        keep.pk,
        getattr(by, "pk", None),
        ", ".join(f"{move.count} {move.model._meta.label}.{move.field_name}" for move in moves) or "nothing moved",
    )
    return moves


@transaction.atomic
def organisation_merge(*, keep: Organisation, remove: Organisation, by) -> list[Move]:
    """Merge `remove` into `keep`: every row of any app that points at `remove` (its people, hosted
    training runs, outreach contacts, ...) then points at `keep`; keep's empty fields take remove's
    values; `remove` is deleted. All or nothing: a unique clash (see merge_conflicts) raises
    ValidationError and changes nothing. Returns what moved."""
    return _merge(keep=keep, remove=remove, by=by)


@transaction.atomic
def person_merge(*, keep: Person, remove: Person, by) -> list[Move]:
    """Merge `remove` into `keep`: their enrolments, outreach contacts and every other row pointing at
    `remove` move to `keep`; where both are guests of one event the two guest rows become keep's one
    (invited or present if either was); keep's empty fields (email, phone, function, organisation) take
    remove's values; `remove` is deleted. Refused (ValidationError, nothing changed) when both are enrolled
    in the same run, or hold any other row that may exist only once. Returns what moved.

    When keep has another address than remove, the mail of remove's rows goes elsewhere from now on:
    before they move, person_address_changed (by staff) tells the apps that mail remove, so remove's
    address gets the notice and remove's enrolments new personal links, mailed to keep's address."""
    return _merge(keep=keep, remove=remove, by=by, before_move=_mail_moves_to_keep)


def _mail_moves_to_keep(*, keep: Person, remove: Person) -> None:
    # An empty address of keep takes remove's (_fill_empty_fields): then nothing changes.
    if keep.email.strip() and not same_address(remove.email, keep.email):
        person_address_changed(
            person=remove, old_email=remove.email.strip(), new_email=keep.email.strip(), by_themselves=False
        )
