"""The mail provider's tracking webhook (django-anymail, /anymail/<esp>/tracking/): bounces and
complaints become MailEvents through services.bounces. Connected in DisseminationConfig.ready().

The webhook URLs come from webhook_urls(): they answer 404 while ANYMAIL["WEBHOOK_SECRET"] is empty
(anymail itself would accept anybody's post then, with only a warning)."""

import logging
import re
from functools import wraps

from anymail.signals import EventType, RejectReason
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern

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
    (opens, clicks, an ESP blocking for its own policy, a deferral: the provider retries that
    message and reports a bounce if it finally fails, so each retry is no soft bounce)."""
    if event.event_type == EventType.BOUNCED:
        return _bounce_kind(event)
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


def _secret_required(view):
    @wraps(view)  # keeps anymail's csrf_exempt and login_not_required marks
    def wrapped(request, *args, **kwargs):
        if not (getattr(settings, "ANYMAIL", None) or {}).get("WEBHOOK_SECRET"):
            raise Http404("The mail provider webhooks are off without ANYMAIL['WEBHOOK_SECRET'].")
        return view(request, *args, **kwargs)

    return wrapped


def webhook_urls():
    """anymail's URL patterns (namespace "anymail"), each answering 404 without a webhook secret."""
    from anymail import urls

    patterns = [
        URLPattern(pattern.pattern, _secret_required(pattern.callback), pattern.default_args, pattern.name)
        for pattern in urls.urlpatterns
    ]
    return patterns, urls.app_name
