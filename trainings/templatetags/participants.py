"""`{% training_participants training %}`: the run's participants by status, in one query.
`{% participant_feed_url enrolment %}`: the full address of a participant's calendar feed (mails)."""

from django import template

from .. import calendar
from ..enums import ACTIVE_STATUSES, LIVE_STATUSES, EnrolmentStatus
from ..queries import enrolment as queries
from ..services.enrolment import training_takes_staff_enrolments

register = template.Library()

# The order of the groups on the page.
GROUPS = [
    EnrolmentStatus.REGISTERED,
    EnrolmentStatus.OFFERED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.DROPPED_OUT,
    EnrolmentStatus.CANCELLED,
]


@register.inclusion_tag("trainings/includes/participants.html", takes_context=True)
def training_participants(context, training):
    by_status = {status: [] for status in GROUPS}
    enrolments = list(queries.training_participants(training_id=training.pk))
    for enrolment in enrolments:
        by_status[enrolment.status].append(enrolment)
    # Someone added after the run had begun: the meetings they missed, to catch up elsewhere.
    taking_part = [enrolment for enrolment in enrolments if enrolment.status in ACTIVE_STATUSES]
    catch_ups = queries.late_catch_ups(training=training, enrolments=taking_part)
    for enrolment in taking_part:
        enrolment.catch_ups = catch_ups.get(enrolment.pk, [])
    user = context.get("user")
    can_manage = bool(user and user.has_perm("trainings.manage_trainings"))
    groups = [
        {"status": status, "label": status.label, "enrolments": by_status[status], "live": status in LIVE_STATUSES}
        for status in GROUPS
    ]
    return {
        "training": training,
        "groups": groups,
        "total": len(enrolments),
        "can_manage": can_manage,
        "can_enrol": can_manage and training_takes_staff_enrolments(training),
    }


@register.simple_tag
def participant_feed_url(enrolment) -> str:
    """The participant's own calendar feed, with its own token (not the personal one)."""
    return calendar.participant_feed_url(enrolment)
