"""Read path of the review page: a trainer's supervised practice (runs given as a candidate under
a certified lead), which counts toward their certification."""

from dataclasses import dataclass

from django.db.models import CharField, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Concat

from trainings.enums import AssignmentRole, MeetingStatus, TrainingStatus
from trainings.models import Assignment, Meeting, Training


@dataclass(frozen=True)
class SupervisedPractice:
    runs: list[Training]
    completed: int


def supervised_practice(*, holder_id: int) -> SupervisedPractice:
    """The runs where the holder was a candidate, latest first, each annotated with its last
    scheduled meeting and the name of its lead, and how many of them were completed: one query."""
    meetings = Meeting.objects.filter(training=OuterRef("pk"), status=MeetingStatus.SCHEDULED)
    lead = Assignment.objects.filter(training=OuterRef("pk"), role=AssignmentRole.LEAD).annotate(
        name=Concat("trainer__first_name", Value(" "), "trainer__last_name", output_field=CharField())
    )
    runs = list(
        Training.objects.filter(
            Exists(
                Assignment.objects.filter(training=OuterRef("pk"), trainer_id=holder_id, role=AssignmentRole.CANDIDATE)
            )
        )
        .annotate(
            last_meeting_at=Subquery(meetings.order_by("-starts_at").values("starts_at")[:1]),
            lead_name=Subquery(lead.order_by("assigned_at").values("name")[:1]),
        )
        .order_by(F("last_meeting_at").desc(nulls_last=True), "-pk")
    )
    # Counted on the rows just read: no query per run.
    return SupervisedPractice(runs=runs, completed=sum(run.status == TrainingStatus.COMPLETED for run in runs))
