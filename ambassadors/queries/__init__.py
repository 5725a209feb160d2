"""Read paths of the ambassadors app shared by its services and views."""

from collections import defaultdict

from ..enums import GRANTED_STATUSES
from ..models import Certification


def granted_certifications(trainer_ids) -> dict[int, list[Certification]]:
    """Every approved or expired certification of these trainers, by trainer: one query."""
    found = defaultdict(list)
    for certification in Certification.objects.filter(holder_id__in=list(trainer_ids), status__in=GRANTED_STATUSES):
        found[certification.holder_id].append(certification)
    return found
