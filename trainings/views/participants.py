"""What trainers and staff take to a meeting and the run's participant list: the sign-in sheet (PDF),
the dietary list for the host's caterer and the participants as a spreadsheet (issue 17).

They show participants' details, so trainings.view_participants decides (staff, and the trainers of
the run). A trainer asking for another run's gets 404, as on the attendance page; any other role 403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.accounts.rules import is_staff_member, is_trainer
from mentorwijs.exports import xlsx_response

from ..models import Meeting, Training
from ..queries import enrolment as queries
from ..queries import scheduling as scheduling_queries
from ..sign_in_sheets import sign_in_sheet_disposition, sign_in_sheet_pdf


def _visible(queryset, user, training_field: str):
    """The rows of the runs whose participants `user` may be asked about: 403 for a role that sees
    none, a trainer only their own runs (another's then answers 404)."""
    if not (is_staff_member | is_trainer)(user):
        raise PermissionDenied
    if is_staff_member(user):
        return queryset
    return queryset.filter(**{f"{training_field}trainers": user})


def _may_see_participants(user, training) -> None:
    if not is_staff_member(user):
        # Found among the runs this trainer gives: the rule need not ask the database again.
        training.known_trainer_ids = {user.pk}
    if not user.has_perm("trainings.view_participants", training):
        raise PermissionDenied


@require_safe
def sign_in_sheet_view(request, pk):
    """The sign-in sheet of one meeting as a PDF, to print."""
    meeting = get_object_or_404(
        _visible(Meeting.objects.select_related("training", "location"), request.user, "training__"), pk=pk
    )
    _may_see_participants(request.user, meeting.training)
    response = HttpResponse(sign_in_sheet_pdf(meeting), content_type="application/pdf")
    response["Content-Disposition"] = sign_in_sheet_disposition(meeting)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def dietary_list_view(request, pk):
    """The run's participants' dietary wishes, for the host's caterer, while the retention rule keeps
    them; after that the page says they are no longer kept."""
    training = get_object_or_404(
        _visible(Training.objects.select_related("host_organisation"), request.user, ""), pk=pk
    )
    _may_see_participants(request.user, training)
    context = {"training": training, **queries.dietary_list(training_id=training.pk)}
    response = TemplateResponse(request, "trainings/dietary_list.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _attendance_cells(enrolment, meetings) -> list[str]:
    """Per meeting of the run: present, absent, caught up (at another run's meeting) or empty."""
    own, caught_up = {}, set()
    for attendance in enrolment.attendances.all():
        if attendance.catches_up_id is not None:
            if attendance.present:
                caught_up.add(attendance.catches_up_id)
        else:
            own[attendance.meeting_id] = attendance.present
    cells = []
    for meeting in meetings:
        if own.get(meeting.pk):
            cells.append(_("Present"))
        elif meeting.pk in caught_up:
            cells.append(_("Caught up"))
        elif meeting.pk in own:
            cells.append(_("Absent"))
        else:
            cells.append("")
    return cells


@never_cache
@permission_required("trainings.browse_trainings", raise_exception=True)
@require_safe
def participant_export_view(request, pk):
    """Name, organisation, email, phone, status and attendance per meeting of every enrolment.
    A run the user may not see answers 404 (as its page does), one whose participants they may not
    see 403."""
    training = get_object_or_404(
        scheduling_queries.trainings_visible_to(request.user).prefetch_related("trainers"), pk=pk
    )
    training.trainer_ids = {trainer.pk for trainer in training.trainers.all()}
    if not request.user.has_perm("trainings.view_participants", training):
        raise PermissionDenied
    meetings, enrolments = queries.participant_export(training=training)
    headers = [
        _("Name"),
        _("Organisation"),
        _("Email address"),
        _("Phone"),
        _("Status"),
        *[_("Meeting %(number)s") % {"number": meeting.number} for meeting in meetings],
    ]
    rows = (
        [
            str(enrolment.person),
            enrolment.person.organisation.name if enrolment.person.organisation else "",
            enrolment.person.email,
            enrolment.person.phone,
            enrolment.get_status_display(),
            *_attendance_cells(enrolment, meetings),
        ]
        for enrolment in enrolments
    )
    return xlsx_response(
        filename=f"deelnemers-{training.pk}-{timezone.localdate():%Y-%m-%d}",
        title=_("Participants"),
        headers=headers,
        rows=rows,
    )
