from django import template
from django.utils.translation import ngettext

from ..registry import DAYS, HOURS, YEARS

register = template.Library()


@register.simple_tag
def unit_text(amount: int, unit: str) -> str:
    """ "5 years", "48 hours", "3" (a count): a value with its unit."""
    if unit == YEARS:
        return ngettext("%(count)d year", "%(count)d years", amount) % {"count": amount}
    if unit == DAYS:
        return ngettext("%(count)d day", "%(count)d days", amount) % {"count": amount}
    if unit == HOURS:
        return ngettext("%(count)d hour", "%(count)d hours", amount) % {"count": amount}
    return str(amount)
