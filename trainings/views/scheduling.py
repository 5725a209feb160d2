"""Scheduling pages for staff (trainers and master trainers read), the calendar and the iCalendar feeds."""

import calendar as calendar_module
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Prefetch, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.http import filter_page

from ..calendar import PARTICIPANT_FEED_SALT, TRAINER_FEED_SALT, feed_token_id, ics_for_meetings, trainer_feed_token
from ..enums import PLACE_HOLDING_STATUSES, ActiveComponent, AssignmentRole, EnrolmentStatus
from ..filters import TrainingFilter
from ..forms import add_service_errors
from ..forms.run_messages import TrainingCancelForm
from ..forms.scheduling import (
    MeetingForm,
    MeetingFormSet,
    TrainingCreateForm,
    TrainingUpdateForm,
)
from ..models import Assignment, Enrolment, Meeting
from ..queries import scheduling as queries
from ..services import cancellation, scheduling
from ..services.enrolment import training_takes_enrolments

# Trainers in the order they give the run: lead, co-trainers, candidates.
LEAD_FIRST = Case(
    When(role=AssignmentRole.LEAD, then=Value(0)),
    When(role=AssignmentRole.CO_TRAINER, then=Value(1)),
    default=Value(2),
).asc()


def trainer_from_feed_token(token: str):
    user_id = feed_token_id(token, salt=TRAINER_FEED_SALT)
    return get_object_or_404(User, pk=user_id, is_active=True)


@permission_required("trainings.browse_trainings", raise_exception=True)
@require_safe
def training_list_view(request):
    filterset = TrainingFilter(request.GET or None, request=request, queryset=queries.training_list(user=request.user))
    return TemplateResponse(request, "trainings/training_list.html", filter_page(request, filterset, 25))


def enrolment_link_url(training) -> str:
    """The address of a run's enrolment link, as mails write addresses (SITE_URL)."""
    return settings.SITE_URL + reverse("trainings:link_enrol", kwargs={"key": training.enrolment_link_key})


@permission_required("trainings.browse_trainings", raise_exception=True)
@require_safe
def training_detail_view(request, pk):
    # The trainers are shown with their role: their assignments replace the plain trainers
    # prefetch of training_detail (the same number of queries).
    training = get_object_or_404(
        queries.training_detail(user=request.user)
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.select_related("location").order_by("number")),
            Prefetch("assignments", queryset=Assignment.objects.select_related("trainer").order_by(LEAD_FIRST, "pk")),
        ),
        pk=pk,
    )
    counts = queries.enrolment_counts(training=training)
    labels = dict(ActiveComponent.choices)
    now = timezone.now()
    for meeting in training.meetings.all():
        meeting.component_labels = [labels[code] for code in meeting.components if code in labels]
        meeting.has_started = meeting.starts_at <= now
    status_counts = [(label, counts.get(value, 0)) for value, label in EnrolmentStatus.choices]
    # The trainers are loaded already: the participants' rule need not ask the database again.
    training.trainer_ids = {assignment.trainer_id for assignment in training.assignments.all()}
    can_manage = request.user.has_perm("trainings.manage_trainings")
    history = list(queries.run_message_history(training_id=training.pk))
    context = {
        "object": training,
        "training": training,
        "status_counts": status_counts,
        "places_held": sum(counts.get(status, 0) for status in PLACE_HOLDING_STATUSES),
        "can_manage": can_manage,
        "can_see_participants": request.user.has_perm("trainings.view_participants", training),
        "can_message": request.user.has_perm("trainings.message_participants", training),
        "can_cancel": can_manage and training.status in cancellation.CANCELLABLE_STATUSES,
        "history": history,
        "undo_until": _undo_until(training, history) if can_manage else None,
        # A run that is not public takes enrolments only through this link, which staff send.
        "enrolment_link": enrolment_link_url(training) if can_manage and not training.is_public else "",
        "takes_enrolments": training_takes_enrolments(training),
    }
    return TemplateResponse(request, "trainings/training_detail.html", context)


def _undo_until(training, history):
    """Until when the run's latest cancellation can be undone, None when it cannot (or there is none)."""
    latest = next((entry for entry in history if entry.is_cancellation), None)
    if latest is None or cancellation.undo_refusal(cancellation=latest, training=training, gone_out=latest.gone_out):
        return None
    return latest.sent_at + cancellation.UNDO_WINDOW


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def training_create_view(request):
    initial = {"location": request.GET["location"]} if request.GET.get("location") else {}
    form = TrainingCreateForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training = scheduling.training_create(
                title=data["title"],
                variant=data["variant"],
                region=data["region"],
                host_organisation=data["host_organisation"],
                capacity=data["capacity"],
                local_adaptations=data["local_adaptations"],
                first_meeting_starts_at=data["first_meeting_starts_at"],
                first_meeting_ends_at=data["first_meeting_ends_at"],
                location=data["location"],
            )
        except ValidationError as error:
            add_service_errors(form, error, form.service_fields)
        else:
            messages.success(request, _("Training run created with proposed meetings. Check and adjust them."))
            return redirect("trainings:meetings_update", pk=training.pk)
    return render(request, "trainings/training_form.html", {"form": form})


def _training_to_manage(request, pk):
    # Looked up after the permission check (the decorator), so a role without it gets 403, not 404.
    return get_object_or_404(queries.training_detail(user=request.user), pk=pk)


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def training_update_view(request, pk):
    training = _training_to_manage(request, pk)
    form = TrainingUpdateForm(request.POST if request.method == "POST" else None, instance=training)
    if request.method == "POST" and form.is_valid():
        try:
            training = scheduling.training_update(training=training, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Training run saved."))
            return redirect("trainings:training_detail", pk=training.pk)
    return render(request, "trainings/training_form.html", {"form": form, "training": training})


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def training_cancel_view(request, pk):
    """Cancel the whole run: the page lists who will be told and asks the reason; the notices wait
    UNDO_WINDOW, so the run page can undo it meanwhile."""
    training = _training_to_manage(request, pk)
    form = TrainingCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cancellation.training_cancel(training=training, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Training run cancelled."))
            return redirect("trainings:training_detail", pk=training.pk)
    enrolments, trainers = queries.cancellation_recipients(training=training)
    context = {
        "training": training,
        "form": form,
        "enrolments": enrolments,
        "trainers": trainers,
        "cancellable": training.status in cancellation.CANCELLABLE_STATUSES,
        "undo_minutes": int(cancellation.UNDO_WINDOW.total_seconds() // 60),
    }
    return render(request, "trainings/training_cancel.html", context)


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_POST
def training_cancel_undo_view(request, pk):
    training = _training_to_manage(request, pk)
    try:
        cancellation.training_cancel_undo(training=training, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Cancellation undone: the run and its enrolments are back, and nobody was mailed."))
    return redirect("trainings:training_detail", pk=training.pk)


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def meetings_update_view(request, pk):
    training = _training_to_manage(request, pk)
    if request.method != "POST":
        formset = MeetingFormSet(training=training, prefix="meetings")
        return render(request, "trainings/meetings_form.html", {"training": training, "formset": formset})
    formset = MeetingFormSet(request.POST, training=training, prefix="meetings")
    if formset.is_valid():
        forms = [form for form in formset.forms if form.has_changed()]
        try:
            scheduling.meetings_update(training=training, meetings=[form.instance for form in forms])
        except scheduling.MeetingsInvalid as error:
            for form, found in zip(forms, error.errors, strict=True):
                if found:
                    add_service_errors(form, ValidationError(found), form.service_fields)
            # A clash an unchanged meeting already had is shown on that meeting.
            unchanged = {form.instance.pk: form for form in formset.initial_forms if form not in forms}
            for meeting_pk, found in error.others.items():
                if meeting_pk in unchanged:
                    add_service_errors(unchanged[meeting_pk], ValidationError(found), MeetingForm.service_fields)
                else:  # added by someone else since this page was read
                    formset.non_form_errors().extend(ValidationError(found).messages)
        else:
            messages.success(request, _("Meetings saved."))
            return redirect("trainings:training_detail", pk=training.pk)
    return render(request, "trainings/meetings_form.html", {"training": training, "formset": formset})


@permission_required("trainings.manage_trainings", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_cancel_view(request, pk):
    # Looked up after the permission check (the decorator), so a role without it gets 403, not 404.
    meeting = get_object_or_404(
        Meeting.objects.select_related("training", "location").filter(
            training__in=queries.trainings_visible_to(request.user)
        ),
        pk=pk,
    )
    if request.method == "POST":
        scheduling.meeting_cancel(meeting=meeting)
        messages.success(request, _("Meeting cancelled."))
        return redirect("trainings:training_detail", pk=meeting.training_id)
    return render(request, "trainings/meeting_cancel.html", {"meeting": meeting, "training": meeting.training})


# --- calendar ---------------------------------------------------------------------------------


def _parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@permission_required("trainings.browse_trainings", raise_exception=True)
@require_safe
def calendar_view(request):
    """A month (weeks from Monday) or week of meetings; phones get the same meetings as a list."""
    view = "week" if request.GET.get("view") == "week" else "month"
    day = _parse_day(request.GET.get("date"))
    if view == "week":
        first = day - timedelta(days=day.weekday())
        last = first + timedelta(days=6)
        previous, following = first - timedelta(weeks=1), first + timedelta(weeks=1)
    else:
        month_start = day.replace(day=1)
        month_end = month_start.replace(day=calendar_module.monthrange(day.year, day.month)[1])
        first = month_start - timedelta(days=month_start.weekday())
        last = month_end + timedelta(days=6 - month_end.weekday())
        previous = (month_start - timedelta(days=1)).replace(day=1)
        following = month_end + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    by_day: dict[date, list] = {}
    for meeting in queries.calendar_meetings(user=request.user, start=start, end=end):
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    weeks = [
        [
            {
                "date": d,
                "meetings": by_day.get(d, []),
                "in_period": view == "week" or d.month == day.month,
                "today": d == timezone.localdate(),
            }
            for d in days[index : index + 7]
        ]
        for index in range(0, len(days), 7)
    ]
    user = request.user
    feed_url = None
    if user.has_role(Role.TRAINER) or user.trainings_given.exists():
        feed_url = request.build_absolute_uri(
            reverse("trainings:trainer_feed", kwargs={"token": trainer_feed_token(user)})
        )
    context = {
        "view": view,
        "day": day,
        "first": first,
        "last": last,
        "weeks": weeks,
        "agenda": [cell for week in weeks for cell in week if cell["meetings"] and cell["in_period"]],
        "previous": previous,
        "following": following,
        "trainer_feed_url": feed_url,
        "public_feed_url": request.build_absolute_uri(reverse("trainings:public_feed")),
    }
    return render(request, "trainings/calendar.html", context)


# --- iCalendar feeds --------------------------------------------------------------------------


def _ics_response(meetings, *, name: str) -> HttpResponse:
    response = HttpResponse(ics_for_meetings(meetings, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mentorwijs.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_not_required
def public_feed(request):
    return _ics_response(queries.feed_meetings_public(), name="Mentorwijs")


@login_not_required
def trainer_feed(request, token):
    user = trainer_from_feed_token(token)
    return _ics_response(queries.feed_meetings_for_trainer(user=user), name=_("Mentorwijs: my training runs"))


@login_not_required
def participant_feed(request, token):
    enrolment_id = feed_token_id(token, salt=PARTICIPANT_FEED_SALT)
    enrolment = get_object_or_404(Enrolment.objects.select_related("training"), pk=enrolment_id)
    return _ics_response(queries.feed_meetings_for_enrolment(enrolment=enrolment), name=enrolment.training.title)
