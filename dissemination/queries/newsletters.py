"""Read paths of the newsletter pages, each with a fixed number of queries whatever the rows."""

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from ..enums import DeliveryStatus, SubscriberStatus
from ..models import Delivery, MailingList, Newsletter, Region


def offered_lists():
    """The lists that are not archived, by name: what staff and the public may still choose."""
    return MailingList.objects.filter(archived_at__isnull=True).order_by("name")


def sign_up_lists():
    """The lists on the public sign-up form: public and not archived, by name."""
    return offered_lists().filter(public=True)


def mailing_list_list():
    """Every list (the archived ones last) with its confirmed and all subscribers and its newsletters
    counted: one query."""
    newsletters = (
        Newsletter.lists.through.objects.filter(mailinglist=OuterRef("pk"))
        .order_by()
        .values("mailinglist")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return MailingList.objects.annotate(
        confirmed_count=Count("subscribers", filter=Q(subscribers__status=SubscriberStatus.CONFIRMED)),
        subscriber_count=Count("subscribers"),
        newsletter_count=Coalesce(Subquery(newsletters, output_field=IntegerField()), Value(0)),
    ).order_by(F("archived_at").asc(nulls_first=True), "name")


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
