"""Erasing an account holder (a trainer, ambassador, master trainer or staff member; AVG art. 17).

The account is anonymised in place, so a trainer's teaching history (runs given, supervisors
trained), the renewal counts, the fidelity scores and the train-the-trainer lineage stay as
figures, attached to "Verwijderd account #<id>":
- accounts (mentorwijs.accounts.services.user_anonymise): names and address replaced, no password,
  inactive, no roles or superuser flag; email addresses, second factors (TOTP, passkeys, recovery
  codes) and sessions deleted; invitations to the address lose address and first name.
- ambassadors (ambassadors.services.erasure.holder_forget): notes with certification requests,
  reviews and steps, offers and their decisions, fidelity notes about their runs emptied; evidence
  files deleted; the profile's offers and public listing gone; pending certification mails cancelled.
- trainings: pending reminders to them cancelled, send errors emptied.
- Mail caught by the embedded outbox for the old address is deleted.
- Audit trail: their own entries and those of their invitations, profile, certifications, steps
  and evidence lose the erased values and the object's name; their name leaves the attendance
  changes of refresher meetings; the entries of changes they made keep
  pointing at the anonymised account, without the address and
  client address auditlog kept.
- A person record with the same address (a trainer who once took part) is not touched: it has its
  own privacy page and erasure.

Refused, with the reason: erasing oneself; the account of a superuser, a staff member or a master
trainer by someone who is not a superuser (as only superusers change passwords and roles in the
admin); the last active staff account; an account with runs that have not ended (assign another
trainer first).

An erasure by someone (not the retention task) mails a notice to the account's own address after
commit (accounts.services.account_erased_notice_queue): whoever holds it learns of it, also of an
erasure they did not ask for.

Each app does its own part (mentorwijs.personal_data; the order is
services.parts.ACCOUNT_ERASURE_ORDER): ambassadors.services.privacy, trainings.services.privacy,
mentorwijs.accounts.personal_data, mentorwijs.outbox.personal_data. This module locks the account,
checks the refusals (its own and the parts'), asks every part and cleans the audit trail, all in one
transaction.
"""

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.accounts.services import account_erased_notice_queue, user_is_anonymised
from mentorwijs.personal_data import AccountErasure

from ..models import ErasureRecord
from .erasure import audit_clean
from .parts import ACCOUNT_ERASURE_ORDER, erased
from .parts import refusals as part_refusals


def account_erasure_refusals(*, user: User, by: User | None) -> list[ValidationError]:
    """Why `by` may not erase `user` now (empty when they may). `by` is None for the retention task."""
    refusals = []
    if by is not None and by.pk == user.pk:
        refusals.append(ValidationError(_("You cannot erase your own account."), code="self"))
    if by is not None and not by.is_superuser and user.managed_by_superusers_only:
        refusals.append(
            ValidationError(
                _("Only a superuser can erase the account of a staff member, a master trainer or a superuser."),
                code="superuser",
            )
        )
    if (
        user.is_active
        and user.has_role(Role.STAFF)
        and not User.objects.filter(is_active=True, groups__name=Role.STAFF).exclude(pk=user.pk).exists()
    ):
        refusals.append(
            ValidationError(
                _("This is the last active staff account. Invite another staff member first."), code="last_staff"
            )
        )
    refusals.extend(part_refusals("account_refusals", user))  # e.g. runs still to give (ambassadors)
    return refusals


def account_erased_record(user: User) -> ErasureRecord | None:
    """The latest erasure record of an account that is still anonymous, else None."""
    if not user_is_anonymised(user):
        return None
    return ErasureRecord.objects.filter(user_id=user.pk).first()


@transaction.atomic
def account_erase(
    *, user: User, by: User | None, reason: str, sessions: dict[str, list[str]] | None = None
) -> ErasureRecord:
    """Anonymise the account (see the module docstring) in one transaction and store an
    ErasureRecord (who, when, why, counts; never the name). Raises ValidationError with every
    reason it is refused. Idempotent: an account still anonymous returns its latest record and
    nothing changes. `by` is None for the retention task, which also passes `sessions`
    (accounts.services.live_sessions_by_user, read once for all the accounts it erases)."""
    if user.has_role(Role.STAFF):
        # Two staff erasing each other's accounts at once must not leave nobody: lock every staff row.
        list(User.objects.select_for_update().filter(groups__name=Role.STAFF).order_by("pk").values_list("pk"))
    user = User.objects.select_for_update().get(pk=user.pk)
    record = account_erased_record(user)
    if record is not None:
        return record
    refusals = account_erasure_refusals(user=user, by=by)
    if refusals:
        raise ValidationError(refusals)

    if by is not None:
        account_erased_notice_queue(user=user)  # to the address it still has, sent after commit
    result = erased(
        "account_erase", ACCOUNT_ERASURE_ORDER, AccountErasure(user=user, email=user.email, sessions=sessions)
    )
    summary = {**result.counts, "audit_entries": audit_clean(result.audit)}
    # Changes they made: auditlog copied their address (and client address) into each entry.
    summary["audit_entries_as_actor"] = (
        LogEntry.objects.filter(actor=user)
        .filter(Q(actor_email__isnull=False) | Q(remote_addr__isnull=False) | Q(remote_port__isnull=False))
        .update(actor_email=None, remote_addr=None, remote_port=None)
    )
    return ErasureRecord.objects.create(user_id=user.pk, by=by, reason=reason, summary=summary)
