"""Trainer assignments: staff choose who gives a run and decide offers; trainers offer themselves
for runs that still need a trainer and follow their offers.

The rules live in ambassadors.services.assignments; refusals are shown next to the field (or the
offer) they concern. A role that may not use a page gets 403; an offer or assignment that is not
on this run, or another trainer's offer, answers 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from rules.contrib.views import permission_required

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


def _assignments_page(request, training, form=None, decline_forms=None, offer_errors=None):
    offers = list(queries.open_offers(training=training))
    decline_forms = decline_forms or {}
    offer_errors = offer_errors or {}
    for offer in offers:
        offer.decline_form = decline_forms.get(offer.pk) or DeclineForm(prefix=f"offer-{offer.pk}")
        offer.errors = offer_errors.get(offer.pk, [])
    context = {
        "training": training,
        "meetings": training.scheduled_meetings,
        "team": queries.run_team(training=training),
        "form": form or AssignmentForm(training=training),
        "offers": offers,
    }
    return render(request, "ambassadors/assignments.html", context)


@permission_required("ambassadors.manage_assignments", raise_exception=True)  # role level
@require_http_methods(["GET", "HEAD", "POST"])
def training_assignments_view(request, pk):
    """Staff: the run's trainers with their certification cover, a form to add one, and the offers
    waiting for a decision. POST `action`: add, remove, accept or decline."""
    training = get_object_or_404(queries.run_for_assignments(), pk=pk)
    if request.method != "POST":
        return _assignments_page(request, training)
    action = request.POST.get("action")
    if action == "add":
        return _assignment_add(request, training)
    if action == "remove":
        return _assignment_remove(request, training)
    if action in ("accept", "decline"):
        offer = get_object_or_404(queries.open_offers(training=training), pk=_posted_id(request, "offer"))
        if action == "accept":
            return _offer_accept(request, training, offer)
        return _offer_decline(request, training, offer)
    raise Http404


def _assignments_done(training):
    return redirect("ambassadors:training_assignments", pk=training.pk)


def _assignment_add(request, training):
    form = AssignmentForm(request.POST, training=training)
    if form.is_valid():
        try:
            services.assignment_add(
                training=training,
                trainer=form.cleaned_data["trainer"],
                role=form.cleaned_data["role"],
                assigned_by=request.user,
                as_history=form.cleaned_data.get("as_history", False),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Trainer assigned."))
            return _assignments_done(training)
    return _assignments_page(request, training, form=form)


def _assignment_remove(request, training):
    assignment = get_object_or_404(training.assignments.all(), pk=_posted_id(request, "assignment"))
    try:
        services.assignment_remove(assignment=assignment, removed_by=request.user)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Trainer taken off the run."))
    return _assignments_done(training)


def _offer_accept(request, training, offer):
    try:
        services.offer_accept(offer=offer, decided_by=request.user)
    except ValidationError as error:
        return _assignments_page(request, training, offer_errors={offer.pk: _messages_of(error)})
    messages.success(request, _("Offer accepted: the trainer is assigned."))
    return _assignments_done(training)


def _offer_decline(request, training, offer):
    form = DeclineForm(request.POST, prefix=f"offer-{offer.pk}")
    if form.is_valid():
        try:
            services.offer_decline(offer=offer, decided_by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Offer declined."))
            return _assignments_done(training)
    return _assignments_page(request, training, decline_forms={offer.pk: form})


def _open_runs_page(request, bound=None):
    runs = list(queries.open_runs(trainer=request.user))
    for run in runs:
        if bound is not None and bound.training_pk == run.pk:
            run.offer_form = bound
        else:
            run.offer_form = OfferForm(prefix=f"run-{run.pk}", lead_wanted=not run.has_lead)
    context = {"runs": runs, "offers": queries.offers_of(trainer=request.user)}
    return render(request, "ambassadors/open_runs.html", context)


@permission_required("ambassadors.offer_to_train", raise_exception=True)  # role level
@require_http_methods(["GET", "HEAD", "POST"])
def open_runs_view(request):
    """Trainers: runs that still need a trainer, each with an offer form, and their own offers.
    POST `action`: offer (with `training`) or withdraw (with `offer`)."""
    if request.method != "POST":
        return _open_runs_page(request)
    action = request.POST.get("action")
    if action == "offer":
        return _offer_create(request)
    if action == "withdraw":
        return _offer_withdraw(request)
    raise Http404


def _offer_create(request):
    training = get_object_or_404(queries.open_runs(trainer=request.user), pk=_posted_id(request, "training"))
    form = OfferForm(request.POST, prefix=f"run-{training.pk}", lead_wanted=not training.has_lead)
    form.training_pk = training.pk
    if form.is_valid():
        try:
            services.offer_create(
                training=training,
                trainer=request.user,
                role=form.cleaned_data["role"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: staff will let you know."))
            return redirect("ambassadors:open_runs")
    return _open_runs_page(request, bound=form)


def _offer_withdraw(request):
    offer = get_object_or_404(AssignmentOffer.objects.filter(trainer=request.user), pk=_posted_id(request, "offer"))
    try:
        services.offer_withdraw(offer=offer, trainer=request.user)
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("Offer withdrawn."))
    return redirect("ambassadors:open_runs")
