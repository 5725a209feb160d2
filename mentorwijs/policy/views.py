"""The page "Periods and limits" (staff): every value per group, and an edit form per value."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors
from mentorwijs.http import form_data

from .forms import PolicyValueForm
from .queries import policy_value, policy_values
from .registry import GROUPS, POLICIES, POLICIES_BY_KEY, RETENTION
from .services import policy_value_set
from .templatetags.policy import unit_text

PERMISSION = "policy.manage_policy"


@permission_required(PERMISSION, raise_exception=True)
@require_safe
def policy_list_view(request):
    values = policy_values()
    groups = [
        {
            "key": group,
            "label": label,
            "rows": [
                {
                    "policy": policy,
                    "value": unit_text(values[policy.key], policy.unit),
                    "default": unit_text(policy.default, policy.unit) if values[policy.key] != policy.default else "",
                }
                for policy in POLICIES
                if policy.group == group
            ],
        }
        for group, label in GROUPS.items()
    ]
    return render(request, "policy/policy_list.html", {"groups": groups})


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def policy_update_view(request, key):
    # Looked up after the permission check, so a role without it gets 403, not 404.
    try:
        policy = POLICIES_BY_KEY[key]
    except KeyError:
        raise Http404 from None
    form = PolicyValueForm(**form_data(request), initial={"value": policy_value(policy.key)}, policy=policy)
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["value"]
        try:
            policy_value_set(key=policy.key, value=value, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(label)s: %(value)s.") % {"label": policy.label, "value": unit_text(value, policy.unit)}
            )
            return redirect("policy:list")
    context = {
        "form": form,
        "policy": policy,
        "group_label": GROUPS[policy.group],
        "is_retention": policy.group == RETENTION,
        "default": unit_text(policy.default, policy.unit),
    }
    return render(request, "policy/policy_form.html", context)
