"""Renewal of certifications: progress against the renewal rules, and the lapse on the day.

The rules (RenewalRule) are data staff keep on their own pages (services/renewal_rules.py). What
counts is computed in the database within the validity period of the certification being renewed:
from valid_from up to today, or up to the day before valid_until when that comes first (valid_until
is the day it expires).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from trainings.enums import AssignmentRole, MeetingStatus, MessageStatus, TrainingStatus
from trainings.models import Assignment, Meeting, Training

from ..enums import CertificationAction, CertificationStatus, NoticeKind, RuleKind
from ..models import Certification, CertificationEvent, FidelityReview, RefresherMeeting, RenewalRule
from .eligibility import GIVING_ASSIGNMENT_ROLES
from .notices import WARNING_KINDS, notice_schedule


@dataclass(frozen=True)
class RuleProgress:
    """How far a holder has come on one renewal rule."""

    rule: RenewalRule
    achieved: int

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def label(self) -> str:
        return self.rule.get_kind_display()

    @property
    def minimum(self) -> int:
        return self.rule.minimum

    @property
    def met(self) -> bool:
        return self.achieved >= self.rule.minimum

    @property
    def percent(self) -> int:
        """0-100, for a progress bar."""
        return min(100, round(100 * self.achieved / self.rule.minimum))


def renewal_period(*, certification: Certification, today: date | None = None) -> tuple[date, date] | None:
    """The first and last day (both included) on which things count toward renewal, or None
    for a certification without a period (one that was never granted)."""
    if certification.valid_from is None or certification.valid_until is None:
        return None
    today = today or timezone.localdate()
    return certification.valid_from, min(today, certification.valid_until - timedelta(days=1))


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _count(queryset) -> Coalesce:
    """A scalar subquery: the number of rows of `queryset` (COUNT without GROUP BY)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _runs(*, holder_id: int, roles, start: datetime, end: datetime):
    """Completed runs the holder gave in one of `roles` whose last held meeting started in [start, end)."""
    held = Meeting.objects.filter(training=OuterRef("pk")).exclude(status=MeetingStatus.CANCELLED)
    return Training.objects.filter(
        Exists(Assignment.objects.filter(training=OuterRef("pk"), trainer_id=holder_id, role__in=roles)),
        Exists(held.filter(starts_at__gte=start, starts_at__lt=end)),
        ~Exists(held.filter(starts_at__gte=end)),
        status=TrainingStatus.COMPLETED,
    )


def _reviewed_runs(*, holder_id: int, start: datetime, end: datetime):
    """Distinct runs the holder gave (lead or co-trainer) with at least one review submitted in
    [start, end) by someone else whose average reaches the minimum score of the rule in the outer
    query (any average when it has none). The holder's own self-report never counts: nobody
    reviews themself toward their own renewal."""
    minimum_score = Coalesce(OuterRef(OuterRef("minimum_score")), Value(Decimal("0")), output_field=DecimalField())
    reviews = FidelityReview.objects.filter(
        training=OuterRef("pk"), submitted_at__gte=start, submitted_at__lt=end, average__gte=minimum_score
    ).exclude(reviewer_id=holder_id)
    gave = Assignment.objects.filter(training=OuterRef("pk"), trainer_id=holder_id, role__in=GIVING_ASSIGNMENT_ROLES)
    return Training.objects.filter(Exists(gave), Exists(reviews))


def renewal_progress(*, certification: Certification, today: date | None = None) -> list[RuleProgress]:
    """Progress per active renewal rule of the certification's level (in the order of RuleKind), in
    one query: the rules, each annotated with what the holder achieved within the validity period."""
    kind_order = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(RuleKind.values)], default=Value(99))
    rules = RenewalRule.objects.filter(level=certification.level, active=True).order_by(kind_order, "pk")
    period = renewal_period(certification=certification, today=today)
    if period is None:
        return [RuleProgress(rule=rule, achieved=0) for rule in rules]
    first_day, last_day = period
    start, end = _start_of(first_day), _start_of(last_day + timedelta(days=1))
    holder_id = certification.holder_id
    refreshers = RefresherMeeting.objects.filter(attendees=holder_id, held_on__gte=first_day, held_on__lte=last_day)
    achieved = Case(
        When(
            kind=RuleKind.RUNS_GIVEN,
            then=_count(_runs(holder_id=holder_id, roles=GIVING_ASSIGNMENT_ROLES, start=start, end=end)),
        ),
        When(
            kind=RuleKind.SUPERVISED_RUNS,
            then=_count(_runs(holder_id=holder_id, roles=[AssignmentRole.CANDIDATE], start=start, end=end)),
        ),
        When(kind=RuleKind.FIDELITY_REVIEWS, then=_count(_reviewed_runs(holder_id=holder_id, start=start, end=end))),
        When(kind=RuleKind.REFRESHERS, then=_count(refreshers)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return [RuleProgress(rule=rule, achieved=rule.achieved) for rule in rules.annotate(achieved=achieved)]


def renewal_rules_met(progress: list[RuleProgress]) -> bool:
    return all(item.met for item in progress)


# --- the lapse ---


def certification_expire(*, certification_id: int, today: date | None = None) -> bool:
    """Mark one approved certification whose valid_until has come as EXPIRED.

    Side effects: status EXPIRED; an EXPIRED event without actor; pending expiry warnings
    cancelled; an EXPIRED mail to the holder (stored once per certification, sent on commit),
    unless an approved renewal of it keeps the holder certified. Returns False when there was
    nothing to do (already expired, revoked, or not yet due), so running it twice is harmless."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # The conditional update is the claim: a second run (or a concurrent one) updates nothing.
        claimed = Certification.objects.filter(
            pk=certification_id, status=CertificationStatus.APPROVED, valid_until__lte=today
        ).update(status=CertificationStatus.EXPIRED)
        if not claimed:
            return False
        certification = Certification.objects.get(pk=certification_id)
        CertificationEvent.objects.create(certification=certification, action=CertificationAction.EXPIRED, actor=None)
        certification.notices.filter(kind__in=list(WARNING_KINDS.values()), status=MessageStatus.PENDING).update(
            status=MessageStatus.CANCELLED
        )
        renewed = certification.renewals.filter(status=CertificationStatus.APPROVED, valid_until__gt=today).exists()
        if not renewed:
            notice_schedule(certification=certification, kind=NoticeKind.EXPIRED)
    return True


def certifications_expire(*, today: date | None = None) -> int:
    """Every approved certification whose valid_until is today or earlier becomes EXPIRED (see
    certification_expire). Returns how many expired in this run."""
    today = today or timezone.localdate()
    due = Certification.objects.filter(status=CertificationStatus.APPROVED, valid_until__lte=today)
    return sum(certification_expire(certification_id=pk, today=today) for pk in list(due.values_list("pk", flat=True)))
