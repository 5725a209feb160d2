"""The completion rule per variant (staff): a list of the variants and an edit form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from ..forms import add_service_errors
from ..forms.completion import CompletionRuleForm
from ..queries import settings_pages as queries
from ..services.completion import completion_rule_set


@permission_required("trainings.manage_settings", raise_exception=True)
@require_safe
def completion_rule_list_view(request):
    return render(request, "trainings/completion_rules.html", {"rules": queries.completion_rules()})


@permission_required("trainings.manage_settings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def completion_rule_update_view(request, variant):
    # Looked up after the permission check (the decorator), so a role without it gets 403, not 404.
    rule = next((rule for rule in queries.completion_rules() if rule["variant"] == variant), None)
    if rule is None:
        raise Http404
    form = CompletionRuleForm(
        request.POST if request.method == "POST" else None, initial={"meetings_required": rule["meetings_required"]}
    )
    if request.method == "POST" and form.is_valid():
        count = form.cleaned_data["meetings_required"]
        try:
            completion_rule_set(variant=rule["variant"], meetings_required=count)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(variant)s: %(count)s meeting needed to complete.",
                    "%(variant)s: %(count)s meetings needed to complete.",
                    count,
                )
                % {"variant": rule["label"], "count": count},
            )
            return redirect("trainings:completion_rules")
    return render(request, "trainings/completion_rule_form.html", {"form": form, "rule": rule})
