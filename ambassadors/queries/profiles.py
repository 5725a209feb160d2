"""Read paths of the ambassador profile pages."""

from ..models import Ambassador


def ambassador_list():
    """Every profile with its account, person, organisation, region and invitation (one query):
    the staff list needs nothing per row."""
    return Ambassador.objects.select_related("user", "person", "organisation", "region", "invitation").order_by(
        "-created_at", "-pk"
    )
