"""What the retention periods and a person's erasure do to this app's rows (called by
mentorwijs.privacy, which also cleans the audit trail of the rows changed here).

Former subscribers: an address that unsubscribed, bounced or complained is kept, with its proof of
consent and of withdrawal, only as long as that proof may be needed (the period retention_former_subscriber_years).
Then the address goes everywhere it is kept: the subscriber row and its consent records get the
placeholder "verwijderd-<id>" (forgotten_address; ConsentRecordQuerySet.forget_addresses, the one
change a consent record allows), name and organisation are emptied, and so are the bounce details
and send errors that may quote the address. The rows stay: how many people gave and withdrew
consent, when, and which newsletters reached how many, remain as figures. A later sign-up with the
same address is a new subscriber, with a new confirmation.

A person's erasure (subscribers_forget_person) does the same to the subscribers linked to the person
or with their address, at once, except that the earlier consent records keep the address: that is
the proof of consent, kept for the period above counted from the withdrawal the erasure records;
then the former subscribers' rule takes it out.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from ..enums import ConsentAction, ConsentSource, SubscriberStatus
from ..models import (
    FORGOTTEN_ADDRESS_PREFIX,
    ConsentRecord,
    Delivery,
    Event,
    MailEvent,
    OutreachContact,
    Subscriber,
    forgotten_address,
)
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
    unsubscribed, asked for a confirmation (a sign-up again, whose link must keep working; an open
    request holds its time in confirmation_sent_at too), every consent record and every bounce or
    complaint earlier."""
    return (
        Subscriber.objects.filter(_address_still_known(), status__in=BLOCKED_STATUSES, created_at__lt=before)
        .exclude(confirmed_at__gte=before)
        .exclude(unsubscribed_at__gte=before)
        .exclude(confirmation_sent_at__gte=before)
        .exclude(Exists(ConsentRecord.objects.filter(subscriber=OuterRef("pk"), at__gte=before)))
        .exclude(Exists(MailEvent.objects.filter(subscriber=OuterRef("pk"), at__gte=before)))
    )


def _withdraw_remaining_consent(subscriber_ids) -> int:
    """A withdrawal record (source staff, with the placeholder address) for every list whose latest
    record is still "given", and no lists left: the proof then ends with the withdrawal. One query
    to read, two to write."""
    latest = {}
    records = (
        ConsentRecord.objects.filter(subscriber_id__in=subscriber_ids)
        .order_by("at", "pk")
        .values_list("subscriber_id", "mailing_list_id", "action")
    )
    for subscriber_id, list_id, action in records:
        latest[(subscriber_id, list_id)] = action
    withdrawals = [
        ConsentRecord(
            subscriber_id=subscriber_id,
            email=f"{FORGOTTEN_ADDRESS_PREFIX}{subscriber_id}",  # forgotten_address, in Python
            mailing_list_id=list_id,
            action=ConsentAction.WITHDRAWN,
            wording_version=settings.CONSENT_WORDING_VERSION,
            source=ConsentSource.STAFF,
            proof="",
        )
        for (subscriber_id, list_id), action in latest.items()
        if action == ConsentAction.GIVEN
    ]
    ConsentRecord.objects.bulk_create(withdrawals)
    Subscriber.lists.through.objects.filter(subscriber_id__in=subscriber_ids).delete()
    return len(withdrawals)


def _forget(subscriber_ids, *, keep_proof: bool) -> None:
    """Withdraw the consent still given, put the placeholder in the subscriber rows (the consent
    records too, unless `keep_proof`), empty name, first name, organisation, an open confirmation request (it
    must not be mailed any more), bounce details and delivery errors. The rows must be locked."""
    _withdraw_remaining_consent(subscriber_ids)
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        email=forgotten_address("pk"), name="", first_name="", organisation_name="", confirmation_request=None
    )
    if not keep_proof:
        ConsentRecord.objects.filter(subscriber_id__in=subscriber_ids).forget_addresses()
    Delivery.objects.filter(subscriber_id__in=subscriber_ids).exclude(last_error="").update(last_error="")
    MailEvent.objects.filter(subscriber_id__in=subscriber_ids).exclude(detail="").update(detail="")


@transaction.atomic
def subscribers_forget(*, subscriber_ids, before) -> list[int]:
    """Forget the addresses of these subscribers (see the module docstring), as far as they are
    still former subscribers as of `before` (the filter is applied again to the locked rows: one
    who signed up again or confirmed since the ids were read is left alone); those forgotten before
    are skipped. Side effects: consent still given is withdrawn first (a record per list, lists
    emptied); the address becomes the placeholder in the subscriber and all its consent records, the
    consent records' proof is emptied; name, organisation and an open confirmation request are
    emptied; bounce details and delivery errors are emptied. Status, dates and deliveries stay.
    Returns the ids changed."""
    ids = list(
        former_subscribers(before=before)
        .select_for_update()
        .filter(pk__in=list(subscriber_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        _forget(ids, keep_proof=False)
    return ids


@transaction.atomic
def subscribers_forget_person(*, person, email: str) -> list[int]:
    """A person's erasure (mentorwijs.privacy.services.erasure.person_erase): the subscribers linked
    to `person` or with `email` (compared without case through LOWER(email), the expression of the
    subscribers' unique index; email__iexact read every row on PostgreSQL) leave every list (a
    withdrawal record per list, source staff, with the placeholder) and are unsubscribed now (also
    one that bounced or complained); the address becomes the placeholder, name, organisation and an
    open confirmation request are emptied, bounce details and delivery errors too. The earlier
    consent records keep the address as proof (see the module docstring). Returns the ids changed."""
    match = Q(person=person)
    if email:
        match |= Q(email_lower=email.lower())
    ids = list(
        Subscriber.objects.alias(email_lower=Lower("email"))
        .select_for_update()
        .filter(match)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        _forget(ids, keep_proof=True)
        Subscriber.objects.filter(pk__in=ids).exclude(status=SubscriberStatus.UNSUBSCRIBED).update(
            status=SubscriberStatus.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
    return ids


@transaction.atomic
def event_notes_clear(*, before_day) -> int:
    """Empty the outcomes and follow-up notes of events held before `before_day` (free text that may
    name the people met); the event, its guests and the follow-up date and flag stay. Returns the
    events changed."""
    return (
        Event.objects.filter(date__lt=before_day).exclude(outcomes="", follow_up="").update(outcomes="", follow_up="")
    )


@transaction.atomic
def unconfirmed_subscribers_delete(*, before) -> tuple[list[int], int]:
    """Delete subscribers still PENDING who signed up, and were last asked to confirm, before `before`.
    A pending subscriber has no consent records (consent is recorded on
    confirmation); one that has any is left alone, since those records are proof that must be kept.
    Their list memberships go with them. Returns the ids read and the number deleted."""
    due = (
        Subscriber.objects.filter(status=SubscriberStatus.PENDING, created_at__lt=before)
        .exclude(confirmation_sent_at__gte=before)
        .exclude(consents__isnull=False)
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return [], 0
    _total, per_model = Subscriber.objects.filter(pk__in=ids).delete()
    return ids, per_model.get(Subscriber._meta.label, 0)


@transaction.atomic
def outreach_notes_clear(*, before_day) -> int:
    """Empty the notes of outreach contacts dated before `before_day`; the contact itself (who, when,
    organisation, channel, stage) stays for the dissemination figures. Returns the contacts changed."""
    return OutreachContact.objects.filter(date__lt=before_day).exclude(notes="").update(notes="")
