"""What trainers and staff take to a meeting: the sign-in sheet (PDF) and the dietary list for the
host's caterer.

Both show participants' details, so trainings.view_participants decides (staff, and the trainers of
the run). A trainer asking for another run's gets 404, as on the attendance page; any other role 403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from mentorwijs.accounts.rules import is_staff_member, is_trainer

from ..models import Meeting, Training
from ..queries import enrolment as queries
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
