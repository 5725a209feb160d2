"""Read paths of scheduling: the staff list and detail, the calendar and the feeds, who gives which run."""

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role

from ..enums import (
    ACTIVE_STATUSES,
    LIVE_STATUSES,
    PUBLIC_STATUSES,
    PUBLIC_VARIANTS,
    MeetingStatus,
    MessageStatus,
    TrainingStatus,
)
from ..models import (
    Assignment,
    Meeting,
    RunMessage,
    Training,
)
from .enrolment import places_held

# --- scheduling (staff list, detail, calendar, feeds) ---


def runs_not_ended():
    """Runs that have not ended: not completed or cancelled, with a scheduled meeting that ends
    after now or no scheduled meeting yet. Erasing a participant or a trainer waits for these."""
    scheduled = Meeting.objects.filter(training=OuterRef("pk")).exclude(status=MeetingStatus.CANCELLED)
    return Training.objects.exclude(status__in=[TrainingStatus.COMPLETED, TrainingStatus.CANCELLED]).filter(
        Q(Exists(scheduled.filter(ends_at__gt=timezone.now()))) | ~Q(Exists(scheduled))
    )


def trainings_visible_to(user):
    """Runs a user may see in the staff pages: staff and master trainers all, trainers those they give."""
    if user.has_role(Role.STAFF) or user.has_role(Role.MASTER_TRAINER):
        return Training.objects.all()
    if user.has_role(Role.TRAINER):
        return Training.objects.filter(trainers=user)
    return Training.objects.none()


def training_list(*, user):
    """The staff list: region, host, first and last meeting, number of meetings and places held."""
    scheduled = Meeting.objects.filter(training=OuterRef("pk"), status=MeetingStatus.SCHEDULED)
    meeting_count = scheduled.order_by().values("training").annotate(count=Count("pk")).values("count")
    return (
        trainings_visible_to(user)
        # The host by prefetch: joined, PostgreSQL hashed all organisations before sorting the runs.
        .select_related("region")
        .prefetch_related("host_organisation")
        .annotate(
            places_held=places_held(),
            meeting_count=Coalesce(Subquery(meeting_count, output_field=IntegerField()), Value(0)),
            first_meeting_at=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
            last_meeting_at=Subquery(scheduled.order_by("-starts_at").values("starts_at")[:1]),
        )
        .order_by(F("first_meeting_at").desc(nulls_last=True), "-pk")
    )


def training_detail(*, user):
    """One run with meetings (and their locations) and trainers, for the detail page."""
    return (
        trainings_visible_to(user)
        .select_related("region", "host_organisation")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.select_related("location").order_by("number")),
            "trainers",
        )
    )


def message_meetings(*, training):
    """The meetings a message to the run's participants may be about: scheduled, not yet ended."""
    return training.meetings.filter(status=MeetingStatus.SCHEDULED, ends_at__gt=timezone.now()).order_by("number")


# A mail in one of these has gone out, or is going out right now.
GONE_OUT = [MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.FAILED]


def run_message_history(*, training_id: int):
    """The run's mail history, newest first: each message and cancellation with its sender and meeting,
    and how many mails it made (`recipients`), still wait, were delivered, failed, and have gone out or are going
    out (`gone_out`: a cancellation can then no longer be undone). One query."""
    mails = {
        "waiting": Q(mails__status__in=[MessageStatus.PENDING, MessageStatus.SENDING]),
        "delivered": Q(mails__status=MessageStatus.SENT),
        "failed": Q(mails__status=MessageStatus.FAILED),
        "gone_out": Q(mails__status__in=GONE_OUT),
    }
    return (
        RunMessage.objects.filter(training_id=training_id)
        .select_related("sent_by", "meeting", "undone_by")
        .annotate(recipients=Count("mails"), **{name: Count("mails", filter=where) for name, where in mails.items()})
        .order_by("-sent_at", "-pk")
    )


def cancellation_recipients(*, training) -> tuple[list, list]:
    """Who a cancellation of the run tells: its live enrolments (registered, waiting, offered a place)
    with their person, and its trainers, each by name (two queries)."""
    enrolments = list(
        training.enrolments.filter(status__in=LIVE_STATUSES)
        .select_related("person")
        .order_by(Lower("person__last_name"), Lower("person__first_name"), "pk")
    )
    trainers = list(training.trainers.order_by(Lower("last_name"), Lower("first_name"), "pk"))
    return enrolments, trainers


def enrolment_counts(*, training) -> dict[str, int]:
    """{enrolment status: number} for one run."""
    rows = training.enrolments.order_by().values("status").annotate(count=Count("pk"))
    return {row["status"]: row["count"] for row in rows}


def calendar_meetings(*, user, start, end):
    """Meetings of the runs the user may see that start in [start, end), in time order."""
    return (
        Meeting.objects.filter(training__in=trainings_visible_to(user), starts_at__gte=start, starts_at__lt=end)
        .select_related("training", "location")
        .order_by("starts_at", "pk")
    )


def feed_meetings_public():
    """Meetings of every public run (a public variant; open, full, running) for the public calendar feed."""
    return (
        Meeting.objects.filter(training__status__in=PUBLIC_STATUSES, training__variant__in=PUBLIC_VARIANTS)
        .select_related("training", "location")
        .order_by("starts_at", "pk")
    )


def feed_meetings_for_trainer(*, user):
    """Meetings of the runs a trainer gives, drafts included, cancelled runs left out."""
    return (
        Meeting.objects.filter(training__trainers=user)
        .exclude(training__status=TrainingStatus.CANCELLED)
        .select_related("training", "location")
        .order_by("starts_at", "pk")
    )


def feed_meetings_for_enrolment(*, enrolment):
    """Meetings of a participant's run while they take part in it (nothing otherwise)."""
    if enrolment.status not in ACTIVE_STATUSES or enrolment.training.status in (
        TrainingStatus.DRAFT,
        TrainingStatus.CANCELLED,
    ):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(training_id=enrolment.training_id)
        .select_related("training", "location")
        .order_by("starts_at", "pk")
    )


def runs_given_by(user: User) -> list[tuple[str, str]]:
    """The runs not yet completed or cancelled that the account gives, with its role, as (text, url)
    pairs for the page that asks before deactivating it (accounts.queries.ACCOUNT_COMMITMENTS)."""
    assignments = (
        Assignment.objects.filter(trainer=user)
        .exclude(training__status__in=[TrainingStatus.COMPLETED, TrainingStatus.CANCELLED])
        .select_related("training")
        .order_by("training__title", "training__pk")
    )
    return [
        (
            f"{assignment.training} ({assignment.get_role_display()})",
            reverse("trainings:training_detail", args=[assignment.training.pk]),
        )
        for assignment in assignments
    ]
