"""Read paths of the ambassadors app shared by its services and views."""

from collections import defaultdict

from trainings.enums import AssignmentRole

from ..enums import GRANTED_STATUSES, LEVEL_RANK, Level
from ..models import Certification

# The lowest certification level each role in a run needs; a candidate needs none (they practise
# under a certified lead).
ROLE_MINIMUM_LEVEL = {
    AssignmentRole.LEAD: Level.TRAINER,
    AssignmentRole.CO_TRAINER: Level.CO_TRAINER,
    AssignmentRole.CANDIDATE: None,
}


def granted_certifications(trainer_ids) -> dict[int, list[Certification]]:
    """Every approved or expired certification of these trainers, by trainer: one query."""
    found = defaultdict(list)
    for certification in Certification.objects.filter(holder_id__in=list(trainer_ids), status__in=GRANTED_STATUSES):
        found[certification.holder_id].append(certification)
    return found


def days_not_covered(certifications, days, minimum_level: str | None) -> list:
    """The days on which none of these certifications is valid at `minimum_level` or higher.
    Consecutive certifications (a renewal) together cover a run that spans both."""
    if minimum_level is None:
        return []
    rank = LEVEL_RANK[minimum_level]
    usable = [c for c in certifications if LEVEL_RANK[c.level] >= rank]
    return sorted({day for day in days if not any(c.is_valid_on(day) for c in usable)})
