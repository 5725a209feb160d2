"""The questionnaire behind the personal link, and what staff see of the answers."""

import csv
from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from mentorwijs.exports import xlsx_response

from ..enums import ActiveComponent, EvaluationMoment, SelfEfficacyItem
from ..forms import add_service_errors
from ..forms.evaluation import EvaluationForm
from ..models import Enrolment
from ..queries.evaluation import (
    evaluation_averages_per_quarter,
    evaluation_averages_per_run,
    evaluation_averages_per_trainer,
    evaluation_export_rows,
    evaluation_usefulness_averages,
)
from ..services.evaluation import MOMENT_BY_SLUG, evaluation_refusal, evaluation_submit, person_pseudonym


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def evaluation_form(request, token, moment):
    """The questionnaire of one moment; answered once, then a thank-you instead of the form."""
    moment = MOMENT_BY_SLUG.get(moment)
    if moment is None:
        raise Http404
    enrolment = get_object_or_404(Enrolment.objects.select_related("training", "person"), token=token)
    context = {"enrolment": enrolment, "training": enrolment.training, "moment": moment}
    if enrolment.evaluations.filter(moment=moment).exists():
        return render(request, "trainings/evaluation_thanks.html", context)
    refusal = evaluation_refusal(enrolment=enrolment, moment=moment)
    if refusal:
        return render(request, "trainings/evaluation_closed.html", {**context, "reason": refusal})

    form = EvaluationForm(request.POST or None, moment=moment)
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_submit(enrolment=enrolment, moment=moment, **form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(request.path)  # shows the thank-you; a reload does not post again
    return render(request, "trainings/evaluation_form.html", {**context, "form": form})


@never_cache
@permission_required("trainings.view_evaluations", raise_exception=True)
@require_GET
def evaluation_overview_view(request):
    """Averages per run, per trainer and per quarter; no single participant's answers."""
    return render(
        request,
        "trainings/evaluation_overview.html",
        {
            "runs": list(evaluation_averages_per_run()),
            "trainers": list(evaluation_averages_per_trainer()),
            "quarters": list(evaluation_averages_per_quarter()),
            "usefulness": evaluation_usefulness_averages(),
        },
    )


EXPORT_HEADER = [
    "pseudonym",
    "run",
    "variant",
    "region",
    "moment",
    "submitted",
    "satisfaction",
    *[f"self_efficacy_{item}" for item in SelfEfficacyItem.values],
    *[f"usefulness_{component}" for component in ActiveComponent.values],
]


def _export_headings() -> list[str]:
    """EXPORT_HEADER for people: the questionnaire's own labels, in the user's language."""
    return [
        _("Pseudonym"),
        _("Training run"),
        _("Variant"),
        _("Region"),
        _("Moment"),
        _("Submitted"),
        _("Satisfaction"),
        *[_("Self-efficacy: %(item)s") % {"item": label} for label in SelfEfficacyItem.labels],
        *[_("Usefulness: %(component)s") % {"component": label} for label in ActiveComponent.labels],
    ]


def _export_rows(*, labels: bool = False):
    """One row per evaluation, as values (numbers, a date, codes, or with `labels` the variant's and
    moment's names in the user's language; None where nothing was asked)."""
    for evaluation in evaluation_export_rows().iterator(chunk_size=1000):
        training = evaluation.enrolment.training
        after = evaluation.moment == EvaluationMoment.AFTER
        yield [
            person_pseudonym(evaluation.research_key),
            training.pk,
            training.get_variant_display() if labels else training.variant,
            training.region.name,
            evaluation.get_moment_display() if labels else evaluation.moment,
            timezone.localdate(evaluation.submitted_at),
            evaluation.satisfaction if after else None,
            *[evaluation.self_efficacy.get(item) for item in SelfEfficacyItem.values],
            *[evaluation.usefulness.get(component) if after else None for component in ActiveComponent.values],
        ]


def _csv_cell(value):
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


@never_cache
@require_http_methods(["GET"])
@permission_required("trainings.view_evaluations", raise_exception=True)
def evaluation_export(request):
    """One row per evaluation for research: a pseudonym per person, no names or email addresses.
    Only the scores: open remarks are free text that may name someone, so they stay in the system.
    Every cell is a number, a date, a code or a region name, so no cell can start a formula.
    CSV with codes as headers (for machines; UTF-8 with a byte-order mark, so Excel reads it)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mentorwijs-evaluaties.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(EXPORT_HEADER)
    for row in _export_rows():
        writer.writerow([_csv_cell(value) for value in row])
    return response


@never_cache
@require_http_methods(["GET"])
@permission_required("trainings.view_evaluations", raise_exception=True)
def evaluation_export_xlsx(request):
    """The same rows as evaluation_export, as an Excel sheet with the questions as headers."""
    return xlsx_response(
        filename="mentorwijs-evaluaties",
        title=_("Evaluations"),
        headers=_export_headings(),
        rows=_export_rows(labels=True),
    )
