"""Read paths of the quality pages: the train-the-trainer lineage and the fidelity reviews.

Every page reads a fixed number of queries whatever the number of trainers: the counts come from
the database (values + annotate); Python only assembles the tree from those few result sets.
"""

from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from trainings.enums import (
    ActiveComponent,
    AssignmentRole,
    EnrolmentStatus,
    EvaluationMoment,
    MeetingStatus,
    TrainingStatus,
)
from trainings.models import Assignment, Enrolment, Evaluation, Meeting, Training
from trainings.queries.evaluation import evaluation_averages_per_run

from ..enums import GRANTED_STATUSES, LEVEL_RANK, CertificationStatus, Level, ReviewKind
from ..models import Certification, FidelityReview, FidelityScore
from ..services.eligibility import GIVING_ASSIGNMENT_ROLES

# A branch without a run within this period is flagged.
STALE_AFTER = relativedelta(months=12)
# Deeper generations than this are indented as far as this one (a phone is narrow).
MAX_INDENT = 8
LEVEL_BY_RANK = {rank: level for level, rank in LEVEL_RANK.items()}
# Certifications that place their holder (and their certifier) in the lineage: a revoked one too,
# so the person stays in the tree (shown as revoked) and keeps the people they certified below them.
LINEAGE_STATUSES = [*GRANTED_STATUSES, CertificationStatus.REVOKED]

# --- lineage ---


class NodeState:
    """How a person in the lineage stands today (the `data-state` of their row)."""

    ACTIVE = "active"  # holds a certification valid today
    LAPSED = "lapsed"  # their latest certification expired
    REVOKED = "revoked"  # their latest certification was revoked
    UNCERTIFIED = "uncertified"  # certified others but holds no certification in the tree


@dataclass
class LineageNode:
    pk: int
    name: str
    # None for a certifier who holds no certification in the tree.
    level: str | None
    active: bool
    parent_id: int | None
    state: str = NodeState.ACTIVE
    runs_given: int = 0
    supervisors_trained: int = 0
    last_run: date | None = None
    depth: int = 1
    # True when no one in this person's branch (them and everyone below) gave a run lately.
    stale: bool = False
    # True when the person's certifier chain loops back (bad data); shown as an original trainer.
    in_cycle: bool = False
    children: list = field(default_factory=list)

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""

    @property
    def revoked(self) -> bool:
        return self.state == NodeState.REVOKED

    @property
    def indent(self) -> int:
        """The indentation class of the name (lineage-indent-1 .. -8): deeper levels stay at 8."""
        return min(self.depth, MAX_INDENT)


@dataclass
class Generation:
    depth: int
    trainers: int
    supervisors_trained: int
    # Trainers in this generation per trainer in the previous one; None for the originals.
    multiplier: float | None


def _given_runs():
    """Assignments of trainers who gave a completed run, as lead or co-trainer."""
    return Assignment.objects.filter(role__in=GIVING_ASSIGNMENT_ROLES, training__status=TrainingStatus.COMPLETED)


def _lineage_people(today: date) -> list[dict]:
    """Everyone in the tree: whoever holds an approved, expired or revoked certification, and
    everyone who certified one of those (also without a certification of their own), so nobody's
    children lose their place. Per person: name; `top_rank`, the highest level granted (or, with
    none granted, the highest revoked; None for a certifier without any); `valid_today`; the
    status of their latest certification; and `parent_id`, the certifier of their earliest
    granted certification (of their earliest revoked one when none was granted). One query."""
    granted = Q(certifications__status__in=GRANTED_STATUSES)
    revoked = Q(certifications__status=CertificationStatus.REVOKED)
    lineage_certifications = Certification.objects.filter(status__in=LINEAGE_STATUSES)
    granted_first = Case(
        When(status__in=GRANTED_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    earliest_certifier = (
        lineage_certifications.filter(holder=OuterRef("pk"))
        .order_by(granted_first, F("valid_from").asc(nulls_last=True), "pk")
        .values("certified_by_id")[:1]
    )
    latest_status = (
        lineage_certifications.filter(holder=OuterRef("pk"))
        .order_by(F("valid_from").desc(nulls_last=True), "-pk")
        .values("status")[:1]
    )
    rank = Case(
        *[When(certifications__level=level, then=Value(value)) for level, value in LEVEL_RANK.items()],
        output_field=IntegerField(),
    )
    return list(
        User.objects.filter(
            Exists(lineage_certifications.filter(holder=OuterRef("pk")))
            | Exists(lineage_certifications.filter(certified_by=OuterRef("pk")))
        )
        .values("pk", "first_name", "last_name", "email")
        .annotate(
            top_rank=Coalesce(Max(rank, filter=granted), Max(rank, filter=revoked)),
            valid_today=Count(
                "certifications",
                filter=granted & Q(certifications__valid_from__lte=today, certifications__valid_until__gt=today),
            ),
            latest_status=Subquery(latest_status),
            parent_id=Subquery(earliest_certifier),
        )
        .order_by("last_name", "first_name", "pk")
    )


def _runs_per_trainer() -> dict[int, dict]:
    """{trainer id: {runs, last_run}}: distinct completed runs given and the start of their last
    scheduled meeting. One query."""
    rows = (
        _given_runs()
        .order_by()
        .values("trainer_id")
        .annotate(
            runs=Count("training", distinct=True),
            last_run=Max("training__meetings__starts_at", filter=Q(training__meetings__status=MeetingStatus.SCHEDULED)),
        )
    )
    return {row["trainer_id"]: row for row in rows}


def _supervisors_per_trainer() -> dict[int, int]:
    """{trainer id: distinct persons who completed one of the runs they gave}. One query."""
    completed = Q(training__enrolments__status=EnrolmentStatus.COMPLETED)
    rows = (
        _given_runs()
        .order_by()
        .values("trainer_id")
        .annotate(supervisors=Count("training__enrolments__person", distinct=True, filter=completed))
    )
    return {row["trainer_id"]: row["supervisors"] for row in rows}


def _runs_given_pairs() -> list[tuple[int, int]]:
    """(trainer id, run id) of every completed run given as lead or co-trainer. One query."""
    return list(_given_runs().order_by().values_list("trainer_id", "training_id").distinct())


def _completers_per_run() -> list[tuple[int, int]]:
    """(run id, person id) of everyone who completed a completed run that someone gave. One query."""
    return list(
        Enrolment.objects.filter(
            status=EnrolmentStatus.COMPLETED,
            training__status=TrainingStatus.COMPLETED,
            training__assignments__role__in=GIVING_ASSIGNMENT_ROLES,
        )
        .order_by()
        .values_list("training_id", "person_id")
        .distinct()
    )


def _assemble_tree(nodes: dict[int, LineageNode]) -> list[LineageNode]:
    """The nodes in depth-first order from the roots, each with its depth. A person whose
    certifier is missing (or themself) is a root; a loop of certifiers (bad data) is broken at
    its first person by name, who is then shown as a root too."""
    for node in nodes.values():
        if node.parent_id in nodes and node.parent_id != node.pk:
            nodes[node.parent_id].children.append(node)
        else:
            node.parent_id = None
    ordered: list[LineageNode] = []
    visited: set[int] = set()

    def walk(root: LineageNode):
        stack = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            if node.pk in visited:
                continue
            visited.add(node.pk)
            node.depth = depth
            ordered.append(node)
            # Reversed so the first child (by name) comes out first.
            stack.extend((child, depth + 1) for child in reversed(node.children) if child.pk not in visited)

    # `nodes` is in name order, so roots and children are too.
    for node in nodes.values():
        if node.parent_id is None:
            walk(node)
    for node in nodes.values():
        if node.pk not in visited:
            node.in_cycle = True
            node.parent_id = None
            walk(node)
    return ordered


def _flag_stale(ordered: list[LineageNode], cutoff) -> None:
    """A branch is stale when no one in it gave a run that started on or after `cutoff`."""
    recent = {node.pk: node.last_run is not None and node.last_run >= cutoff for node in ordered}
    # Children come after their parent in depth-first order: walk backwards to fold them up.
    by_pk = {node.pk: node for node in ordered}
    for node in reversed(ordered):
        if recent[node.pk] and node.parent_id is not None and node.parent_id in by_pk:
            recent[node.parent_id] = True
    for node in ordered:
        node.stale = not recent[node.pk]


def _state(person: dict) -> str:
    if person["valid_today"]:
        return NodeState.ACTIVE
    if person["latest_status"] is None:
        return NodeState.UNCERTIFIED
    if person["latest_status"] == CertificationStatus.REVOKED:
        return NodeState.REVOKED
    return NodeState.LAPSED


def lineage(*, today: date | None = None) -> dict:
    """The train-the-trainer tree: {"rows": nodes in depth-first order, "generations": [...]}.
    Five queries, whatever the number of trainers."""
    today = today or timezone.localdate()
    runs = _runs_per_trainer()
    supervisors = _supervisors_per_trainer()
    nodes: dict[int, LineageNode] = {}
    for person in _lineage_people(today):
        given = runs.get(person["pk"], {})
        last_run = given.get("last_run")
        nodes[person["pk"]] = LineageNode(
            pk=person["pk"],
            name=" ".join(filter(None, [person["first_name"], person["last_name"]])) or person["email"],
            level=LEVEL_BY_RANK.get(person["top_rank"]),
            active=person["valid_today"] > 0,
            state=_state(person),
            parent_id=person["parent_id"],
            runs_given=given.get("runs", 0),
            supervisors_trained=supervisors.get(person["pk"], 0),
            last_run=timezone.localdate(last_run) if last_run else None,
        )
    ordered = _assemble_tree(nodes)
    _flag_stale(ordered, today - STALE_AFTER)
    return {"rows": ordered, "generations": _generations(ordered, _runs_given_pairs(), _completers_per_run())}


def _generations(ordered: list[LineageNode], runs_given, completers) -> list[Generation]:
    """Per generation: trainers, distinct supervisors who completed a run given by one of them
    (a run given together, or a supervisor in two of its runs, counts once) and the multiplier."""
    depth_of = {node.pk: node.depth for node in ordered}
    trainers: dict[int, int] = {}
    for node in ordered:
        trainers[node.depth] = trainers.get(node.depth, 0) + 1
    runs_per_depth: dict[int, set[int]] = {}
    for trainer_id, training_id in runs_given:
        if trainer_id in depth_of:
            runs_per_depth.setdefault(depth_of[trainer_id], set()).add(training_id)
    persons_per_run: dict[int, set[int]] = {}
    for training_id, person_id in completers:
        persons_per_run.setdefault(training_id, set()).add(person_id)
    generations = []
    for depth in sorted(trainers):
        previous = trainers.get(depth - 1)
        persons = set().union(*(persons_per_run.get(run, set()) for run in runs_per_depth.get(depth, ())))
        generations.append(
            Generation(
                depth=depth,
                trainers=trainers[depth],
                supervisors_trained=len(persons),
                multiplier=trainers[depth] / previous if previous else None,
            )
        )
    return generations


# --- fidelity reviews ---

# Score bands of the heat map (average 0-4): below 2, 2 up to 3, 3 and above.
BANDS = [(3, "high"), (2, "middle"), (0, "low")]
HEAT_MAP_RUNS = 50
RUNS_WITHOUT_REVIEW_SHOWN = 50


def score_band(value) -> str:
    if value is None:
        return "none"
    return next(name for floor, name in BANDS if value >= floor)


def _component_averages(path: str, extra: Q | None = None) -> dict:
    """Annotations: the mean score per active component over the scores reached through `path`."""
    extra = extra or Q()
    return {
        f"avg_{component}": Avg(f"{path}score", filter=Q(**{f"{path}component": component}) & extra)
        for component in ActiveComponent.values
    }


def heat_map_cells(row) -> list[dict]:
    """The cells of one heat-map row, in ActiveComponent order."""
    cells = []
    for component in ActiveComponent:
        value = getattr(row, f"avg_{component.value}")
        cells.append({"component": component, "value": value, "band": score_band(value)})
    return cells


def fidelity_trainers():
    """Trainers who gave reviewed runs (lead or co-trainer), by name, with the number of reviewed
    runs and the mean score per component over every review of those runs. One query per page."""
    reviewed = Exists(
        Assignment.objects.filter(
            trainer=OuterRef("pk"), role__in=GIVING_ASSIGNMENT_ROLES, training__fidelity_reviews__isnull=False
        )
    )
    giving = Q(assignments__role__in=GIVING_ASSIGNMENT_ROLES)
    return (
        User.objects.filter(reviewed)
        .annotate(
            reviewed_runs=Count(
                "assignments__training",
                distinct=True,
                filter=giving & Q(assignments__training__fidelity_reviews__isnull=False),
            ),
            **_component_averages("assignments__training__fidelity_reviews__scores__", giving),
        )
        .order_by("last_name", "first_name", "pk")
    )


def fidelity_runs():
    """The latest reviewed runs (by their latest review), with the mean score per component, the
    number of reviews and the lead trainers. Two queries."""
    leads = Assignment.objects.filter(role=AssignmentRole.LEAD).select_related("trainer").order_by("pk")
    return (
        Training.objects.filter(Exists(FidelityReview.objects.filter(training=OuterRef("pk"))))
        .select_related("region")
        .annotate(
            reviews=Count("fidelity_reviews", distinct=True),
            last_reviewed_at=Max("fidelity_reviews__submitted_at"),
            **_component_averages("fidelity_reviews__scores__"),
        )
        .prefetch_related(Prefetch("assignments", queryset=leads, to_attr="leads"))
        .order_by("-last_reviewed_at", "-pk")[:HEAT_MAP_RUNS]
    )


def runs_without_review():
    """Completed runs that have no fidelity review at all, the most recent first."""
    last_meeting = (
        Meeting.objects.filter(training=OuterRef("pk"), status=MeetingStatus.SCHEDULED)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    return (
        Training.objects.filter(status=TrainingStatus.COMPLETED)
        .exclude(Exists(FidelityReview.objects.filter(training=OuterRef("pk"))))
        .select_related("region")
        .annotate(last_meeting_at=Subquery(last_meeting))
        .order_by(F("last_meeting_at").desc(nulls_last=True), "-pk")
    )


def fidelity_runs_led_by(*, user):
    """The runs a trainer leads (drafts and cancelled runs left out), latest first, each with
    whether their self-report is in. One query."""
    own_report = FidelityReview.objects.filter(training=OuterRef("pk"), reviewer=user, kind=ReviewKind.SELF_REPORT)
    scheduled = Meeting.objects.filter(training=OuterRef("pk"), status=MeetingStatus.SCHEDULED)
    return (
        Training.objects.filter(assignments__trainer=user, assignments__role=AssignmentRole.LEAD)
        .exclude(status__in=[TrainingStatus.DRAFT, TrainingStatus.CANCELLED])
        .select_related("region")
        .annotate(
            has_self_report=Exists(own_report),
            last_meeting_at=Subquery(scheduled.order_by("-starts_at").values("starts_at")[:1]),
        )
        .order_by(F("last_meeting_at").desc(nulls_last=True), "-pk")
    )


def run_evaluation(*, training) -> dict:
    """The participants' evaluation of one run, as trainings' staff overview reads it (answers,
    satisfaction 1-10, self-efficacy before and after), plus the mean usefulness (1-5) per
    active component from the after-questionnaires. Two queries."""
    averages = evaluation_averages_per_run().filter(pk=training.pk).first()
    usefulness = Evaluation.objects.filter(enrolment__training=training, moment=EvaluationMoment.AFTER).aggregate(
        **{
            component: Avg(Cast(KeyTextTransform(component, "usefulness"), FloatField()))
            for component in ActiveComponent.values
        }
    )
    return {
        "averages": averages,
        "usefulness": [(component, usefulness[component.value]) for component in ActiveComponent],
    }


def review_scores(review) -> dict[str, int]:
    """{component: score} of one review (one query)."""
    if review is None:
        return {}
    return dict(FidelityScore.objects.filter(review=review).values_list("component", "score"))


def fidelity_review_runs(*, user):
    """The runs whose review page a user may open: a master trainer every run being given (to
    observe it), a trainer the runs they lead. Other runs answer 404."""
    runs = Training.objects.exclude(status__in=[TrainingStatus.DRAFT, TrainingStatus.CANCELLED]).select_related(
        "region"
    )
    if user.has_role(Role.MASTER_TRAINER):
        return runs
    if user.has_role(Role.TRAINER):
        return runs.filter(
            Exists(Assignment.objects.filter(training=OuterRef("pk"), trainer=user, role=AssignmentRole.LEAD))
        )
    return runs.none()
