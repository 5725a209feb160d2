"""Registering attendance per meeting (made for a phone) and catch-ups from other runs.

Staff may register for every run, a trainer for the runs they give; a trainer asking for another
run's meeting gets 404, any other role 403."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mentorwijs.accounts.rules import is_staff_member, is_trainer
from mentorwijs.ratelimit import rate_limited

from ..forms.attendance import AttendanceSheetForm, CatchUpForm, CatchUpSearchForm
from ..models import Meeting
from ..queries import attendance as queries
from ..services.attendance import attendance_catch_up, attendance_record, attendance_refusal

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


def meeting_for(request, pk) -> Meeting:
    """The meeting whose attendance the user may register, with its run: 403 for a role that
    registers none, 404 for another run's meeting to a trainer, 403 where the rule refuses."""
    user = request.user
    meeting = get_object_or_404(meetings_for(user), pk=pk)
    if not is_staff_member(user):
        # meetings_for found it among the runs this trainer gives: the rule need not ask again.
        meeting.training.known_trainer_ids = {user.pk}
    if not user.has_perm("trainings.record_attendance", meeting.training):
        raise PermissionDenied
    return meeting


def attendance_page(request, meeting, form, status=200):
    """The sheet, or, while attendance cannot be registered (a cancelled meeting, or one not begun
    and more than a day away), why not and from when, with the participants but nothing to fill in."""
    rows = form.bound_rows()
    now = timezone.now()
    context = {
        "meeting": meeting,
        "training": meeting.training,
        "form": form,
        "rows": rows,
        "present_count": sum(1 for row in rows if row["attendance"] and row["attendance"].present),
        "refusal": attendance_refusal(meeting, now),
        "not_begun": meeting.starts_at > now,
    }
    return TemplateResponse(request, "trainings/attendance.html", context, status=status)


@require_http_methods(["GET", "POST"])
def meeting_attendance_view(request, pk):
    """The attendance sheet of one meeting."""
    meeting = meeting_for(request, pk)
    if request.method == "GET":
        form = AttendanceSheetForm(rows=queries.attendance_sheet(meeting=meeting))
        return attendance_page(request, meeting, form)
    form = AttendanceSheetForm(request.POST, rows=queries.attendance_sheet(meeting=meeting))
    if form.is_valid():
        entries = form.entries()
        try:
            attendance_record(meeting=meeting, entries=entries, by=request.user)
        except ValidationError as error:
            for message in service_error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Attendance saved for %(count)d participants.") % {"count": len(entries)},
            )
            return redirect("trainings:meeting_attendance", pk=meeting.pk)
    return attendance_page(request, meeting, form, status=400)


def catch_up_candidates(request, meeting, q=""):
    # Who sees which candidates is the query's (and the rules') decision, not this view's.
    return queries.catch_up_candidates(meeting=meeting, user=request.user, q=q)


def catch_up_search(request) -> tuple[CatchUpSearchForm, str]:
    """The search form and the name searched (kept in the page's address, so its POST asks again),
    counted once per request: at most CATCH_UP_SEARCHES_PER_HOUR an hour per user."""
    search = CatchUpSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    if q.strip() and rate_limited(
        request, scope="catch-up-search", limit=settings.CATCH_UP_SEARCHES_PER_HOUR, per_user=True
    ):
        search.add_error("q", _("You searched many times just now. Please try again in an hour."))
        q = ""
    return search, q


@require_http_methods(["GET", "POST"])
def catch_up_view(request, pk):
    """Someone of another run of the same variant catches up this meeting here."""
    meeting = meeting_for(request, pk)
    search, q = catch_up_search(request)

    if request.method == "GET":
        form = CatchUpForm(candidates=catch_up_candidates(request, meeting))
    else:
        # The search of the page the form was on (kept in its address): a trainer's candidates need it.
        form = CatchUpForm(request.POST, candidates=catch_up_candidates(request, meeting, q))
        if form.is_valid():
            enrolment = form.cleaned_data["enrolment"]
            try:
                attendance_catch_up(enrolment=enrolment, meeting=meeting, by=request.user)
            except ValidationError as error:
                for message in service_error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("%(name)s catches up meeting %(number)s here.")
                    % {"name": enrolment.person, "number": meeting.number},
                )
                return redirect("trainings:meeting_attendance", pk=meeting.pk)
    shown = list(catch_up_candidates(request, meeting, q)[: CANDIDATES_SHOWN + 1])
    context = {
        "meeting": meeting,
        "training": meeting.training,
        "form": form,
        "search": search,
        "q": q,
        "candidates": shown[:CANDIDATES_SHOWN],
        "more": len(shown) > CANDIDATES_SHOWN,
        "shown": CANDIDATES_SHOWN,
        "attendance_url": reverse("trainings:meeting_attendance", kwargs={"pk": meeting.pk}),
        "full_name_only": not request.user.has_perm("trainings.browse_catch_up_candidates"),
        "refusal": attendance_refusal(meeting),
    }
    return render(request, "trainings/catch_up.html", context, status=200 if request.method == "GET" else 400)
