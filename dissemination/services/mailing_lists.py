"""Mailing lists: staff create, describe, show or hide on the sign-up form, archive and restore them.

An archived list is offered nowhere any more (the public sign-up form, the preference page unless the
subscriber still follows it, the choice of lists for a new newsletter), but nothing is deleted: its
subscribers, their consent records and the newsletters sent to it stay as they were, and restoring it
offers it again. The audit trail (mentorwijs/privacy/auditlog.py) records every change."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import MailingList

MAILING_LIST_FIELDS = ("name", "description", "public")
NAME_TAKEN = _("There is already a list with this name.")


@transaction.atomic
def mailing_list_save(*, mailing_list: MailingList, data: dict) -> MailingList:
    """Set `data` (keys from MAILING_LIST_FIELDS) on a new or existing list and save it. Refuses an
    empty name or one another list has (case-insensitive), with a ValidationError by field; nothing
    is saved then. Side effects: one MailingList row inserted or updated (an audit entry)."""
    for field in data:
        if field not in MAILING_LIST_FIELDS:
            raise ValueError(f"not a mailing list field: {field}")
    if mailing_list.pk:
        mailing_list = MailingList.objects.select_for_update().get(pk=mailing_list.pk)
    mailing_list.name = " ".join(str(data.get("name", mailing_list.name)).split())
    mailing_list.description = " ".join(str(data.get("description", mailing_list.description)).split())
    mailing_list.public = bool(data.get("public", mailing_list.public))
    errors: dict[str, list] = {}
    try:
        mailing_list.full_clean(validate_unique=False)
    except ValidationError as error:
        errors.update(error.error_dict)
    taken = MailingList.objects.filter(name__iexact=mailing_list.name).exclude(pk=mailing_list.pk).exists()
    if mailing_list.name and taken:
        errors.setdefault("name", []).append(ValidationError(NAME_TAKEN, code="name_taken"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            mailing_list.save()
    except IntegrityError:  # the same name saved at the same moment
        raise ValidationError({"name": [ValidationError(NAME_TAKEN, code="name_taken")]}) from None
    return mailing_list


@transaction.atomic
def mailing_list_archive(*, mailing_list: MailingList) -> MailingList:
    """Archive the list: archived_at set to now (kept when it was archived already). Its subscribers,
    consent records and newsletters are not touched."""
    mailing_list = MailingList.objects.select_for_update().get(pk=mailing_list.pk)
    if mailing_list.archived_at is None:
        mailing_list.archived_at = timezone.now()
        mailing_list.save(update_fields=["archived_at"])
    return mailing_list


@transaction.atomic
def mailing_list_restore(*, mailing_list: MailingList) -> MailingList:
    """Offer an archived list again: archived_at cleared (nothing else changes)."""
    mailing_list = MailingList.objects.select_for_update().get(pk=mailing_list.pk)
    if mailing_list.archived_at is not None:
        mailing_list.archived_at = None
        mailing_list.save(update_fields=["archived_at"])
    return mailing_list
