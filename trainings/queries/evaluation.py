"""Read paths of the evaluations: averages for staff and the research export."""

from functools import reduce
from operator import add

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncQuarter

from mentorwijs.accounts.models import User

from ..enums import (
    ActiveComponent,
    EvaluationMoment,
    SelfEfficacyItem,
)
from ..models import (
    Evaluation,
    Meeting,
    Training,
)

# --- evaluation (averages for staff, research export) ---


def _self_efficacy_score(prefix: str):
    """The mean of an evaluation's self-efficacy items (1–5), read from the JSON in the database.
    `prefix` is the path from the queried model to Evaluation ("" on Evaluation itself)."""
    items = [Cast(KeyTextTransform(code, f"{prefix}self_efficacy"), FloatField()) for code in SelfEfficacyItem.values]
    return ExpressionWrapper(reduce(add, items) / Value(float(len(items))), output_field=FloatField())


def _evaluation_averages(prefix: str = "") -> dict:
    """Annotations: answers per moment, mean satisfaction, mean self-efficacy before and after."""
    before = Q(**{f"{prefix}moment": EvaluationMoment.BEFORE})
    after = Q(**{f"{prefix}moment": EvaluationMoment.AFTER})
    score = _self_efficacy_score(prefix)
    return {
        "answers_before": Count(f"{prefix}id", filter=before),
        "answers_after": Count(f"{prefix}id", filter=after),
        "satisfaction": Avg(f"{prefix}satisfaction", filter=after),
        "self_efficacy_before": Avg(score, filter=before),
        "self_efficacy_after": Avg(score, filter=after),
    }


def evaluation_averages_per_run():
    """Runs with at least one evaluation, newest first, with their averages (one query)."""
    first_meeting = Meeting.objects.filter(training=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    return (
        Training.objects.filter(enrolments__evaluations__isnull=False)
        .select_related("region")
        .annotate(first_meeting_at=Subquery(first_meeting), **_evaluation_averages("enrolments__evaluations__"))
        .order_by("-first_meeting_at", "-pk")
    )


def evaluation_averages_per_trainer():
    """Trainers of runs with evaluations, by name, with the averages over their runs (one query)."""
    return (
        User.objects.filter(trainings_given__enrolments__evaluations__isnull=False)
        .annotate(
            runs=Count("trainings_given", distinct=True),
            **_evaluation_averages("trainings_given__enrolments__evaluations__"),
        )
        .order_by("last_name", "first_name", "pk")
    )


def evaluation_averages_per_quarter():
    """Averages per quarter of submission, oldest first (one query): before against after over time."""
    return (
        Evaluation.objects.annotate(quarter=TruncQuarter("submitted_at"))
        .values("quarter")
        .annotate(**_evaluation_averages())
        .order_by("quarter")
    )


def evaluation_usefulness_averages() -> list[tuple]:
    """(ActiveComponent, mean usefulness 1–5 or None) over all after-evaluations (one query)."""
    averages = Evaluation.objects.filter(moment=EvaluationMoment.AFTER).aggregate(
        **{
            component: Avg(Cast(KeyTextTransform(component, "usefulness"), FloatField()))
            for component in ActiveComponent.values
        }
    )
    return [(component, averages[component.value]) for component in ActiveComponent]


def evaluation_export_rows():
    """Every evaluation with what the research export needs, in a stable order (one query)."""
    return (
        Evaluation.objects.select_related("enrolment__training__region")
        .annotate(research_key=F("enrolment__person__research_key"))
        .only(
            "moment",
            "satisfaction",
            "self_efficacy",
            "usefulness",
            "remarks",
            "submitted_at",
            "enrolment__person_id",
            "enrolment__training__variant",
            "enrolment__training__region__name",
        )
        .order_by("enrolment__training_id", "moment", "submitted_at", "pk")
    )
