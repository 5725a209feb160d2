"""Read paths of the newsletter pages, each with a fixed number of queries whatever the rows."""

from django.db.models import Count, Prefetch, Q

from .enums import DeliveryStatus
from .models import Delivery, MailingList, Newsletter, Region


def newsletter_list():
    """Campaigns newest first with their lists and sent/failed/total counts: two queries."""
    return (
        Newsletter.objects.select_related("created_by")
        .prefetch_related(Prefetch("lists", queryset=MailingList.objects.order_by("name")))
        .annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.SENT)),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            delivery_count=Count("deliveries"),
        )
        .order_by("-created_at", "-pk")
    )


def newsletter_for_page(pk: int):
    """One campaign with its lists and regions (three queries), or None."""
    return (
        Newsletter.objects.select_related("created_by")
        .prefetch_related(
            Prefetch("lists", queryset=MailingList.objects.order_by("name")),
            Prefetch("regions", queryset=Region.objects.order_by("name")),
        )
        .filter(pk=pk)
        .first()
    )


def newsletter_progress(newsletter_id: int) -> dict:
    """Counts per delivery state in one query: sent, failed, skipped, remaining (pending + sending), total."""
    counts = dict(
        Delivery.objects.filter(newsletter_id=newsletter_id)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    remaining = counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0)
    return {
        "sent": counts.get(DeliveryStatus.SENT, 0),
        "failed": counts.get(DeliveryStatus.FAILED, 0),
        "skipped": counts.get(DeliveryStatus.SKIPPED, 0),
        "remaining": remaining,
        "total": sum(counts.values()),
    }
