"""Read paths of the staff's settings pages: locations and the completion rule per variant."""

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    Q,
)

from ..enums import (
    Variant,
)
from ..models import (
    DEFAULT_COMPLETION_MEETINGS,
    CompletionRule,
    Location,
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
