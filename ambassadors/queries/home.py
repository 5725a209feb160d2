"""What the home page asks of each role in the ambassadors app (the overview app shows it)."""

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trainings.enums import AssignmentRole, TrainingStatus
from trainings.models import Assignment, Training

from ..enums import OPEN_STATUSES, OfferStatus
from ..models import AssignmentOffer, Certification
from ..services.eligibility import OFFERABLE_STATUSES
from .quality import fidelity_runs_led_by
from .renewal import current_certification, my_certifications

SELF_REPORTS_SHOWN = 5
WARN_BEFORE = relativedelta(months=6)


def home_tasks(user) -> dict:
    """At most one query per item, only for the roles it concerns."""
    today, now = timezone.localdate(), timezone.now()
    tasks = {}
    if user.has_perm("ambassadors.request_certification"):
        current = current_certification(my_certifications(user=user), today=today)
        tasks["certification"] = {
            "current": current,
            "expiring": current is not None and current.valid_until <= today + WARN_BEFORE,
        }
    if user.has_perm("ambassadors.offer_to_train"):
        ended = Q(status=TrainingStatus.COMPLETED) | Q(last_meeting_at__lt=now)
        runs = fidelity_runs_led_by(user=user).filter(ended, has_self_report=False)
        tasks["self_reports_due"] = list(runs[:SELF_REPORTS_SHOWN])
    if user.has_perm("ambassadors.review_certifications"):
        tasks["requests_waiting"] = Certification.objects.filter(status__in=OPEN_STATUSES).exclude(holder=user).count()
    if user.has_perm("ambassadors.manage_assignments"):
        lead = Assignment.objects.filter(training=OuterRef("pk"), role=AssignmentRole.LEAD)
        tasks["runs_without_lead"] = (
            Training.objects.filter(status__in=OFFERABLE_STATUSES, meetings__starts_at__gt=now)
            .exclude(Exists(lead))
            .distinct()
            .count()
        )
        tasks["offers_waiting"] = AssignmentOffer.objects.filter(status=OfferStatus.OPEN).count()
    return tasks
