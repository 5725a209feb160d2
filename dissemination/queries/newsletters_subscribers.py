"""Reads of the staff subscriber pages, with a fixed number of queries whatever the rows."""

from django.db.models import Prefetch, Q

from ..models import ConsentRecord, MailEvent, MailingList, Subscriber


def subscriber_list(*, status: str = "", mailing_list: MailingList | None = None, target_group: str = "", q: str = ""):
    """Subscribers with their lists (one prefetch query), filtered; ordered by address."""
    subscribers = Subscriber.objects.prefetch_related(Prefetch("lists", queryset=MailingList.objects.order_by("name")))
    if status:
        subscribers = subscribers.filter(status=status)
    if mailing_list is not None:
        subscribers = subscribers.filter(lists=mailing_list)
    if target_group:
        subscribers = subscribers.filter(target_group=target_group)
    if q:
        subscribers = subscribers.filter(
            Q(email__icontains=q) | Q(name__icontains=q) | Q(organisation_name__icontains=q)
        )
    return subscribers.order_by("email", "pk")


def subscriber_detail():
    """One subscriber with its lists, its whole consent history (oldest first, with the list) and
    its bounces and complaints: three queries after the subscriber."""
    return Subscriber.objects.select_related("region").prefetch_related(
        Prefetch("lists", queryset=MailingList.objects.order_by("name")),
        Prefetch(
            "consents",
            queryset=ConsentRecord.objects.select_related("mailing_list").order_by("at", "pk"),
            to_attr="consent_history",
        ),
        Prefetch("mail_events", queryset=MailEvent.objects.order_by("-at", "-pk"), to_attr="event_history"),
    )
