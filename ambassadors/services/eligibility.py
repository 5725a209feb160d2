"""Who may give a run, and in which role: the one place of these rules.

The services check them (assignments, offers, the meeting check, revoking a certification); the
read paths use them to show what the services would decide, and never decide again."""

from mentorwijs.accounts.roles import Role
from trainings.enums import AssignmentRole, TrainingStatus

from ..enums import LEVEL_RANK, Level

# The user roles that give runs: a master trainer trains supervisors too, also without the trainer role.
GIVING_USER_ROLES = (Role.TRAINER, Role.MASTER_TRAINER)
# The roles in a run that count as giving it: a candidate practises under supervision and gives none.
GIVING_ASSIGNMENT_ROLES = (AssignmentRole.LEAD, AssignmentRole.CO_TRAINER)
# The lowest certification level each role in a run needs; a candidate needs none (they practise
# under a certified lead).
ROLE_MINIMUM_LEVEL = {
    AssignmentRole.LEAD: Level.TRAINER,
    AssignmentRole.CO_TRAINER: Level.CO_TRAINER,
    AssignmentRole.CANDIDATE: None,
}
# Runs a trainer may still offer to give: not yet running, finished or cancelled.
OFFERABLE_STATUSES = [TrainingStatus.DRAFT, TrainingStatus.OPEN, TrainingStatus.FULL]
# Runs that take no new trainers: nothing is left to give.
CLOSED_STATUSES = (TrainingStatus.CANCELLED, TrainingStatus.COMPLETED)


def may_give_runs(user) -> bool:
    """An active user with the trainer or master-trainer role."""
    return user.is_active and any(user.has_role(role) for role in GIVING_USER_ROLES)


def days_not_covered(certifications, days, minimum_level: str | None) -> list:
    """The days on which none of these certifications is valid at `minimum_level` or higher.
    Consecutive certifications (a renewal) together cover a run that spans both."""
    if minimum_level is None:
        return []
    rank = LEVEL_RANK[minimum_level]
    usable = [c for c in certifications if LEVEL_RANK[c.level] >= rank]
    return sorted({day for day in days if not any(c.is_valid_on(day) for c in usable)})


# --- recording history ---
# Staff may record that a trainer gave meetings that have taken place (Assignment.as_history, with
# assigned_by): the certification rule does not look back for those meetings, only ahead. A run
# that was cancelled has no history to record.
HISTORY_CLOSED_STATUSES = (TrainingStatus.CANCELLED,)


def may_record_history(user) -> bool:
    """Only staff record history (assign a trainer to meetings that have taken place)."""
    return user is not None and user.is_active and user.has_role(Role.STAFF)


def needs_certification(meeting, *, as_history: bool, now) -> bool:
    """Whether a trainer's certification must cover this (scheduled) meeting's date: always, except
    a meeting that has begun for an assignment staff recorded as history."""
    return not (as_history and meeting.starts_at <= now)
