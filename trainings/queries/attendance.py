"""Read paths of attendance: the sheet of a meeting and the candidates for a catch-up."""

from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Concat

from ..enums import (
    ACTIVE_STATUSES,
    TrainingStatus,
)
from ..models import (
    Attendance,
    Enrolment,
    Meeting,
)

# --- attendance and catch-ups ---


def attendance_sheet(*, meeting) -> list[dict]:
    """The attendance list of a meeting: everyone taking part in its run, then the catch-up guests
    from other runs, each with their attendance row here (or None). Two queries."""
    rows_here = {
        row.enrolment_id: row
        for row in Attendance.objects.filter(meeting=meeting).select_related(
            "enrolment__person__organisation", "enrolment__training", "catches_up"
        )
    }
    participants = (
        Enrolment.objects.filter(training_id=meeting.training_id, status__in=ACTIVE_STATUSES)
        .select_related("person__organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    rows = [
        {
            "enrolment": enrolment,
            "attendance": rows_here.get(enrolment.pk),
            "guest": False,
            # Added late (services.enrolment): this meeting was theirs to catch up elsewhere.
            "joined_later": bool(enrolment.late_reason) and enrolment.created_at > meeting.starts_at,
        }
        for enrolment in participants
    ]
    guests = sorted(
        (row for row in rows_here.values() if row.catches_up_id and row.enrolment.training_id != meeting.training_id),
        key=lambda row: (row.enrolment.person.last_name, row.enrolment.person.first_name, row.pk),
    )
    rows += [{"enrolment": row.enrolment, "attendance": row, "guest": True} for row in guests]
    return rows


def catch_up_candidates(*, meeting, user, q: str = ""):
    """Participants of other runs of the same variant who can catch up this meeting: their own run
    has a meeting with this number, and they neither attended it nor caught it up yet. For a `user`
    who may browse them (trainings.browse_catch_up_candidates: staff), `q` narrows them by words of
    the name; for anyone else only someone whose full name is `q` is found, and nobody for an empty
    `q` (docs/security.md)."""
    full_name_only = not user.has_perm("trainings.browse_catch_up_candidates")
    number = meeting.number
    own_meeting = Meeting.objects.filter(training=OuterRef("training"), number=number)
    attended = Attendance.objects.filter(enrolment=OuterRef("pk"), present=True).filter(
        Q(meeting__training=OuterRef("training"), meeting__number=number) | Q(catches_up__number=number)
    )
    candidates = (
        Enrolment.objects.filter(status__in=ACTIVE_STATUSES, training__variant=meeting.training.variant)
        .exclude(training_id=meeting.training_id)
        .exclude(training__status=TrainingStatus.CANCELLED)
        .filter(Exists(own_meeting))
        .exclude(Exists(attended))
        .select_related("person__organisation", "training__region")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    if full_name_only:
        full_name = " ".join(q.split())
        if not full_name:
            return candidates.none()
        return candidates.annotate(
            full_name=Concat("person__first_name", Value(" "), "person__last_name", output_field=CharField())
        ).filter(full_name__iexact=full_name)
    for word in q.split():
        candidates = candidates.filter(Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word))
    return candidates
