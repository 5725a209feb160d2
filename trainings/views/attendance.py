"""Registering attendance per meeting (made for a phone) and catch-ups from other runs.

Staff may register for every run, a trainer for the runs they give; a trainer asking for another
run's meeting gets 404, any other role 403."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.accounts.rules import is_staff_member, is_trainer
from mentorwijs.ratelimit import rate_limited

from ..forms.attendance import AttendanceSheetForm, CatchUpForm, CatchUpSearchForm
from ..models import Meeting
from ..queries import attendance as queries
from ..services.attendance import attendance_catch_up, attendance_record

CANDIDATES_SHOWN = 25


def meetings_for(user):
    """Meetings whose attendance a user may register; 403 for roles that register none."""
    if not (is_staff_member | is_trainer)(user):
        raise PermissionDenied
    # Only what the permission check needs; the sheet itself loads the location.
    meetings = Meeting.objects.select_related("training")
    if is_staff_member(user):
        return meetings
    return meetings.filter(training__trainers=user)


def service_error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


class MeetingView(PermissionRequiredMixin, View):
    permission_required = "trainings.record_attendance"

    def get_permission_object(self):
        user = self.request.user
        self.meeting = get_object_or_404(meetings_for(user), pk=self.kwargs["pk"])
        if not is_staff_member(user):
            # meetings_for found it among the runs this trainer gives: the rule need not ask again.
            self.meeting.training.known_trainer_ids = {user.pk}
        return self.meeting.training


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class MeetingAttendanceView(MeetingView):
    template_name = "trainings/attendance.html"

    def get_form(self, data=None):
        return AttendanceSheetForm(data, rows=queries.attendance_sheet(meeting=self.meeting))

    def get(self, request, pk):
        return self.show(self.get_form())

    def post(self, request, pk):
        form = self.get_form(request.POST)
        if form.is_valid():
            entries = form.entries()
            try:
                attendance_record(meeting=self.meeting, entries=entries, by=request.user)
            except ValidationError as error:
                for message in service_error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Attendance saved for %(count)d participants.") % {"count": len(entries)},
                )
                return redirect("trainings:meeting_attendance", pk=self.meeting.pk)
        return self.show(form, status=400)

    def show(self, form, status=200):
        rows = form.bound_rows()
        context = {
            "meeting": self.meeting,
            "training": self.meeting.training,
            "form": form,
            "rows": rows,
            "present_count": sum(1 for row in rows if row["attendance"] and row["attendance"].present),
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class CatchUpView(MeetingView):
    template_name = "trainings/catch_up.html"

    def get(self, request, pk):
        return self.show(CatchUpForm(candidates=self.candidates()))

    def post(self, request, pk):
        # The search of the page the form was on (kept in its address): a trainer's candidates need it.
        form = CatchUpForm(request.POST, candidates=self.candidates(self.search()[1]))
        if form.is_valid():
            enrolment = form.cleaned_data["enrolment"]
            try:
                attendance_catch_up(enrolment=enrolment, meeting=self.meeting, by=request.user)
            except ValidationError as error:
                for message in service_error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(name)s catches up meeting %(number)s here.")
                    % {"name": enrolment.person, "number": self.meeting.number},
                )
                return redirect("trainings:meeting_attendance", pk=self.meeting.pk)
        return self.show(form, status=400)

    def candidates(self, q=""):
        # Who sees which candidates is the query's (and the rules') decision, not this view's.
        return queries.catch_up_candidates(meeting=self.meeting, user=self.request.user, q=q)

    def search(self):
        """The search form and the name searched (kept in the page's address, so its POST asks
        again), counted once per request: at most CATCH_UP_SEARCHES_PER_HOUR an hour per user."""
        if not hasattr(self, "_search"):
            search = CatchUpSearchForm(self.request.GET or None)
            q = search.cleaned_data["q"] if search.is_valid() else ""
            if q.strip() and rate_limited(
                self.request, scope="catch-up-search", limit=settings.CATCH_UP_SEARCHES_PER_HOUR, per_user=True
            ):
                search.add_error("q", _("You searched many times just now. Please try again in an hour."))
                q = ""
            self._search = (search, q)
        return self._search

    def show(self, form, status=200):
        search, q = self.search()
        context = {
            "meeting": self.meeting,
            "training": self.meeting.training,
            "form": form,
            "search": search,
            "q": q,
            "candidates": list(self.candidates(q)[: CANDIDATES_SHOWN + 1]),
            "shown": CANDIDATES_SHOWN,
            "attendance_url": reverse("trainings:meeting_attendance", kwargs={"pk": self.meeting.pk}),
            "full_name_only": not self.request.user.has_perm("trainings.browse_catch_up_candidates"),
        }
        context["more"] = len(context["candidates"]) > CANDIDATES_SHOWN
        context["candidates"] = context["candidates"][:CANDIDATES_SHOWN]
        return TemplateResponse(self.request, self.template_name, context, status=status)
