"""Fidelity reviews: the form for a run's lead trainer (self-report) or a master trainer
(observation) with the participants' evaluation beside it, the runs a trainer leads, and the
heat map for staff and master trainers.

A role that writes no reviews gets 403; a trainer asking for a run they do not lead gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors
from mentorwijs.http import filter_page
from trainings.enums import ActiveComponent

from ..enums import ReviewKind
from ..forms.fidelity import FidelityReviewForm, FidelityTrainerSort
from ..models import FidelityReview
from ..queries import quality as queries
from ..services.fidelity import fidelity_review_refusal, fidelity_review_submit

KIND_PERMISSIONS = [
    (ReviewKind.SELF_REPORT, "ambassadors.write_self_report"),
    (ReviewKind.OBSERVATION, "ambassadors.write_observation"),
]


FIDELITY_TRAINERS_PAGE_SIZE = 50


@never_cache
@permission_required("ambassadors.view_fidelity", raise_exception=True)
@require_safe
def fidelity_overview_view(request):
    """The heat map per trainer (paginated, sorted by a column) and per run, and the completed runs without a review."""
    trainers = FidelityTrainerSort(request.GET or None, queryset=queries.fidelity_trainers(), request=request)
    context = filter_page(request, trainers, FIDELITY_TRAINERS_PAGE_SIZE, name="trainers")
    for trainer in context["trainers"]:
        trainer.cells = queries.heat_map_cells(trainer)
    runs = list(queries.fidelity_runs())
    for run in runs:
        run.cells = queries.heat_map_cells(run)
    unreviewed = queries.runs_without_review()
    context.update(
        components=list(ActiveComponent),
        runs=runs,
        unreviewed=list(unreviewed[: queries.RUNS_WITHOUT_REVIEW_SHOWN]),
        unreviewed_count=unreviewed.count(),
        can_observe=request.user.has_perm("ambassadors.write_observation"),
    )
    return render(request, "ambassadors/fidelity_overview.html", context)


@never_cache
@permission_required("ambassadors.open_fidelity_reviews", raise_exception=True)
@require_safe
def fidelity_mine_view(request):
    """The runs a trainer leads, each with a link to its self-report."""
    runs = list(queries.fidelity_runs_led_by(user=request.user))
    return render(request, "ambassadors/fidelity_mine.html", {"runs": runs})


def _review_url(training, kind) -> str:
    return f"{reverse('ambassadors:fidelity_review', kwargs={'pk': training.pk})}?kind={kind}"


@never_cache
@permission_required("ambassadors.open_fidelity_reviews", raise_exception=True)  # role level
@require_http_methods(["GET", "HEAD", "POST"])
def fidelity_review_view(request, pk):
    # The run comes from the user's own queryset (404 otherwise).
    user = request.user
    training = get_object_or_404(queries.fidelity_review_runs(user=user), pk=pk)
    kinds = [kind for kind, perm in KIND_PERMISSIONS if user.has_perm(perm, training)]
    if not kinds:
        raise Http404
    asked = request.GET.get("kind")
    kind = asked if asked in kinds else kinds[0]
    review = FidelityReview.objects.filter(training=training, reviewer=user, kind=kind).first()
    if request.method == "POST":
        form = FidelityReviewForm(request.POST)
        if form.is_valid():
            try:
                fidelity_review_submit(training=training, reviewer=user, kind=kind, **form.answers())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your review is saved. You can change it here at any time."))
                return redirect(_review_url(training, kind))
        status = 400
    else:
        initial = FidelityReviewForm.initial_from(review, queries.review_scores(review))
        form, status = FidelityReviewForm(initial=initial), 200
    context = {
        "form": form,
        "training": training,
        "kind": kind,
        "kind_label": ReviewKind(kind).label,
        "kind_choices": [(choice, ReviewKind(choice).label, _review_url(training, choice)) for choice in kinds],
        "review": review,
        "refusal": fidelity_review_refusal(training=training, reviewer=user, kind=kind),
        "evaluation": queries.run_evaluation(training=training),
        "action_url": _review_url(training, kind),
    }
    return render(request, "ambassadors/fidelity_review.html", context, status=status)
