"""Fidelity reviews: how faithfully a run followed the handbook.

After a run its lead trainer fills in a self-report; a master trainer who does not give the run
may add an observation once the run has started. Each review holds a score (0-4) per active component, the checklist and
notes; one review per run, kind and reviewer, so submitting again updates it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorwijs.accounts.roles import Role
from trainings.enums import ActiveComponent, AssignmentRole, MeetingStatus, TrainingStatus

from ..enums import ChecklistItem, ReviewKind
from ..models import FidelityReview, FidelityScore

SCORE_SCALE = range(0, 5)
NOTES_MAX_LENGTH = 4000


def score_field(component: str) -> str:
    """The field name a refusal about one component's score is reported under (and the form's)."""
    return f"score_{component}"


def fidelity_review_refusal(*, training, reviewer, kind: str, now=None) -> str | None:
    """Why `reviewer` may not submit a review of this kind for this run now, or None.

    A self-report is for the run's lead trainer, once the run is completed or its last scheduled
    meeting has ended. An observation is for a master trainer who does not give the run (in any
    role: nobody observes themself), once the run has started (it is completed or its first
    scheduled meeting has begun)."""
    now = now or timezone.now()
    if training.status in (TrainingStatus.DRAFT, TrainingStatus.CANCELLED):
        return _("This training run is not being given, so it cannot be reviewed.")
    meetings = training.meetings.filter(status=MeetingStatus.SCHEDULED).aggregate(
        first_start=Min("starts_at"), last_end=Max("ends_at")
    )
    completed = training.status == TrainingStatus.COMPLETED
    if kind == ReviewKind.SELF_REPORT:
        if not training.assignments.filter(trainer=reviewer, role=AssignmentRole.LEAD).exists():
            return _("Only the lead trainer of this run fills in the self-report.")
        if not completed and (meetings["last_end"] is None or meetings["last_end"] > now):
            return _("You can fill in the self-report once the last meeting has ended.")
        return None
    if kind == ReviewKind.OBSERVATION:
        if not reviewer.has_role(Role.MASTER_TRAINER):
            return _("Only a master trainer can add an observation.")
        if training.assignments.filter(trainer=reviewer).exists():
            return _("You give this run yourself: an observation comes from a master trainer who does not.")
        if not completed and (meetings["first_start"] is None or meetings["first_start"] > now):
            return _("You can add an observation once the run has started.")
        return None
    return _("Choose a kind of review.")


def _checked_scores(scores) -> dict[str, int]:
    errors = {}
    checked = {}
    unknown = set(scores) - set(ActiveComponent.values)
    if unknown:
        errors["scores"] = _("Unknown active component: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
    for component in ActiveComponent.values:
        value = scores.get(component)
        if value is None or value == "":
            errors[score_field(component)] = _("Give a score from 0 to 4.")
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or str(number) != str(value).strip() or number not in SCORE_SCALE:
            errors[score_field(component)] = _("A score runs from 0 to 4.")
            continue
        checked[component] = number
    if errors:
        raise ValidationError(errors)
    return checked


def _checked_checklist(checklist) -> dict[str, bool]:
    unknown = set(checklist) - set(ChecklistItem.values)
    if unknown:
        raise ValidationError(
            {"checklist": _("Unknown checklist item: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    return {item: bool(checklist.get(item, False)) for item in ChecklistItem.values}


def average_of(scores: dict[str, int]) -> Decimal:
    """The mean of the scores, to two decimals (half up)."""
    return (Decimal(sum(scores.values())) / Decimal(len(scores))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def fidelity_review_submit(
    *, training, reviewer, kind: str, scores: dict, checklist: dict, notes: str = ""
) -> FidelityReview:
    """Store (or, when this reviewer already sent one of this kind for this run, replace) a
    fidelity review: the review row with its checklist, notes, average and submission time, and
    one FidelityScore row per active component.

    Refuses with a ValidationError (keyed `kind` for who and when, `score_<component>` for a
    missing or out-of-range score, `notes` for notes that are too long); nothing is stored then.
    Sends no mail."""
    checked_scores = _checked_scores(scores)
    items = _checked_checklist(checklist)
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise ValidationError({"notes": _("Keep the notes under %(max)d characters.") % {"max": NOTES_MAX_LENGTH}})
    refusal = fidelity_review_refusal(training=training, reviewer=reviewer, kind=kind)
    if refusal:
        raise ValidationError({"kind": refusal})
    values = {**items, "notes": notes, "average": average_of(checked_scores), "submitted_at": timezone.now()}
    review = _locked_review(training=training, reviewer=reviewer, kind=kind, values=values)
    FidelityScore.objects.filter(review=review).delete()
    FidelityScore.objects.bulk_create(
        FidelityScore(review=review, component=component, score=score) for component, score in checked_scores.items()
    )
    return review


def _locked_review(*, training, reviewer, kind, values) -> FidelityReview:
    """The reviewer's review of this kind, updated with `values` (created when missing), locked
    for the rest of the transaction; a concurrent first submission makes this one an update."""
    lookup = {"training": training, "reviewer": reviewer, "kind": kind}
    review = FidelityReview.objects.select_for_update().filter(**lookup).first()
    if review is None:
        try:
            with transaction.atomic():
                return FidelityReview.objects.create(**lookup, **values)
        except IntegrityError:
            review = FidelityReview.objects.select_for_update().get(**lookup)
    for name, value in values.items():
        setattr(review, name, value)
    review.save(update_fields=list(values))
    return review
