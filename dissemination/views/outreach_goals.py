"""Goals of the dissemination plan: staff maintain them (dissemination.manage_goals).

The list shows the goals per period; their progress is on the dashboard (mentorwijs/overview),
because counting trainings needs an app that dissemination may not import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors

from ..forms.outreach_goals import GoalForm
from ..models import Goal
from ..queries.outreach_goals import goal_list, goals_by_period
from ..services.goals import goal_delete, goal_save


@permission_required("dissemination.manage_goals", raise_exception=True)
@require_safe
def goal_list_view(request):
    """The goals per period, and whether each period has ended, runs or is still to come."""
    goals = goal_list()
    context = {
        "object_list": goals,
        "goals": goals,
        "periods": goals_by_period(goals),
        "today": timezone.localdate(),
    }
    return render(request, "dissemination/goals/goal_list.html", context)


def _goal_form(request, goal: Goal):
    form = GoalForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            goal_save(goal=goal, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Goal saved."))
            return redirect("dissemination:goal_list")
    return render(request, "dissemination/goals/goal_form.html", {"form": form, "goal": goal})


@permission_required("dissemination.manage_goals", raise_exception=True)
@require_http_methods(["GET", "POST"])
def goal_create_view(request):
    return _goal_form(request, Goal())


@permission_required("dissemination.manage_goals", raise_exception=True)
@require_http_methods(["GET", "POST"])
def goal_update_view(request, pk):
    return _goal_form(request, get_object_or_404(Goal, pk=pk))


@permission_required("dissemination.manage_goals", raise_exception=True)
@require_http_methods(["GET", "POST"])
def goal_delete_view(request, pk):
    """GET shows what will be deleted; POST deletes."""
    goal = get_object_or_404(Goal, pk=pk)
    if request.method == "POST":
        goal_delete(goal=goal)
        messages.success(request, _("Goal deleted."))
        return redirect("dissemination:goal_list")
    return render(request, "dissemination/goals/goal_confirm_delete.html", {"goal": goal})
