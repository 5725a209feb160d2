"""Staff enrolment management: enrol someone, move an enrolment to another run, cancel it, and make a
new enrolment link for a run that is not public."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_http_methods
from rules.contrib.views import PermissionRequiredMixin

from ..enums import ENROLLABLE_STATUSES, LIVE_STATUSES, EnrolmentStatus
from ..forms import add_service_errors
from ..forms.enrolment import EnrolmentForm, EnrolmentMoveForm
from ..models import Enrolment, Training
from ..services.enrolment import enrolment_cancel, enrolment_create, enrolment_move, training_enrolment_link_renew


def training_url(training_id: int) -> str:
    """The run's page (the scheduling area's detail view)."""
    return reverse("trainings:training_detail", kwargs={"pk": training_id})


class StaffView(PermissionRequiredMixin, View):
    permission_required = "trainings.manage_trainings"


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class StaffEnrolView(StaffView):
    def dispatch(self, request, *args, **kwargs):
        self.training = get_object_or_404(
            Training.objects.select_related("region"), pk=kwargs["pk"], status__in=ENROLLABLE_STATUSES
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.show(EnrolmentForm(staff=True))

    def post(self, request, pk):
        form = EnrolmentForm(request.POST, staff=True)
        if form.is_valid():
            try:
                enrolment = enrolment_create(
                    training=self.training,
                    language=request.LANGUAGE_CODE,
                    enrolled_by=request.user,
                    **form.service_kwargs(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if enrolment.status == EnrolmentStatus.REGISTERED:
                    messages.success(request, _("%(name)s is enrolled.") % {"name": enrolment.person})
                else:
                    messages.info(request, _("%(name)s is on the waiting list.") % {"name": enrolment.person})
                return redirect(training_url(self.training.pk))
        return self.show(form)

    def show(self, form):
        return render(
            self.request,
            "trainings/enrolment_form.html",
            {"training": self.training, "form": form, "training_url": training_url(self.training.pk)},
        )


@method_decorator(require_http_methods(["POST"]), name="dispatch")
class EnrolmentLinkRenewView(StaffView):
    """A new enrolment link: the old one, which reached the wrong people, opens nothing any more."""

    def post(self, request, pk):
        training = get_object_or_404(Training, pk=pk)
        training_enrolment_link_renew(training=training)
        messages.success(request, _("The run has a new enrolment link; the old one no longer works."))
        return redirect(training_url(training.pk))


class EnrolmentActionView(StaffView):
    def dispatch(self, request, *args, **kwargs):
        self.enrolment = get_object_or_404(
            Enrolment.objects.select_related("training__region", "person"),
            pk=kwargs["pk"],
            status__in=LIVE_STATUSES,
        )
        return super().dispatch(request, *args, **kwargs)


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class EnrolmentMoveView(EnrolmentActionView):
    def get(self, request, pk):
        return self.show(EnrolmentMoveForm(enrolment=self.enrolment))

    def post(self, request, pk):
        form = EnrolmentMoveForm(request.POST, enrolment=self.enrolment)
        if form.is_valid():
            try:
                moved = enrolment_move(
                    enrolment=self.enrolment, to_training=form.cleaned_data["to_training"], by=request.user
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is moved to %(training)s.") % {"name": moved.person, "training": moved.training},
                )
                return redirect(training_url(moved.training_id))
        return self.show(form)

    def show(self, form):
        return render(
            self.request,
            "trainings/enrolment_move.html",
            {
                "enrolment": self.enrolment,
                "training": self.enrolment.training,
                "form": form,
                "training_url": training_url(self.enrolment.training_id),
            },
        )


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class EnrolmentCancelView(EnrolmentActionView):
    def get(self, request, pk):
        return render(
            request,
            "trainings/enrolment_cancel.html",
            {
                "enrolment": self.enrolment,
                "training": self.enrolment.training,
                "training_url": training_url(self.enrolment.training_id),
            },
        )

    def post(self, request, pk):
        try:
            enrolment_cancel(enrolment=self.enrolment, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The enrolment of %(name)s is cancelled.") % {"name": self.enrolment.person})
        return redirect(training_url(self.enrolment.training_id))
