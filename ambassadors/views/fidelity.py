"""Fidelity reviews: the form for a run's lead trainer (self-report) or a master trainer
(observation) with the participants' evaluation beside it, the runs a trainer leads, and the
heat map for staff and master trainers.

A role that writes no reviews gets 403; a trainer asking for a run they do not lead gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.forms import add_service_errors
from trainings.enums import ActiveComponent

from ..enums import ReviewKind
from ..forms.fidelity import FidelityReviewForm
from ..models import FidelityReview
from ..queries import quality as queries
from ..services.fidelity import fidelity_review_refusal, fidelity_review_submit

KIND_PERMISSIONS = [
    (ReviewKind.SELF_REPORT, "ambassadors.write_self_report"),
    (ReviewKind.OBSERVATION, "ambassadors.write_observation"),
]


@method_decorator(never_cache, name="dispatch")
class FidelityOverviewView(PermissionRequiredMixin, ListView):
    """The heat map per trainer (paginated) and per run, and the completed runs without a review."""

    permission_required = "ambassadors.view_fidelity"
    template_name = "ambassadors/fidelity_overview.html"
    paginate_by = 50
    context_object_name = "trainers"

    def get_queryset(self):
        return queries.fidelity_trainers()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
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
            can_observe=self.request.user.has_perm("ambassadors.write_observation"),
        )
        return context


@method_decorator(never_cache, name="dispatch")
class FidelityMineView(PermissionRequiredMixin, TemplateView):
    """The runs a trainer leads, each with a link to its self-report."""

    permission_required = "ambassadors.open_fidelity_reviews"
    template_name = "ambassadors/fidelity_mine.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(runs=list(queries.fidelity_runs_led_by(user=self.request.user)), **kwargs)


@method_decorator(never_cache, name="dispatch")
class FidelityReviewView(PermissionRequiredMixin, TemplateView):
    permission_required = "ambassadors.open_fidelity_reviews"
    template_name = "ambassadors/fidelity_review.html"

    def get_permission_object(self):
        return None  # role level; the run comes from the user's own queryset (404 otherwise)

    def setup_run(self):
        user = self.request.user
        self.training = get_object_or_404(queries.fidelity_review_runs(user=user), pk=self.kwargs["pk"])
        self.kinds = [kind for kind, perm in KIND_PERMISSIONS if user.has_perm(perm, self.training)]
        if not self.kinds:
            raise Http404
        asked = self.request.GET.get("kind")
        self.kind = asked if asked in self.kinds else self.kinds[0]
        self.review = FidelityReview.objects.filter(training=self.training, reviewer=user, kind=self.kind).first()

    def get(self, request, *args, **kwargs):
        self.setup_run()
        initial = FidelityReviewForm.initial_from(self.review, queries.review_scores(self.review))
        return self.render_to_response(self.get_context_data(form=FidelityReviewForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        self.setup_run()
        form = FidelityReviewForm(request.POST)
        if form.is_valid():
            try:
                fidelity_review_submit(training=self.training, reviewer=request.user, kind=self.kind, **form.answers())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your review is saved. You can change it here at any time."))
                return redirect(self.page_url(self.kind))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def page_url(self, kind):
        return f"{reverse('ambassadors:fidelity_review', kwargs={'pk': self.training.pk})}?kind={kind}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            training=self.training,
            kind=self.kind,
            kind_label=ReviewKind(self.kind).label,
            kind_choices=[(kind, ReviewKind(kind).label, self.page_url(kind)) for kind in self.kinds],
            review=self.review,
            refusal=fidelity_review_refusal(training=self.training, reviewer=self.request.user, kind=self.kind),
            evaluation=queries.run_evaluation(training=self.training),
            action_url=self.page_url(self.kind),
            **kwargs,
        )
