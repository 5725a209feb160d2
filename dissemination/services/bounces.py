"""Bounces and complaints, from the mail provider's webhook (dissemination/signals.py) or the bounce
mailbox (`manage.py read_bounces`). Both classify a bounce as hard or soft by bounce_kind.

A hard bounce or a complaint stops newsletters to the address at once (status BOUNCED or
COMPLAINED); soft bounces count up and stop them at the limit staff set (policy soft_bounce_limit). A complaint also
withdraws the subscriber's consent for every list. Only the Subscriber (and its consent records)
change: service mail (reminders, certificates, invitations) never looks here.

Addresses are looked up as LOWER(email) = the lower-cased address, the expression of the unique
index on Subscriber, so the lookup uses it (email__iexact would not on PostgreSQL).
"""

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.parser import HeaderParser
from email.utils import parseaddr

from anymail.signals import EventType, RejectReason
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from mentorwijs.policy.queries import policy_value

from ..enums import ConsentAction, ConsentSource, MailEventKind, SubscriberStatus
from ..models import Delivery, MailEvent, Subscriber
from .subscriptions import consent_records_add, consented_list_ids

logger = logging.getLogger(__name__)

# The Message-ID every newsletter carries: <newsletter-{newsletter id}-{subscriber id}@mentorwijs.nl>.
NEWSLETTER_MESSAGE_ID = re.compile(r"<?newsletter-(\d+)-(\d+)@mentorwijs\.nl>?", re.IGNORECASE)
# Without a provider event id or a known delivery, the same report within this time is a repeat.
REPEAT_WINDOW = timedelta(days=1)
# A hard bounce or complaint does not overwrite these: the address is stopped already.
STOPPED = (SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED)
STOP_STATUS = {
    MailEventKind.HARD_BOUNCE: SubscriberStatus.BOUNCED,
    MailEventKind.COMPLAINT: SubscriberStatus.COMPLAINED,
}


# The proof kept on the WITHDRAWN consent records a complaint makes.
COMPLAINT_PROOF = "complaint"

# An SMTP reply or enhanced status code that says "try again later": 4xx or 4.x.x.
TEMPORARY_REPLY = re.compile(r"^\s*4\d\d\b|\b4\.\d{1,3}\.\d{1,3}\b")
# Provider bounce types that anymail reports as "bounced" but are temporary (Postmark: SoftBounce).
SOFT_BOUNCE_TYPES = {"SoftBounce"}
# Rejections by the provider that stop newsletters to the address; any other reason stops nothing.
REJECTED_KINDS = {
    RejectReason.SPAM: MailEventKind.COMPLAINT,
    RejectReason.INVALID: MailEventKind.HARD_BOUNCE,
    RejectReason.BOUNCED: MailEventKind.HARD_BOUNCE,
    RejectReason.TIMED_OUT: MailEventKind.HARD_BOUNCE,
}


def bounce_kind(*, reply: str = "", temporary: bool = False) -> str:
    """Hard or soft, the one rule for every report: soft when the reporter calls it temporary (a
    provider's soft-bounce type, a DSN's "delayed") or the SMTP reply or status code says "try again
    later" (4xx, 4.x.x); hard otherwise."""
    if temporary or TEMPORARY_REPLY.search(reply or ""):
        return MailEventKind.SOFT_BOUNCE
    return MailEventKind.HARD_BOUNCE


def subscribers_by_email(email: str):
    """Subscribers whose address is `email`, case-insensitively, through the Lower("email") index."""
    return Subscriber.objects.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


def _withdraw_consent(subscriber: Subscriber) -> None:
    """A complaint: a WITHDRAWN record (source UNSUBSCRIBE, proof "complaint") per consented list,
    and no lists left."""
    consent_records_add(
        subscriber,
        consented_list_ids(subscriber),
        action=ConsentAction.WITHDRAWN,
        source=ConsentSource.UNSUBSCRIBE,
        proof=COMPLAINT_PROOF,
    )
    subscriber.lists.clear()


def delivery_for_message_id(message_id: str) -> Delivery | None:
    """The Delivery a newsletter Message-ID names, or None (another message, or gone)."""
    match = NEWSLETTER_MESSAGE_ID.search(message_id or "")
    if match is None:
        return None
    newsletter_id, subscriber_id = (int(part) for part in match.groups())
    return Delivery.objects.filter(newsletter_id=newsletter_id, subscriber_id=subscriber_id).first()


def _event_tag(event_id: str) -> str:
    return f"[{event_id}]"


def _is_repeat(*, subscriber: Subscriber, kind: str, delivery, detail: str, event_id: str) -> bool:
    """The same report again: the same provider event, a second report of the same kind about the
    same delivery (a provider that retries and reports each delay counts once), or without either
    an identical report within REPEAT_WINDOW."""
    events = MailEvent.objects.filter(subscriber=subscriber)
    if event_id and events.filter(detail__startswith=_event_tag(event_id)).exists():
        return True
    if delivery is not None:
        return events.filter(kind=kind, delivery=delivery).exists()
    if event_id:
        return False
    return events.filter(kind=kind, detail=detail, at__gte=timezone.now() - REPEAT_WINDOW).exists()


def mail_event_record(
    *, email: str, kind: str, detail: str = "", message_id: str = "", event_id: str = ""
) -> MailEvent | None:
    """Record a bounce or complaint for an address and stop newsletters to it where needed.

    `message_id` is the Message-ID of the message that bounced (a newsletter's names its Delivery);
    `event_id` is the provider's id of this report, kept at the start of the event's detail so the
    same report twice is recorded once.

    Side effects: stores a MailEvent (linked to the Delivery when known); a hard bounce sets the
    subscriber BOUNCED and a complaint COMPLAINED, records a WITHDRAWN ConsentRecord (source
    UNSUBSCRIBE, proof "complaint") per consented list and empties `lists`; a soft bounce adds one
    to soft_bounces and sets BOUNCED at the soft-bounce limit. Returns None, changing nothing,
    for an unknown address (logged) or a report seen before.
    """
    if kind not in MailEventKind.values:
        raise ValueError(f"unknown mail event kind {kind!r}")
    email = (email or "").strip()
    delivery = delivery_for_message_id(message_id)
    with transaction.atomic():
        # The lock makes two reports about one address (two webhook calls at once) take turns.
        subscriber = subscribers_by_email(email).select_for_update().first() if email else None
        if subscriber is None and delivery is not None:
            # Forwarded mail: the report names the address it was forwarded to, the Message-ID ours.
            subscriber = Subscriber.objects.select_for_update().get(pk=delivery.subscriber_id)
        if subscriber is None:
            logger.info("mail event %s for an unknown address %r ignored", kind, email)
            return None
        if delivery is not None and delivery.subscriber_id != subscriber.pk:
            delivery = None  # the Message-ID belongs to somebody else: keep the event, not the link
        if event_id:
            detail = f"{_event_tag(event_id)} {detail}".strip()
        detail = detail[:500]
        if _is_repeat(subscriber=subscriber, kind=kind, delivery=delivery, detail=detail, event_id=event_id):
            logger.info("mail event %s for subscriber %s already recorded", kind, subscriber.pk)
            return None
        event = MailEvent.objects.create(subscriber=subscriber, kind=kind, delivery=delivery, detail=detail)
        fields = []
        if kind == MailEventKind.SOFT_BOUNCE:
            subscriber.soft_bounces += 1
            fields.append("soft_bounces")
            if subscriber.soft_bounces >= policy_value("soft_bounce_limit") and subscriber.status not in STOPPED:
                subscriber.status = SubscriberStatus.BOUNCED
                fields.append("status")
        elif subscriber.status != STOP_STATUS[kind] and not (
            kind == MailEventKind.HARD_BOUNCE and subscriber.status == SubscriberStatus.COMPLAINED
        ):
            subscriber.status = STOP_STATUS[kind]
            fields.append("status")
        subscriber.save(update_fields=fields)
        if kind == MailEventKind.COMPLAINT:
            _withdraw_consent(subscriber)
    logger.info("mail event %s recorded for subscriber %s", kind, subscriber.pk)
    return event


def mail_delivered_record(*, email: str) -> int:
    """A message reached the address: its soft bounces no longer count as "in a row".

    Side effects: sets soft_bounces to 0 (the status stays as it is). Returns the rows changed."""
    if not email:
        return 0
    return subscribers_by_email(email).filter(soft_bounces__gt=0).update(soft_bounces=0)


# --- Events from the mail provider's webhook (django-anymail) ------------------------------------------


def event_kind(event) -> str | None:
    """The MailEventKind for an anymail tracking event, or None for events that stop nothing
    (opens, clicks, an ESP blocking for its own policy, a deferral: the provider retries that
    message and reports a bounce if it finally fails, so each retry is no soft bounce)."""
    if event.event_type == EventType.BOUNCED:
        esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
        return bounce_kind(reply=event.mta_response or "", temporary=esp_event.get("Type") in SOFT_BOUNCE_TYPES)
    if event.event_type == EventType.COMPLAINED:
        return MailEventKind.COMPLAINT
    if event.event_type == EventType.REJECTED:
        return REJECTED_KINDS.get(event.reject_reason)
    return None


def tracking_event_record(*, event, esp_name: str) -> MailEvent | None:
    """One anymail tracking event: a bounce or complaint is recorded (mail_event_record, with the
    provider's event id), a delivery resets the soft bounces (mail_delivered_record), anything
    else changes nothing. Returns the MailEvent recorded, if any."""
    if event.event_type == EventType.DELIVERED:
        mail_delivered_record(email=event.recipient or "")
        return None
    kind = event_kind(event)
    if kind is None:
        return None
    text = event.mta_response or event.description or event.event_type
    return mail_event_record(
        email=event.recipient or "",
        kind=kind,
        detail=f"{esp_name}: {text}",
        message_id=str(event.message_id or ""),
        event_id=f"{esp_name}:{event.event_id}" if event.event_id else "",
    )


# --- Reports from the bounce mailbox: DSNs (RFC 3464) and ARF complaints (RFC 5965) -----------------


@dataclass(frozen=True)
class Report:
    """One bounce or complaint read from a report message."""

    email: str
    kind: str
    detail: str
    message_id: str  # of the message that bounced


def _address(value) -> str:
    """'rfc822; Anna@Example.org' or 'Anna <anna@example.org>' → the bare address."""
    value = str(value or "").strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return parseaddr(value.strip())[1] or value.strip()


def _field_blocks(part) -> list:
    """The header blocks of a message/delivery-status or message/feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return payload
    return [HeaderParser(policy=email.policy.default).parsestr(block) for block in str(payload).split("\n\n")]


def _returned_headers(parts):
    """The headers of the returned message: a message/rfc822 part or text/rfc822-headers."""
    for part in parts:
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/rfc822-headers"):
            payload = part.get_payload()
            return payload[0] if isinstance(payload, list) and payload else None
        if content_type == "text/rfc822-headers":
            return HeaderParser(policy=email.policy.default).parsestr(part.get_content())
    return None


def bounce_reports(raw: bytes) -> list[Report]:
    """The bounces and complaints in one mail: per failed or delayed recipient of a DSN (Status 5.x.x
    hard, 4.x.x or Action delayed soft), one complaint for an ARF report; [] for anything else."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if message.get_content_type() != "multipart/report":
        return []
    report_type = (message.get_param("report-type") or "").lower()
    parts = list(message.iter_parts())
    returned = _returned_headers(parts)
    original_id = str(returned.get("Message-ID", "")).strip() if returned is not None else ""
    reports = []
    if report_type == "delivery-status":
        for part in parts:
            if part.get_content_type() != "message/delivery-status":
                continue
            for block in _field_blocks(part)[1:]:  # the first block is about the whole message
                action = str(block.get("Action", "")).strip().lower()
                status = str(block.get("Status", "")).strip()
                temporary = status.startswith("4") or action == "delayed"
                if not temporary and not (status.startswith("5") and action == "failed"):
                    continue  # delivered, relayed, expanded
                kind = bounce_kind(reply=status, temporary=temporary)
                recipient = _address(block.get("Original-Recipient") or block.get("Final-Recipient"))
                diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
                reports.append(Report(recipient, kind, f"DSN {status} {diagnostic}".strip(), original_id))
    elif report_type == "feedback-report":
        for part in parts:
            if part.get_content_type() != "message/feedback-report":
                continue
            fields = _field_blocks(part)[0]
            recipient = _address(fields.get("Original-Rcpt-To")) or (
                _address(returned.get("To")) if returned is not None else ""
            )
            feedback_type = str(fields.get("Feedback-Type", "")).strip()
            reports.append(Report(recipient, MailEventKind.COMPLAINT, f"ARF {feedback_type}".strip(), original_id))
    return reports
