"""A run's participants as a spreadsheet, for staff and whoever gives the run (issue 17)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.exports import xlsx_response

from ..queries import enrolment as enrolment_queries
from ..queries import scheduling as scheduling_queries


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
    meetings, enrolments = enrolment_queries.participant_export(training=training)
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
