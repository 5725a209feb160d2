from datetime import timedelta

from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from ambassadors.queries.home import home_tasks
from dissemination.queries import outreach as dissemination_queries
from dissemination.queries import outreach_events as queries_events
from mentorwijs.accounts.roles import Role
from trainings.enums import MeetingStatus
from trainings.queries import scheduling as training_queries
from trainings.services.attendance import attendance_open

from ..getting_started import getting_started
from ..navigation import SETTINGS_LINKS, links_for

UPCOMING_DAYS = 14
UPCOMING_LIMIT = 8
FOLLOW_UP_LIMIT = 10
EVENT_FOLLOW_UP_LIMIT = 10

# What each role's home page says needs doing; later issues add real to-do lists here.
ROLE_INTROS = {
    Role.STAFF: "overview/intro_staff.html",
    Role.MASTER_TRAINER: "overview/intro_master_trainer.html",
    Role.TRAINER: "overview/intro_trainer.html",
    Role.AMBASSADOR: "overview/intro_ambassador.html",
}


@require_safe
def home_view(request):
    user = request.user
    context = {
        "today": timezone.localdate(),
        "role_intros": [ROLE_INTROS[role] for role in Role if role in user.roles],
        "two_factor_enabled": user.has_two_factor,
        "upcoming_meetings": _upcoming_meetings(user),
        "follow_ups": _follow_ups(user),
        "event_follow_ups": _event_follow_ups(user),
        "quality_tasks": home_tasks(user),
        "first_steps": getting_started(user),
    }
    return TemplateResponse(request, "overview/home.html", context)


def _upcoming_meetings(user):
    """The next meetings of the runs this user may see (a trainer: the runs they give)."""
    if not user.has_perm("trainings.browse_trainings"):
        return []
    start = timezone.now() - timedelta(hours=6)  # a meeting under way still shows, with its attendance link
    meetings = training_queries.calendar_meetings(user=user, start=start, end=start + timedelta(days=UPCOMING_DAYS))
    upcoming = list(meetings.filter(status=MeetingStatus.SCHEDULED)[:UPCOMING_LIMIT])
    now = timezone.now()
    for meeting in upcoming:
        meeting.attendance_open = attendance_open(meeting, now)
    return upcoming


def _follow_ups(user):
    """This user's own follow-ups that are overdue or due within a week (one query)."""
    if not user.has_perm("dissemination.log_outreach"):
        return []
    return list(dissemination_queries.follow_ups_due(user)[:FOLLOW_UP_LIMIT])


def _event_follow_ups(user):
    """Staff: events whose follow-up date has come and that are not followed up yet (one query)."""
    if not user.has_perm("dissemination.manage_events"):
        return []
    return list(queries_events.event_follow_ups_due()[:EVENT_FOLLOW_UP_LIMIT])


@permission_required("overview.view_settings", raise_exception=True)
@require_safe
def settings_view(request):
    """The pages where staff change what the work runs on (navigation.SETTINGS_LINKS)."""
    return render(request, "overview/settings.html", {"settings_links": links_for(request.user, SETTINGS_LINKS)})
