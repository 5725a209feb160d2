"""Read paths of the trainings pages: each list page takes its rows from here, so its number of
queries is decided in one place."""

from functools import reduce
from operator import add

from django.db.models import (
    Avg,
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, TruncQuarter
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation, Person, Region
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role

from .enums import (
    ACTIVE_STATUSES,
    ENROLLABLE_STATUSES,
    PLACE_HOLDING_STATUSES,
    PUBLIC_STATUSES,
    PUBLIC_VARIANTS,
    ActiveComponent,
    EvaluationMoment,
    MeetingStatus,
    SelfEfficacyItem,
    TrainingStatus,
    Variant,
)
from .models import (
    DEFAULT_COMPLETION_MEETINGS,
    Assignment,
    Attendance,
    CompletionRule,
    Enrolment,
    Evaluation,
    Location,
    Meeting,
    Training,
)


def _places_held():
    """Annotation: the number of places held in a run (registered, offered, completed)."""
    held = (
        Enrolment.objects.filter(training=OuterRef("pk"), status__in=PLACE_HOLDING_STATUSES)
        .order_by()
        .values("training")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(held, output_field=IntegerField()), Value(0))


# --- enrolment and waiting list (public list, participant list) ---


def _publicly_enrollable():
    """Runs of a public variant that take enrolments and whose first scheduled meeting has not begun."""
    started = Meeting.objects.filter(
        training=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__lte=timezone.now()
    )
    return Training.objects.filter(status__in=ENROLLABLE_STATUSES, variant__in=PUBLIC_VARIANTS).exclude(Exists(started))


def public_training_list(*, region_id: int | None = None):
    """Runs that take enrolments, by region and first meeting, with places held and meetings.
    Runs whose first scheduled meeting has begun take no public enrolments and are left out."""
    first_meeting = Meeting.objects.filter(training=OuterRef("pk")).order_by("starts_at").values("starts_at")[:1]
    runs = (
        _publicly_enrollable()
        .select_related("region")
        .annotate(
            places_held=_places_held(),
            first_meeting_at=Subquery(first_meeting),
        )
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.select_related("location").order_by("number")))
        .order_by("region__name", "first_meeting_at", "pk")
    )
    if region_id is not None:
        runs = runs.filter(region_id=region_id)
    return runs


def public_regions():
    """Regions that have at least one run taking public enrolments."""
    return Region.objects.filter(pk__in=_publicly_enrollable().values("region_id")).order_by("name")


# --- the public organisation search ---

# Fewer letters than this find nothing: the search must not read out the list a letter at a time.
SEARCH_MIN_LETTERS = 3
SEARCH_RESULTS = 10


def public_organisations():
    """Organisations that are public already: hosting a public run (of a public variant, on the public
    list or feed), or confirmed by staff after a participant named them (Organisation.public_since).
    The public search and the public enrolment form see no other."""
    hosts_public_run = Training.objects.filter(
        host_organisation=OuterRef("pk"), variant__in=PUBLIC_VARIANTS, status__in=PUBLIC_STATUSES
    )
    return Organisation.objects.filter(Q(public_since__isnull=False) | Exists(hosts_public_run))


def public_organisations_named(q: str) -> list[dict]:
    """For the public search box: at most SEARCH_RESULTS public organisations whose name contains q
    (nothing for fewer than SEARCH_MIN_LETTERS letters), with id, name and city."""
    q = q.strip()
    if sum(character.isalnum() for character in q) < SEARCH_MIN_LETTERS:
        return []
    return list(
        public_organisations()
        .filter(name__icontains=q)
        .order_by("name", "pk")
        .values("id", "name", "city")[:SEARCH_RESULTS]
    )


def training_participants(*, training_id: int):
    """Every enrolment of a run with person and organisation, in line order (one query)."""
    return (
        Enrolment.objects.filter(training_id=training_id)
        .select_related("person__organisation", "enrolled_by", "certificate")
        .annotate(
            meetings_attended=Count("attendances", filter=Q(attendances__present=True)),
            # The ambassadors app's profile (a reverse relation, not an import): staff invite a
            # participant who completed the run and has none yet.
            has_ambassador_profile=Exists(Person.objects.filter(pk=OuterRef("person_id"), ambassador__isnull=False)),
        )
        .order_by("waitlisted_at", "created_at", "id")
    )


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
            places_held=_places_held(),
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
        {"enrolment": enrolment, "attendance": rows_here.get(enrolment.pk), "guest": False}
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


# --- settings pages (staff) ------------------------------------------------------------------


def location_list():
    """Every location with its region and the number of meetings held or planned there (in use:
    never deleted), active ones first. One query per page of rows."""
    return (
        Location.objects.select_related("region")
        .annotate(
            meeting_count=Count("meetings"),
            archived=ExpressionWrapper(Q(archived_at__isnull=False), output_field=BooleanField()),
        )
        .order_by("archived", "city", "name")
    )


def completion_rules() -> list[dict]:
    """One row per variant, in the order of Variant: the variant's value and label and the meetings its
    rule asks for (the default for a variant without a rule). One query."""
    found = dict(CompletionRule.objects.values_list("variant", "meetings_required"))
    return [
        {"variant": value, "label": label, "meetings_required": found.get(value, DEFAULT_COMPLETION_MEETINGS)}
        for value, label in Variant.choices
    ]


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
