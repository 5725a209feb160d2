"""Staff enrolment management: enrol someone, move an enrolment to another run, cancel it, and make a
new enrolment link for a run that is not public."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from ..enums import LIVE_STATUSES, STAFF_ENROLLABLE_STATUSES, EnrolmentStatus
from ..forms import add_service_errors
from ..forms.enrolment import EnrolmentForm, EnrolmentMoveForm
from ..models import Enrolment, Training
from ..queries.enrolment import meetings_begun
from ..services.enrolment import enrolment_cancel, enrolment_create, enrolment_move, training_enrolment_link_renew


def training_url(training_id: int) -> str:
    """The run's page (the scheduling area's detail view)."""
    return reverse("trainings:training_detail", kwargs={"pk": training_id})


def staff_only(request) -> None:
    """Only staff manage enrolments: 403 for every other role. The pages below look their run or
    enrolment up first, so an unknown one answers 404 to every role."""
    if not request.user.has_perm("trainings.manage_trainings"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def staff_enrol_view(request, pk):
    """Staff enrol someone in a run that takes enrolments; a full run puts them on the waiting list.
    Once the run has begun (also when it is running) they add someone late, with a reason; the page
    names the meetings already held, which the participant catches up in another run."""
    training = get_object_or_404(Training.objects.select_related("region"), pk=pk, status__in=STAFF_ENROLLABLE_STATUSES)
    staff_only(request)
    missed = list(meetings_begun(training_id=training.pk))
    # Bound on every POST, an empty one too, so that it shows its errors.
    form = EnrolmentForm(request.POST if request.method == "POST" else None, staff=True, late=bool(missed))
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = enrolment_create(
                training=training,
                language=request.LANGUAGE_CODE,
                enrolled_by=request.user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if enrolment.late_reason:
                messages.success(
                    request,
                    _("%(name)s is added late: the missed meetings are listed to catch up.")
                    % {"name": enrolment.person},
                )
            elif enrolment.status == EnrolmentStatus.REGISTERED:
                messages.success(request, _("%(name)s is enrolled.") % {"name": enrolment.person})
            else:
                messages.info(request, _("%(name)s is on the waiting list.") % {"name": enrolment.person})
            return redirect(training_url(training.pk))
    return render(
        request,
        "trainings/enrolment_form.html",
        {"training": training, "form": form, "training_url": training_url(training.pk), "missed": missed},
    )


@require_POST
@permission_required("trainings.manage_trainings", raise_exception=True)
def enrolment_link_renew_view(request, pk):
    """A new enrolment link: the old one, which reached the wrong people, opens nothing any more."""
    training = get_object_or_404(Training, pk=pk)
    training_enrolment_link_renew(training=training)
    messages.success(request, _("The run has a new enrolment link; the old one no longer works."))
    return redirect(training_url(training.pk))


def live_enrolment(pk) -> Enrolment:
    """A live enrolment (registered, waitlisted or offered a place) with what its pages show; 404 for any
    other."""
    return get_object_or_404(
        Enrolment.objects.select_related("training__region", "person"), pk=pk, status__in=LIVE_STATUSES
    )


@require_http_methods(["GET", "POST"])
def enrolment_move_view(request, pk):
    """Move a live enrolment to another run."""
    enrolment = live_enrolment(pk)
    staff_only(request)
    form = EnrolmentMoveForm(request.POST if request.method == "POST" else None, enrolment=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            moved = enrolment_move(enrolment=enrolment, to_training=form.cleaned_data["to_training"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is moved to %(training)s.") % {"name": moved.person, "training": moved.training},
            )
            return redirect(training_url(moved.training_id))
    return render(
        request,
        "trainings/enrolment_move.html",
        {
            "enrolment": enrolment,
            "training": enrolment.training,
            "form": form,
            "training_url": training_url(enrolment.training_id),
        },
    )


@require_http_methods(["GET", "POST"])
def enrolment_cancel_view(request, pk):
    """Cancel a live enrolment: a confirm page, then the POST."""
    enrolment = live_enrolment(pk)
    staff_only(request)
    if request.method == "GET":
        return render(
            request,
            "trainings/enrolment_cancel.html",
            {
                "enrolment": enrolment,
                "training": enrolment.training,
                "training_url": training_url(enrolment.training_id),
            },
        )
    try:
        enrolment_cancel(enrolment=enrolment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The enrolment of %(name)s is cancelled.") % {"name": enrolment.person})
    return redirect(training_url(enrolment.training_id))
