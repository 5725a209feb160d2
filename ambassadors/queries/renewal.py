"""Read paths of the renewal pages: a trainer's own certifications, the public register, and the
staff pages of renewal rules and refresher meetings."""

from datetime import date

from django.contrib.auth.models import Group
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.utils import timezone

from mentorwijs.accounts.models import User

from ..enums import LEVEL_RANK, OPEN_STATUSES, CertificationStatus, RuleKind
from ..models import Ambassador, Certification, RefresherMeeting, RenewalRule
from ..services.eligibility import GIVING_USER_ROLES


def _valid_on(day: date):
    """Certifications that are valid on `day` (valid_until is the day they lapse)."""
    return Certification.objects.filter(status=CertificationStatus.APPROVED, valid_from__lte=day, valid_until__gt=day)


def _level_rank():
    return Case(
        *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )


def my_certifications(*, user) -> list[Certification]:
    """The user's certifications, newest request first, with what renews them: one query."""
    return list(Certification.objects.filter(holder=user).select_related("renews").order_by("-requested_at", "-pk"))


def current_certification(certifications, *, today: date | None = None) -> Certification | None:
    """Of these certifications, the one valid today at the highest level (the longest valid
    first among equals), or None."""
    today = today or timezone.localdate()
    valid = [
        c for c in certifications if c.status == CertificationStatus.APPROVED and c.valid_from <= today < c.valid_until
    ]
    return max(valid, key=lambda c: (LEVEL_RANK[c.level], c.valid_until, c.pk), default=None)


def open_renewal(certifications, *, current: Certification | None) -> Certification | None:
    """An open request (requested or waiting for information) that renews `current`."""
    if current is None:
        return None
    return next((c for c in certifications if c.renews_id == current.pk and c.status in OPEN_STATUSES), None)


def public_register(*, today: date | None = None):
    """Trainers who opted in to the public register and hold a certification valid today, with
    their highest current level and when that certification lapses, ordered by name (whatever its
    case). Never
    anyone without consent, or whose certification is requested, rejected, expired or revoked."""
    today = today or timezone.localdate()
    best = (
        _valid_on(today)
        .filter(holder=OuterRef("user"))
        .annotate(rank=_level_rank())
        .order_by("-rank", "-valid_until", "-pk")
    )
    return (
        Ambassador.objects.filter(
            Exists(_valid_on(today).filter(holder=OuterRef("user"))),
            public_listing=True,
            user__isnull=False,
            user__is_active=True,
        )
        .select_related("user", "region")
        .annotate(
            level=Subquery(best.values("level")[:1]),
            valid_until=Subquery(best.values("valid_until")[:1]),
        )
        .order_by(Lower("user__last_name"), Lower("user__first_name"), "pk")
    )


def renewal_rule_list():
    """Every renewal rule, those in force first, then by level (co-trainer up) and kind: one query."""
    kind_order = Case(*[When(kind=kind, then=Value(i)) for i, kind in enumerate(RuleKind.values)], default=Value(99))
    return RenewalRule.objects.annotate(level_rank=_level_rank(), kind_rank=kind_order).order_by(
        "-active", "level_rank", "kind_rank", "pk"
    )


def refresher_list():
    """Refresher meetings, the latest first, each with its number of attendees: one query."""
    return RefresherMeeting.objects.annotate(attendee_count=Count("attendees")).order_by("-held_on", "-pk")


def refresher_attendee_choices(*, meeting: RefresherMeeting):
    """Who can be recorded as attending: active trainers and master trainers, and whoever attended this
    meeting already; by name, each once."""
    giving = Group.objects.filter(user=OuterRef("pk"), name__in=GIVING_USER_ROLES)
    attended = Q(pk__in=meeting.attendees.values("pk")) if meeting.pk else Q(pk__in=[])
    return User.objects.filter(Q(Exists(giving), is_active=True) | attended).order_by("first_name", "last_name", "pk")
