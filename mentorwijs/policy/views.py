"""The page "Periods and limits" (staff): every value per group, and an edit form per value."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.forms import add_service_errors

from .forms import PolicyValueForm
from .queries import policy_value, policy_values
from .registry import GROUPS, POLICIES, POLICIES_BY_KEY, RETENTION
from .services import policy_value_set
from .templatetags.policy import unit_text


class PolicyListView(PermissionRequiredMixin, TemplateView):
    permission_required = "policy.manage_policy"
    template_name = "policy/policy_list.html"

    def get_context_data(self, **kwargs):
        values = policy_values()
        groups = [
            {
                "key": group,
                "label": label,
                "rows": [
                    {
                        "policy": policy,
                        "value": unit_text(values[policy.key], policy.unit),
                        "default": unit_text(policy.default, policy.unit)
                        if values[policy.key] != policy.default
                        else "",
                    }
                    for policy in POLICIES
                    if policy.group == group
                ],
            }
            for group, label in GROUPS.items()
        ]
        return super().get_context_data(groups=groups, **kwargs)


class PolicyUpdateView(PermissionRequiredMixin, FormView):
    permission_required = "policy.manage_policy"
    template_name = "policy/policy_form.html"
    form_class = PolicyValueForm

    @cached_property
    def policy(self):
        # Looked up after the permission check (dispatch), so a role without it gets 403, not 404.
        try:
            return POLICIES_BY_KEY[self.kwargs["key"]]
        except KeyError:
            raise Http404 from None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "policy": self.policy}

    def get_initial(self):
        return {"value": policy_value(self.policy.key)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            policy=self.policy,
            group_label=GROUPS[self.policy.group],
            is_retention=self.policy.group == RETENTION,
            default=unit_text(self.policy.default, self.policy.unit),
            **kwargs,
        )

    def form_valid(self, form):
        value = form.cleaned_data["value"]
        try:
            policy_value_set(key=self.policy.key, value=value, by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(label)s: %(value)s.") % {"label": self.policy.label, "value": unit_text(value, self.policy.unit)},
        )
        return redirect("policy:list")
