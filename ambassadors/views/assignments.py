"""Trainer assignments: staff choose who gives a run and decide offers; trainers offer themselves
for runs that still need a trainer and follow their offers.

The rules live in ambassadors.services.assignments; refusals are shown next to the field (or the
offer) they concern. A role that may not use a page gets 403; an offer or assignment that is not
on this run, or another trainer's offer, answers 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.forms import add_service_errors

from ..forms.assignments import AssignmentForm, DeclineForm, OfferForm
from ..models import AssignmentOffer
from ..queries import assignments as queries
from ..services import assignments as services


def _posted_id(request, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise Http404 from None


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for found in error.message_dict.values() for message in found]
    return list(error.messages)


class TrainingAssignmentsView(PermissionRequiredMixin, TemplateView):
    """Staff: the run's trainers with their certification cover, a form to add one, and the offers
    waiting for a decision. POST `action`: add, remove, accept or decline."""

    permission_required = "ambassadors.manage_assignments"
    template_name = "ambassadors/assignments.html"

    def get_permission_object(self):
        return None

    def load(self):
        self.training = get_object_or_404(queries.run_for_assignments(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.load()
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, form=None, decline_forms=None, offer_errors=None, **kwargs):
        offers = list(queries.open_offers(training=self.training))
        decline_forms = decline_forms or {}
        offer_errors = offer_errors or {}
        for offer in offers:
            offer.decline_form = decline_forms.get(offer.pk) or DeclineForm(prefix=f"offer-{offer.pk}")
            offer.errors = offer_errors.get(offer.pk, [])
        return super().get_context_data(
            training=self.training,
            meetings=self.training.scheduled_meetings,
            team=queries.run_team(training=self.training),
            form=form or AssignmentForm(training=self.training),
            offers=offers,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        self.load()
        action = request.POST.get("action")
        if action == "add":
            return self.add()
        if action == "remove":
            return self.remove()
        if action in ("accept", "decline"):
            offer = get_object_or_404(queries.open_offers(training=self.training), pk=_posted_id(request, "offer"))
            return self.accept(offer) if action == "accept" else self.decline(offer)
        raise Http404

    def done(self):
        return redirect("ambassadors:training_assignments", pk=self.training.pk)

    def add(self):
        form = AssignmentForm(self.request.POST, training=self.training)
        if form.is_valid():
            try:
                services.assignment_add(
                    training=self.training,
                    trainer=form.cleaned_data["trainer"],
                    role=form.cleaned_data["role"],
                    assigned_by=self.request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("Trainer assigned."))
                return self.done()
        return self.render_to_response(self.get_context_data(form=form))

    def remove(self):
        assignment = get_object_or_404(self.training.assignments.all(), pk=_posted_id(self.request, "assignment"))
        try:
            services.assignment_remove(assignment=assignment, removed_by=self.request.user)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(self.request, message)
        else:
            messages.success(self.request, _("Trainer taken off the run."))
        return self.done()

    def accept(self, offer):
        try:
            services.offer_accept(offer=offer, decided_by=self.request.user)
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(offer_errors={offer.pk: _messages_of(error)}))
        messages.success(self.request, _("Offer accepted: the trainer is assigned."))
        return self.done()

    def decline(self, offer):
        form = DeclineForm(self.request.POST, prefix=f"offer-{offer.pk}")
        if form.is_valid():
            try:
                services.offer_decline(offer=offer, decided_by=self.request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("Offer declined."))
                return self.done()
        return self.render_to_response(self.get_context_data(decline_forms={offer.pk: form}))


class OpenRunsView(PermissionRequiredMixin, TemplateView):
    """Trainers: runs that still need a trainer, each with an offer form, and their own offers.
    POST `action`: offer (with `training`) or withdraw (with `offer`)."""

    permission_required = "ambassadors.offer_to_train"
    template_name = "ambassadors/open_runs.html"

    def get_permission_object(self):
        return None

    def get_context_data(self, bound=None, **kwargs):
        runs = list(queries.open_runs(trainer=self.request.user))
        for run in runs:
            if bound is not None and bound.training_pk == run.pk:
                run.offer_form = bound
            else:
                run.offer_form = OfferForm(prefix=f"run-{run.pk}", lead_wanted=not run.has_lead)
        return super().get_context_data(runs=runs, offers=queries.offers_of(trainer=self.request.user), **kwargs)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "offer":
            return self.offer()
        if action == "withdraw":
            return self.withdraw()
        raise Http404

    def offer(self):
        training = get_object_or_404(
            queries.open_runs(trainer=self.request.user), pk=_posted_id(self.request, "training")
        )
        form = OfferForm(self.request.POST, prefix=f"run-{training.pk}", lead_wanted=not training.has_lead)
        form.training_pk = training.pk
        if form.is_valid():
            try:
                services.offer_create(
                    training=training,
                    trainer=self.request.user,
                    role=form.cleaned_data["role"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(self.request, _("Thank you: staff will let you know."))
                return redirect("ambassadors:open_runs")
        return self.render_to_response(self.get_context_data(bound=form))

    def withdraw(self):
        offer = get_object_or_404(
            AssignmentOffer.objects.filter(trainer=self.request.user), pk=_posted_id(self.request, "offer")
        )
        try:
            services.offer_withdraw(offer=offer, trainer=self.request.user)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(self.request, message)
        else:
            messages.success(self.request, _("Offer withdrawn."))
        return redirect("ambassadors:open_runs")
