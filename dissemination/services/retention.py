"""What the retention periods do in this app (called by mentorwijs.privacy.retention, which also
cleans the audit trail of the rows changed here).

Former subscribers: an address that unsubscribed, bounced or complained is kept, with its proof of
consent and of withdrawal, only as long as that proof may be needed (RETENTION_FORMER_SUBSCRIBER_YEARS).
Then the address goes everywhere it is kept: the subscriber row and its consent records get the
placeholder "verwijderd-<id>" (ConsentRecordQuerySet.forget_addresses, the one change a consent
record allows), name and organisation are emptied, and so are the bounce details and send errors
that may quote the address. The rows stay: how many people gave and withdrew consent, when, and
which newsletters reached how many, remain as figures. A later sign-up with the same address is a
new subscriber, with a new confirmation.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from ..enums import ConsentAction, ConsentSource
from ..models import ConsentRecord, Delivery, Event, MailEvent, Subscriber, forgotten_address
from .subscriptions import BLOCKED_STATUSES


def _address_still_known():
    """The subscriber row or one of its consent records still holds an address (a placeholder has no
    "@"). After a person's erasure the row holds the placeholder while the consent records keep the
    address as proof: those are forgotten here too."""
    return Q(email__contains="@") | Q(
        Exists(ConsentRecord.objects.filter(subscriber=OuterRef("pk"), email__contains="@"))
    )


def former_subscribers(*, before):
    """Subscribers who left (unsubscribed, bounced or complained), whose address is still known (see
    _address_still_known), and of whom nothing happened since `before`: signed up, confirmed,
    unsubscribed, every consent record and every bounce or complaint earlier."""
    return (
        Subscriber.objects.filter(_address_still_known(), status__in=BLOCKED_STATUSES, created_at__lt=before)
        .exclude(confirmed_at__gte=before)
        .exclude(unsubscribed_at__gte=before)
        .exclude(Exists(ConsentRecord.objects.filter(subscriber=OuterRef("pk"), at__gte=before)))
        .exclude(Exists(MailEvent.objects.filter(subscriber=OuterRef("pk"), at__gte=before)))
    )


def _withdraw_remaining_consent(subscriber_ids) -> int:
    """A withdrawal record (source staff) for every list whose latest record is still "given", and
    no lists left: the proof then ends with the withdrawal. One query to read, two to write."""
    latest = {}
    records = (
        ConsentRecord.objects.filter(subscriber_id__in=subscriber_ids)
        .order_by("at", "pk")
        .values_list("subscriber_id", "email", "mailing_list_id", "action")
    )
    for subscriber_id, email, list_id, action in records:
        latest[(subscriber_id, list_id)] = (email, action)
    withdrawals = [
        ConsentRecord(
            subscriber_id=subscriber_id,
            email=email,
            mailing_list_id=list_id,
            action=ConsentAction.WITHDRAWN,
            wording_version=settings.CONSENT_WORDING_VERSION,
            source=ConsentSource.STAFF,
            proof="",
        )
        for (subscriber_id, list_id), (email, action) in latest.items()
        if action == ConsentAction.GIVEN
    ]
    ConsentRecord.objects.bulk_create(withdrawals)
    Subscriber.lists.through.objects.filter(subscriber_id__in=subscriber_ids).delete()
    return len(withdrawals)


@transaction.atomic
def subscribers_forget(*, subscriber_ids) -> list[int]:
    """Forget the addresses of these subscribers (see the module docstring); those forgotten before
    are skipped. Side effects: consent still given is withdrawn first (a record per list, lists
    emptied); the address becomes the placeholder in the subscriber and all its consent records, the
    consent records' proof is emptied; name, organisation and an open confirmation request are
    emptied; bounce details and delivery errors are emptied. Status, dates and deliveries stay.
    Returns the ids changed."""
    ids = list(
        Subscriber.objects.select_for_update()
        .filter(_address_still_known(), pk__in=list(subscriber_ids))
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    _withdraw_remaining_consent(ids)
    Subscriber.objects.filter(pk__in=ids).update(
        email=forgotten_address("pk"), name="", organisation_name="", confirmation_request=None
    )
    ConsentRecord.objects.filter(subscriber_id__in=ids).forget_addresses()
    Delivery.objects.filter(subscriber_id__in=ids).exclude(last_error="").update(last_error="")
    MailEvent.objects.filter(subscriber_id__in=ids).exclude(detail="").update(detail="")
    return ids


@transaction.atomic
def event_notes_clear(*, before_day) -> int:
    """Empty the outcomes and follow-up notes of events held before `before_day` (free text that may
    name the people met); the event, its guests and the follow-up date and flag stay. Returns the
    events changed."""
    return (
        Event.objects.filter(date__lt=before_day).exclude(outcomes="", follow_up="").update(outcomes="", follow_up="")
    )
