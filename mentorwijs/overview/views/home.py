from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

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


class HomeView(TemplateView):
    template_name = "overview/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            today=timezone.localdate(),
            role_intros=[ROLE_INTROS[role] for role in Role if role in user.roles],
            two_factor_enabled=user.has_two_factor,
            upcoming_meetings=self.upcoming_meetings(user),
            follow_ups=self.follow_ups(user),
            event_follow_ups=self.event_follow_ups(),
            quality_tasks=home_tasks(user),
            first_steps=getting_started(user),
            **kwargs,
        )

    def upcoming_meetings(self, user):
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

    def follow_ups(self, user):
        """This user's own follow-ups that are overdue or due within a week (one query)."""
        if not user.has_perm("dissemination.log_outreach"):
            return []
        return list(dissemination_queries.follow_ups_due(user)[:FOLLOW_UP_LIMIT])

    def event_follow_ups(self):
        """Staff: events whose follow-up date has come and that are not followed up yet (one query)."""
        if not self.request.user.has_perm("dissemination.manage_events"):
            return []
        return list(queries_events.event_follow_ups_due()[:EVENT_FOLLOW_UP_LIMIT])


class SettingsView(PermissionRequiredMixin, TemplateView):
    """The pages where staff change what the work runs on (navigation.SETTINGS_LINKS)."""

    permission_required = "overview.view_settings"
    template_name = "overview/settings.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(settings_links=links_for(self.request.user, SETTINGS_LINKS), **kwargs)
