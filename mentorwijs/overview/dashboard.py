"""The plan's progress in numbers: the read paths of the dashboard (/voortgang/).

Every number is counted by the database (Count, Exists, Subquery, grouped queries); Python only
puts the grouped results in order and fills the gaps with zeros. Each function runs one query
whatever the number of contacts, so the page's query count is fixed.

How the filters apply:
- target group and region narrow the organisations (their own target group and region); for
  participants (registered, trained, heard of) the target group is that of the person's
  organisation and the region that of the run; for trainers those of their ambassador profile;
- the period: contacts count by their date, registrations by the day of the enrolment's creation,
  completions by the day they completed (a moment counts on its day in the project's time zone,
  Europe/Amsterdam); a trainer counts when certified on the period's last day.

The conditions of the funnel's steps (`step_expression`) and of the participants
(`participant_enrolments`, `enrolled_between`, `completed_between`) take the period's days as dates
or as expressions, so the goals (mentorwijs/overview/goals.py) count with the same definitions,
each in its own period.
"""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate, TruncMonth
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.enums import GRANTED_STATUSES
from ambassadors.models import Certification
from dissemination.enums import Channel, OutreachChannel, Stage, TargetGroup
from dissemination.models import Goal, Organisation, OutreachContact, Region
from dissemination.queries.outreach import stage_rank_expression
from trainings.enums import EnrolmentStatus
from trainings.models import Enrolment

# Enrolments that count as "supervisors registered" (and as participants who heard of Mentorwijs).
REGISTERED_STATUSES = [
    EnrolmentStatus.REGISTERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.COMPLETED,
]

# The funnel: (rank, csv key, label). An organisation's step is the highest rank it reached; it
# counts in that step and in every earlier one.
TRAINER_STEP = 6
FUNNEL_STEPS = [
    (1, "informed", Stage.INFORMED.label),
    (2, "interested", Stage.INTERESTED.label),
    (3, "convinced", Stage.CONVINCED.label),
    (4, "supervisors_registered", Stage.SUPERVISORS_REGISTERED.label),
    (5, "trained", Stage.TRAINED.label),
    (TRAINER_STEP, "trainer", _("Trainer")),
]

MAX_PERIOD_MONTHS = 60


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last twelve months: from the first day of the month eleven months ago up to today."""
    today = today or timezone.localdate()
    month, year = today.month - 11, today.year
    if month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1), today


@dataclass(frozen=True)
class DashboardFilters:
    date_from: date
    date_to: date
    target_group: str = ""
    region: Region | None = None

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order. Counted, not stepped with a
        timedelta: a period ending in December 9999 (a date a visitor can type) must not overflow."""
        first = self.date_from.replace(day=1)
        count = (self.date_to.year - first.year) * 12 + self.date_to.month - first.month + 1
        return [
            date(first.year + (first.month - 1 + step) // 12, (first.month - 1 + step) % 12 + 1, 1)
            for step in range(max(count, 0))
        ]


@dataclass
class Row:
    key: str  # a stable code for tests and links: the target group, region name, month, channel
    cells: list  # the labels of the row's dimensions
    values: list[int]


@dataclass
class Table:
    """One table of the page, and the same numbers as a CSV file."""

    name: str  # the ?table= of the export
    dimensions: list[tuple[str, str]]  # (csv header, column heading)
    columns: list[tuple[str, str]]  # the number columns: (csv header, column heading)
    rows: list[Row]
    total: list[int] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def shown_rows(self) -> list[Row]:
        """The rows with at least one number: the page folds the rows of zeros away."""
        return [row for row in self.rows if any(row.values)]

    @property
    def folded_rows(self) -> list[Row]:
        """The rows whose numbers are all zero (the page names them in one line; exports keep them)."""
        return [row for row in self.rows if not any(row.values)]

    @property
    def keyed_rows(self) -> list[tuple[Row, list[tuple[str, int]]]]:
        """Each shown row with its values as (column key, value): the cells carry their column's key."""
        keys = [key for key, _label in self.columns]
        return [(row, list(zip(keys, row.values, strict=True))) for row in self.shown_rows]

    @property
    def keyed_total(self) -> list[tuple[str, int]]:
        return list(zip([key for key, _label in self.columns], self.total or [], strict=False))

    @property
    def by_month(self) -> bool:
        """The rows are months (their first cell the month's first day)."""
        return self.dimensions[0][0] == "month"

    @property
    def width(self) -> int:
        return len(self.dimensions) + len(self.columns)

    def chart(self, column: str) -> list[tuple[str, int]]:
        """(label, value) per shown row for one number column: the bars of a chart."""
        index = [key for key, _label in self.columns].index(column)
        return [(" · ".join(str(cell) for cell in row.cells), row.values[index]) for row in self.shown_rows]

    def total_chart(self, columns: list[str] | None = None) -> list[tuple[str, int]]:
        """(heading, total) per number column (or the columns named): the bars of the totals."""
        return [
            (label, value)
            for (key, label), value in zip(self.columns, self.total or [], strict=False)
            if columns is None or key in columns
        ]


def step_of(stage: Stage) -> int:
    """The funnel step a contact at `stage` reaches (1 informed .. 5 trained)."""
    return next(rank for rank, key, _label in FUNNEL_STEPS if key == stage)


# --- the shared conditions: the funnel here, the goals in goals.py ---------------------------------
# `date_from` and `date_to` are the period's first and last day (inclusive): dates, or expressions
# such as OuterRef(OuterRef("starts_on")) when each goal row brings its own period.


def local_day(field_name: str) -> TruncDate:
    """The day of a moment in the project's time zone (Europe/Amsterdam), whatever the active one."""
    return TruncDate(field_name, tzinfo=ZoneInfo(settings.TIME_ZONE))


def on_days(field_name: str, date_from, date_to) -> Q:
    """The moment `field_name` falls on a day from date_from up to and including date_to."""
    day = local_day(field_name)
    return Q(GreaterThanOrEqual(day, date_from), LessThanOrEqual(day, date_to))


def enrolled_between(date_from, date_to) -> Q:
    """An Enrolment that counts as registered (and as a participant) in the period: created then."""
    return Q(status__in=REGISTERED_STATUSES) & on_days("created_at", date_from, date_to)


def completed_between(date_from, date_to) -> Q:
    """An Enrolment completed in the period."""
    return Q(status=EnrolmentStatus.COMPLETED) & on_days("completed_at", date_from, date_to)


def certified_on(day) -> Q:
    """A Certification that makes its holder a trainer on `day`: granted, and valid_from <= day < valid_until."""
    return Q(status__in=GRANTED_STATUSES, valid_from__lte=day, valid_until__gt=day)


def participant_enrolments(*, target_group="", region=None):
    """Enrolments narrowed as participants are counted: the target group is that of the person's
    organisation, the region that of the run. `target_group` may be an expression (a goal's)."""
    enrolments = Enrolment.objects.all()
    if target_group:
        enrolments = enrolments.filter(person__organisation__target_group=target_group)
    if region is not None:
        enrolments = enrolments.filter(training__region=region)
    return enrolments


def contact_rank_expression(date_from, date_to) -> Coalesce:
    """For an organisation (the OuterRef("pk") row): the furthest stage of its contacts in the
    period as a funnel step (1 informed .. 5 trained), 0 without a contact."""
    rank = (
        OutreachContact.objects.filter(organisation=OuterRef("pk"), date__gte=date_from, date__lte=date_to)
        .order_by()
        .values("organisation")
        .annotate(rank=Max(stage_rank_expression() + 1))
        .values("rank")
    )
    return Coalesce(Subquery(rank, output_field=IntegerField()), Value(0))


def step_expression(date_from, date_to, *, trainers_on=None) -> Greatest:
    """For an organisation (the OuterRef("pk") row): its furthest funnel step in the period: the
    contact rank, 4 when a person of the organisation enrolled in the period, 5 when one completed
    a run in the period, and (only with `trainers_on`, a day) 6 when an ambassador of the
    organisation is certified as a trainer on that day."""
    enrolled = Enrolment.objects.filter(enrolled_between(date_from, date_to), person__organisation=OuterRef("pk"))
    completed = Enrolment.objects.filter(completed_between(date_from, date_to), person__organisation=OuterRef("pk"))
    steps = [
        contact_rank_expression(date_from, date_to),
        Case(When(Exists(enrolled), then=Value(step_of(Stage.SUPERVISORS_REGISTERED))), default=Value(0)),
        Case(When(Exists(completed), then=Value(step_of(Stage.TRAINED))), default=Value(0)),
    ]
    if trainers_on is not None:
        trainer = Certification.objects.filter(
            certified_on(trainers_on), holder__ambassador__organisation=OuterRef("pk")
        )
        steps.append(Case(When(Exists(trainer), then=Value(TRAINER_STEP)), default=Value(0)))
    return Greatest(*steps, output_field=IntegerField())


# --- organisations: reached and the funnel --------------------------------------------------------


def _organisations(filters: DashboardFilters):
    organisations = Organisation.objects.all()
    if filters.target_group:
        organisations = organisations.filter(target_group=filters.target_group)
    if filters.region is not None:
        organisations = organisations.filter(region=filters.region)
    return organisations


def organisations_with_step(filters: DashboardFilters):
    """The organisations (narrowed by target group and region) annotated in ONE query with
    `contact_rank` (see contact_rank_expression) and `step` (see step_expression), trainers counted
    on the period's last day."""
    return _organisations(filters).annotate(
        contact_rank=contact_rank_expression(filters.date_from, filters.date_to),
        step=step_expression(filters.date_from, filters.date_to, trainers_on=filters.date_to),
    )


FUNNEL_COLUMNS = [
    ("organisations", _("Organisations")),
    ("reached", _("Reached")),
    *[(key, label) for _rank, key, label in FUNNEL_STEPS],
]
REACHED_COLUMNS = [("organisations", _("Organisations")), ("reached", _("Reached"))]


def funnel_groups(filters: DashboardFilters) -> list[dict]:
    """The organisations matching the filters counted per (target group, region, furthest step,
    contact rank) in ONE grouped query, so each organisation's step is computed once. The funnel
    and reach tables only add up these few groups (at most target groups × regions × 7 × 6)."""
    return list(
        organisations_with_step(filters)
        .order_by()
        .values("target_group", "region__name", "step", "contact_rank")
        .annotate(organisations=Count("pk"))
    )


def _add(into: list[int] | None, group: dict) -> list[int]:
    """Add one group's organisations to a row of FUNNEL_COLUMNS (cumulative over the steps)."""
    into = into or [0] * len(FUNNEL_COLUMNS)
    count = group["organisations"]
    into[0] += count
    into[1] += count if group["contact_rank"] >= 1 else 0
    for index, (rank, _key, _label) in enumerate(FUNNEL_STEPS, start=2):
        into[index] += count if group["step"] >= rank else 0
    return into


def funnel_total(filters: DashboardFilters, groups: list[dict] | None = None) -> list[int]:
    """The funnel over all organisations that match the filters."""
    total = None
    for group in funnel_groups(filters) if groups is None else groups:
        total = _add(total, group)
    return total or [0] * len(FUNNEL_COLUMNS)


def funnel_per_target_group(filters: DashboardFilters, groups: list[dict] | None = None) -> Table:
    """One row per target group (all eight, zeros included): organisations, reached, and each
    funnel step, cumulative."""
    groups = funnel_groups(filters) if groups is None else groups
    per_group: dict[str, list[int]] = {}
    for group in groups:
        per_group[group["target_group"]] = _add(per_group.get(group["target_group"]), group)
    shown = [TargetGroup(filters.target_group)] if filters.target_group else list(TargetGroup)
    zeros = [0] * len(FUNNEL_COLUMNS)
    rows = [Row(key=group.value, cells=[group.label], values=per_group.get(group.value, zeros)) for group in shown]
    return Table(
        "funnel", [("target_group", _("Target group"))], FUNNEL_COLUMNS, rows, total=funnel_total(filters, groups)
    )


def funnel_per_region(filters: DashboardFilters, groups: list[dict] | None = None) -> Table:
    """One row per region that has organisations matching the filters, by name."""
    groups = funnel_groups(filters) if groups is None else groups
    per_region: dict[str, list[int]] = {}
    for group in groups:
        per_region[group["region__name"]] = _add(per_region.get(group["region__name"]), group)
    rows = [Row(key=name, cells=[name], values=per_region[name]) for name in sorted(per_region)]
    return Table("funnel_regions", [("region", _("Region"))], FUNNEL_COLUMNS, rows, total=funnel_total(filters, groups))


def reached_per_target_group_and_region(filters: DashboardFilters, groups: list[dict] | None = None) -> Table:
    """Organisations reached (at least one contact in the period) per target group and region,
    only the combinations with at least one reached."""
    groups = funnel_groups(filters) if groups is None else groups
    per_pair: dict[tuple[str, str], list[int]] = {}
    for group in groups:
        pair = per_pair.setdefault((group["target_group"], group["region__name"]), [0, 0])
        pair[0] += group["organisations"]
        pair[1] += group["organisations"] if group["contact_rank"] >= 1 else 0
    order = {value: index for index, value in enumerate(TargetGroup.values)}
    rows = [
        Row(key=f"{target_group}/{region}", cells=[TargetGroup(target_group).label, region], values=values)
        for (target_group, region), values in sorted(per_pair.items(), key=lambda item: (order[item[0][0]], item[0][1]))
        if values[1] > 0
    ]
    return Table("reached", [("target_group", _("Target group")), ("region", _("Region"))], REACHED_COLUMNS, rows)


# --- people -------------------------------------------------------------------------------------------


def _enrolments(filters: DashboardFilters):
    return participant_enrolments(target_group=filters.target_group, region=filters.region)


def people(filters: DashboardFilters) -> dict:
    """Supervisors registered (distinct persons enrolled in the period), supervisors trained
    (distinct persons who completed in the period) and trainers (distinct holders certified on the
    period's last day): two queries."""
    counts = _enrolments(filters).aggregate(
        registered=Count("person", distinct=True, filter=enrolled_between(filters.date_from, filters.date_to)),
        trained=Count("person", distinct=True, filter=completed_between(filters.date_from, filters.date_to)),
    )
    certifications = Certification.objects.filter(certified_on(filters.date_to))
    if filters.target_group:
        certifications = certifications.filter(holder__ambassador__organisation__target_group=filters.target_group)
    if filters.region is not None:
        certifications = certifications.filter(holder__ambassador__region=filters.region)
    counts["trainers"] = certifications.aggregate(trainers=Count("holder", distinct=True))["trainers"]
    return counts


ENROLMENT_MONTH_COLUMNS = [("registered", _("Registrations")), ("completed", _("Completions"))]


def enrolments_per_month(filters: DashboardFilters) -> Table:
    """Months (rows) × registrations (enrolments that count as registered, by the month of their
    creation) and completions (by the month they completed), each a month in Europe/Amsterdam: one
    grouped query over the pairs (month created, month completed); Python adds up the pairs."""
    registered = enrolled_between(filters.date_from, filters.date_to)
    completed = completed_between(filters.date_from, filters.date_to)
    amsterdam = ZoneInfo(settings.TIME_ZONE)
    pairs = (
        _enrolments(filters)
        .filter(registered | completed)
        .order_by()
        .values(
            created_month=TruncMonth("created_at", tzinfo=amsterdam, output_field=DateField()),
            completed_month=TruncMonth("completed_at", tzinfo=amsterdam, output_field=DateField()),
        )
        .annotate(registered=Count("pk", filter=registered), completed=Count("pk", filter=completed))
    )
    per_month: dict[date, list[int]] = {month: [0, 0] for month in filters.months()}
    for pair in pairs:
        if pair["registered"]:
            per_month[pair["created_month"]][0] += pair["registered"]
        if pair["completed"]:
            per_month[pair["completed_month"]][1] += pair["completed"]
    rows = [Row(key=f"{month:%Y-%m}", cells=[month], values=values) for month, values in per_month.items()]
    return Table(
        "enrolments",
        [("month", _("Month"))],
        ENROLMENT_MONTH_COLUMNS,
        rows,
        total=[sum(row.values[0] for row in rows), sum(row.values[1] for row in rows)],
    )


# --- contacts per channel per month ------------------------------------------------------------------


def _contacts(filters: DashboardFilters):
    contacts = OutreachContact.objects.filter(date__gte=filters.date_from, date__lte=filters.date_to)
    if filters.target_group:
        contacts = contacts.filter(organisation__target_group=filters.target_group)
    if filters.region is not None:
        contacts = contacts.filter(organisation__region=filters.region)
    return contacts.order_by()


CHANNEL_COLUMNS = [(channel.value, channel.label) for channel in OutreachChannel]


def contacts_per_channel_per_month(filters: DashboardFilters) -> Table:
    """Months (rows) × outreach channels (columns), and the total per channel: two grouped queries;
    the pivot only places the counts."""
    counts = {
        (row["month"], row["channel"]): row["contacts"]
        for row in _contacts(filters)
        .annotate(month=TruncMonth("date"))
        .values("month", "channel")
        .annotate(contacts=Count("pk"))
    }
    totals = {
        row["channel"]: row["contacts"] for row in _contacts(filters).values("channel").annotate(contacts=Count("pk"))
    }
    rows = [
        Row(
            key=f"{month:%Y-%m}",
            cells=[month],
            values=[counts.get((month, channel), 0) for channel, _label in CHANNEL_COLUMNS],
        )
        for month in filters.months()
    ]
    return Table(
        "channels",
        [("month", _("Month"))],
        CHANNEL_COLUMNS,
        rows,
        total=[totals.get(channel, 0) for channel, _label in CHANNEL_COLUMNS],
    )


# --- how participants heard of Mentorwijs -----------------------------------------------------------------

NOT_GIVEN = ""


def heard_of(filters: DashboardFilters) -> Table:
    """Participants (distinct persons enrolled in the period) per answer to "how did you hear of
    Mentorwijs?", each person once, with the answer of their earliest enrolment in the period, so
    the rows add up to the participants. Every channel is listed, "not given" only when someone
    left it empty (one query)."""
    enrolled = _enrolments(filters).filter(enrolled_between(filters.date_from, filters.date_to))
    earliest = enrolled.filter(person=OuterRef("person")).order_by("created_at", "pk").values("pk")[:1]
    counts = {
        row["source"]: row["participants"]
        for row in enrolled.filter(pk=Subquery(earliest))
        .order_by()
        .values("source")
        .annotate(participants=Count("person", distinct=True))
    }
    rows = [Row(key=channel.value, cells=[channel.label], values=[counts.get(channel.value, 0)]) for channel in Channel]
    if counts.get(NOT_GIVEN):
        rows.append(Row(key="not_given", cells=[_("Not given")], values=[counts[NOT_GIVEN]]))
    return Table(
        "heard_of", [("channel", _("Heard of Mentorwijs through"))], [("participants", _("Participants"))], rows
    )


# --- goals ---------------------------------------------------------------------------------------------


def goals_for(filters: DashboardFilters):
    """The goals for the chosen target group (all without one) whose period overlaps the filter's."""
    goals = Goal.objects.filter(starts_on__lte=filters.date_to, ends_on__gte=filters.date_from)
    if filters.target_group:
        goals = goals.filter(target_group=filters.target_group)
    return goals
