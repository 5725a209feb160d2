"""The outbox's part of an erasure (mentorwijs.personal_data, registered in OutboxConfig.ready): mail the
embedded default caught for the address is deleted. Also the retention of caught mail."""

import re

from django.db import transaction

from mentorwijs.personal_data import Erased, PersonalData

from .models import CaughtMail


def caught_mail_delete_to(email: str) -> int:
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
def caught_mail_delete(*, before) -> int:
    """Delete mail caught before `before`. Returns the number deleted."""
    _total, per_model = CaughtMail.objects.filter(caught_at__lt=before).delete()
    return per_model.get(CaughtMail._meta.label, 0)


def person_erase(erasure) -> Erased:
    return Erased(counts={"caught_mail": caught_mail_delete_to(erasure.email) if erasure.email else 0})


def account_erase(erasure) -> Erased:
    return Erased(counts={"caught_mail": caught_mail_delete_to(erasure.email)})


PART = PersonalData(key="outbox", person_erase=person_erase, account_erase=account_erase)
