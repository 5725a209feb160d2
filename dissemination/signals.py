"""The mail provider's tracking webhook (django-anymail, /anymail/<esp>/tracking/): each event goes
to services.bounces, which classifies it and records bounces and complaints as MailEvents.
Connected in DisseminationConfig.ready().

The webhook URLs come from webhook_urls(): they answer 404 while ANYMAIL["WEBHOOK_SECRET"] is empty
(anymail itself would accept anybody's post then, with only a warning)."""

from functools import wraps

from django.conf import settings
from django.http import Http404
from django.urls import URLPattern

from .services.bounces import tracking_event_record


def tracking_received(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: the service decides what the event means and records it."""
    tracking_event_record(event=event, esp_name=esp_name)


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
