"""The mail provider's tracking webhook (django-anymail, /anymail/<esp>/tracking/): bounces and
complaints become MailEvents through services.bounces. Connected in DisseminationConfig.ready()."""

import logging
import re

from anymail.signals import EventType, RejectReason

from .enums import MailEventKind
from .services.bounces import mail_delivered_record, mail_event_record

logger = logging.getLogger(__name__)

# An SMTP reply or enhanced status code that says "try again later": 4xx or 4.x.x.
TEMPORARY_REPLY = re.compile(r"^\s*4\d\d\b|\b4\.\d{1,3}\.\d{1,3}\b")
# Provider bounce types that anymail reports as "bounced" but are temporary (Postmark: SoftBounce).
SOFT_BOUNCE_TYPES = {"SoftBounce"}
REJECTED_KINDS = {
    RejectReason.SPAM: MailEventKind.COMPLAINT,
    RejectReason.INVALID: MailEventKind.HARD_BOUNCE,
    RejectReason.BOUNCED: MailEventKind.HARD_BOUNCE,
    RejectReason.TIMED_OUT: MailEventKind.HARD_BOUNCE,
}


def _bounce_kind(event) -> str:
    esp_event = event.esp_event if isinstance(event.esp_event, dict) else {}
    if esp_event.get("Type") in SOFT_BOUNCE_TYPES or TEMPORARY_REPLY.search(event.mta_response or ""):
        return MailEventKind.SOFT_BOUNCE
    return MailEventKind.HARD_BOUNCE


def event_kind(event) -> str | None:
    """The MailEventKind for an anymail tracking event, or None for events that stop nothing
    (opens, clicks, an ESP blocking for its own policy)."""
    if event.event_type == EventType.BOUNCED:
        return _bounce_kind(event)
    if event.event_type == EventType.DEFERRED:
        return MailEventKind.SOFT_BOUNCE
    if event.event_type == EventType.COMPLAINED:
        return MailEventKind.COMPLAINT
    if event.event_type == EventType.REJECTED:
        return REJECTED_KINDS.get(event.reject_reason)
    return None


def tracking_received(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: record bounces and complaints; a delivery resets soft bounces."""
    if event.event_type == EventType.DELIVERED:
        mail_delivered_record(email=event.recipient or "")
        return
    kind = event_kind(event)
    if kind is None:
        return
    text = event.mta_response or event.description or event.event_type
    mail_event_record(
        email=event.recipient or "",
        kind=kind,
        detail=f"{esp_name}: {text}",
        message_id=str(event.message_id or ""),
        event_id=f"{esp_name}:{event.event_id}" if event.event_id else "",
    )
