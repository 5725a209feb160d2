"""The completion rule per variant (staff): a list of the variants and an edit form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView

from mentorwijs.http import RoleOnlyPermissionMixin

from ..forms import add_service_errors
from ..forms.completion import CompletionRuleForm
from ..queries import settings_pages as queries
from ..services.completion import completion_rule_set


class CompletionRuleListView(RoleOnlyPermissionMixin, TemplateView):
    permission_required = "trainings.manage_settings"
    template_name = "trainings/completion_rules.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rules=queries.completion_rules(), **kwargs)


class CompletionRuleUpdateView(RoleOnlyPermissionMixin, FormView):
    permission_required = "trainings.manage_settings"
    template_name = "trainings/completion_rule_form.html"
    form_class = CompletionRuleForm

    @cached_property
    def rule(self) -> dict:
        # Looked up after the permission check (dispatch), so a role without it gets 403, not 404.
        for rule in queries.completion_rules():
            if rule["variant"] == self.kwargs["variant"]:
                return rule
        raise Http404

    def get_initial(self):
        return {"meetings_required": self.rule["meetings_required"]}

    def get_context_data(self, **kwargs):
        return super().get_context_data(rule=self.rule, **kwargs)

    def form_valid(self, form):
        try:
            completion_rule_set(variant=self.rule["variant"], meetings_required=form.cleaned_data["meetings_required"])
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        count = form.cleaned_data["meetings_required"]
        messages.success(
            self.request,
            ngettext(
                "%(variant)s: %(count)s meeting needed to complete.",
                "%(variant)s: %(count)s meetings needed to complete.",
                count,
            )
            % {"variant": self.rule["label"], "count": count},
        )
        return redirect("trainings:completion_rules")
