"""The read paths of outreach: contacts, follow-ups, an organisation's summary."""

from django.db.models import Count

# Outreach log -----------------------------------------------------------------------------------

FOLLOW_UP_WINDOW_DAYS = 7  # "due": on or before a week from today; earlier than today is overdue


def outreach_contacts(user):
    """The contacts this user may see and change: staff all, others their own."""
    from ..models import OutreachContact

    contacts = OutreachContact.objects.select_related("organisation", "person", "logged_by")
    if user.has_perm("dissemination.manage_outreach"):
        return contacts
    return contacts.filter(logged_by=user)


def follow_ups_open(user):
    """This user's own contacts with a follow-up not yet done, the earliest first."""
    from ..models import OutreachContact

    return (
        OutreachContact.objects.filter(logged_by=user, follow_up_done=False, follow_up_on__isnull=False)
        .select_related("organisation", "person")
        .order_by("follow_up_on", "pk")
    )


def follow_ups_due(user, today=None):
    """Open follow-ups that are overdue or due within FOLLOW_UP_WINDOW_DAYS."""
    from datetime import timedelta

    from django.utils import timezone

    today = today or timezone.localdate()
    return follow_ups_open(user).filter(follow_up_on__lte=today + timedelta(days=FOLLOW_UP_WINDOW_DAYS))


def stage_rank_expression(field: str = "stage"):
    """The funnel rank of a stage column (0 informed .. 4 trained), for Max() in the database."""
    from django.db.models import Case, IntegerField, Value, When

    from ..enums import STAGE_ORDER

    return Case(
        *(When(**{field: stage}, then=Value(rank)) for rank, stage in enumerate(STAGE_ORDER)),
        output_field=IntegerField(),
    )


def organisation_outreach_summary(organisation):
    """Per ambassador who had contact with the organisation: their name, the number of contacts,
    the first and last date and the furthest stage reached (rank). Computed in the database; no notes."""
    from django.db.models import Max, Min

    return (
        organisation.outreach_contacts.values(
            "logged_by", "logged_by__first_name", "logged_by__last_name", "logged_by__email"
        )
        .annotate(
            contacts=Count("pk"), first_date=Min("date"), last_date=Max("date"), rank=Max(stage_rank_expression())
        )
        .order_by("-last_date", "logged_by")
    )
