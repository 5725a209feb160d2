"""The form of the page "Periods and limits" (staff)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .registry import Policy
from .templatetags.policy import unit_text


class PolicyValueForm(forms.Form):
    """One value; the key is in the page's address. The range check is the service's (its refusal
    goes next to the field), so the field takes any whole number."""

    value = forms.IntegerField(label=_("Value"))

    def __init__(self, *args, policy: Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].label = policy.label
        self.fields["value"].help_text = f"{policy.help_text} {unit_range(policy)}"


def unit_range(policy: Policy) -> str:
    return _("From %(minimum)s to %(maximum)s.") % {
        "minimum": unit_text(policy.minimum, policy.unit),
        "maximum": unit_text(policy.maximum, policy.unit),
    }
