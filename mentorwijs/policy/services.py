"""Changing a period or limit (staff, on the page "Periods and limits")."""

from contextlib import contextmanager

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

from .models import PolicyValue
from .registry import POLICIES_BY_KEY


@transaction.atomic
def policy_value_set(*, key: str, value: int, by) -> PolicyValue:
    """Set `key` to `value` as `by`. Refused (ValidationError on "value") outside the key's range.

    Side effects: the row and its audit entry, with `by` as the actor. The services read the value
    at their next use: a shorter retention period deletes or anonymises at the next nightly run of
    the retention task; a new validity or offer time counts for certifications approved and places
    offered from then on; a lower soft-bounce limit stops an address at its next soft bounce."""
    policy = POLICIES_BY_KEY.get(key)
    if policy is None:
        raise ValidationError({"key": _("Unknown period or limit.")})
    if not policy.minimum <= value <= policy.maximum:
        raise ValidationError(
            {
                "value": _("Choose a number from %(minimum)s to %(maximum)s.")
                % {"minimum": policy.minimum, "maximum": policy.maximum}
            }
        )
    with _audit_actor(by):
        row = PolicyValue.objects.select_for_update().filter(key=key).first()
        if row is None:
            return PolicyValue.objects.create(key=key, value=value)
        if row.value != value:
            row.value = value
            row.save(update_fields=["value"])
        return row


@contextmanager
def _audit_actor(by):
    """Name `by` as the actor of the audit entries written meanwhile that have none. In a request the
    audit middleware has set the actor (and the address) already and this changes nothing; outside
    one (a command, a task) it names who changed the value. Not auditlog's set_actor: nested in the
    middleware's, it would not give the request's context back."""

    def name_actor(sender, instance, **kwargs):
        if by is not None and instance.actor_id is None:
            instance.actor, instance.actor_email = by, by.email

    uid = f"policy-actor-{id(name_actor)}"
    pre_save.connect(name_actor, sender=LogEntry, dispatch_uid=uid, weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=LogEntry, dispatch_uid=uid)
