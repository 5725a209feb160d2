"""Reading the periods and limits (mentorwijs.policy.registry): a key without a row has its default."""

from .models import PolicyValue
from .registry import DEFAULTS, POLICIES_BY_KEY


def policy_value(key: str) -> int:
    """The current value of `key` (one query). An unknown key is a programming error (KeyError)."""
    default = POLICIES_BY_KEY[key].default
    found = PolicyValue.objects.filter(key=key).values_list("value", flat=True).first()
    return found or default


def policy_values() -> dict[str, int]:
    """Every key with its current value (one query): for a page that shows several."""
    return DEFAULTS | dict(PolicyValue.objects.filter(key__in=DEFAULTS).values_list("key", "value"))
