"""Error reports without personal data: Sentry (optional, SENTRY_DSN) and the error mail to ADMINS.

An unhandled error can carry a participant's address anywhere: in the exception's message ("no place
for piet@example.org"), in a log line that became a breadcrumb, in the form that was posted. Both
channels are scrubbed here before anything leaves the server:

- Sentry is told to collect nothing personal (`DATA_COLLECTION`: what `send_default_pii=False` did, which
  sentry-sdk 2.76 deprecates for this option, and stricter): no user, cookies, client address, request
  bodies, query strings, local variables of the frames or SQL parameters, and of the request headers
  only the user agent. `scrub_event` then replaces every email address left in any string of the event
  (message, exception values, request, breadcrumbs, extra).
- The error mail to ADMINS (Django's AdminEmailHandler on the `django` logger, and the Celery task
  failures) goes through `AdminEmailHandler` below, which replaces the addresses in subject and body.

docs/operations.md, "Error reporting", says how to set it up.
"""

import re
from email.utils import getaddresses

from django.conf import settings
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler

# Good enough to find an address in free text; what it replaces is never sent on.
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
REDACTED = "[email]"


# sentry-sdk's `data_collection` option (2.76 and 3.x): each category of automatically collected data.
DATA_COLLECTION = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "allowlist", "terms": ["user-agent"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "off"},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def scrub(value):
    """`value` with every email address in its strings replaced, through dicts, lists and tuples."""
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub(REDACTED, value)
    if isinstance(value, bytes):
        return EMAIL_ADDRESS.sub(REDACTED, value.decode("utf-8", "replace"))
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item) for item in value)
    return value


def scrub_event(event, hint=None):
    """Sentry's before_send: the whole event, scrubbed. The user and the client address are dropped too,
    should an integration have set them."""
    event = scrub(event)
    event.pop("user", None)
    return event


def scrub_breadcrumb(crumb, hint=None):
    """Sentry's before_breadcrumb (a log line or a query), scrubbed before it is kept."""
    return scrub(crumb)


def init_sentry(*, dsn: str, environment: str, release: str = "", transport=None) -> None:
    """Start Sentry's SDK with the Django and Celery integrations (found by themselves) and the scrubbing
    above. `transport` is for tests (an in-memory one)."""
    import sentry_sdk

    options = {
        "dsn": dsn,
        "environment": environment,
        "data_collection": DATA_COLLECTION,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
        "traces_sample_rate": 0,
    }
    if release:
        options["release"] = release
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(**options)


def parse_admins(value: str) -> list[tuple[str, str]]:
    """ADMINS from the environment: "Ans de Vries <ans@werkzaak.nl>, ops@werkzaak.nl" as Django's
    (name, address) pairs; entries without an address are left out."""
    return [(name, address) for name, address in getaddresses([value]) if "@" in address]


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's error mail to ADMINS (the traceback and the request), with every email address in the
    subject and the body replaced: a participant's address in an error message or a posted form stays on
    the server. The addressees are set by Django from ADMINS and are not touched."""

    def emit(self, record):
        # Django's own handler returns early without ADMINS unless send_mail is overridden, as here:
        # without this it would build the whole report (and render its template) for nobody.
        if not settings.ADMINS:
            return
        super().emit(record)

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = scrub(kwargs["html_message"])
        super().send_mail(scrub(subject), scrub(message), *args, **kwargs)
