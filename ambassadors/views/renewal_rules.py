"""Staff pages of the renewal rules and the refresher meetings with their attendance
(ambassadors.manage_renewal_rules). Every change goes through services/renewal_rules.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors
from mentorwijs.http import filter_page

from ..forms.renewal import RefresherFilter, RefresherMeetingForm, RenewalRuleForm
from ..models import RefresherMeeting, RenewalRule
from ..queries import renewal as queries_renewal
from ..services.renewal_rules import refresher_save, renewal_rule_save, renewal_rule_set_active

PERMISSION = "ambassadors.manage_renewal_rules"
REFRESHER_LIST_PAGE_SIZE = 25


# Renewal rules ------------------------------------------------------------------------------------


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def renewal_rule_list_view(request):
    return render(request, "ambassadors/renewal_rule_list.html", {"rules": queries_renewal.renewal_rule_list()})


def _rule_form(request, rule: RenewalRule):
    form = RenewalRuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        created = rule.pk is None
        try:
            rule = renewal_rule_save(rule=rule, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule added.") if created else _("Rule saved."))
            return redirect("ambassadors:renewal_rule_list")
    return render(
        request, "ambassadors/renewal_rule_form.html", {"form": form, "rule": rule}, status=400 if form.errors else 200
    )


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def renewal_rule_create_view(request):
    return _rule_form(request, RenewalRule())


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def renewal_rule_update_view(request, pk):
    return _rule_form(request, get_object_or_404(RenewalRule, pk=pk))


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def renewal_rule_deactivate_view(request, pk):
    rule = renewal_rule_set_active(rule=get_object_or_404(RenewalRule, pk=pk), active=False)
    messages.success(request, _("The rule “%(rule)s” is no longer in force.") % {"rule": rule})
    return redirect("ambassadors:renewal_rule_list")


@permission_required(PERMISSION, raise_exception=True)
@require_POST
def renewal_rule_activate_view(request, pk):
    rule = renewal_rule_set_active(rule=get_object_or_404(RenewalRule, pk=pk), active=True)
    messages.success(request, _("The rule “%(rule)s” is in force again.") % {"rule": rule})
    return redirect("ambassadors:renewal_rule_list")


# Refresher meetings -------------------------------------------------------------------------------


@permission_required(PERMISSION, raise_exception=True)
@require_GET
def refresher_list_view(request):
    """The refresher meetings, the latest first or sorted by a column, 25 a page."""
    meetings = RefresherFilter(request.GET or None, queryset=queries_renewal.refresher_list(), request=request)
    context = filter_page(request, meetings, REFRESHER_LIST_PAGE_SIZE, name="meetings", count_in_page=True)
    return render(request, "ambassadors/refresher_list.html", context)


def _refresher_form(request, meeting: RefresherMeeting):
    form = RefresherMeetingForm(request.POST or None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = refresher_save(meeting=meeting, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Refresher meeting saved."))
            return redirect("ambassadors:refresher_list")
    return render(
        request,
        "ambassadors/refresher_form.html",
        {"form": form, "meeting": meeting},
        status=400 if form.errors else 200,
    )


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def refresher_create_view(request):
    return _refresher_form(request, RefresherMeeting())


@permission_required(PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def refresher_update_view(request, pk):
    return _refresher_form(request, get_object_or_404(RefresherMeeting, pk=pk))
