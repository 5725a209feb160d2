"""Error reports without personal data: Sentry (optional, SENTRY_DSN) and the error mail to ADMINS.

An unhandled error can carry a participant's address anywhere: in the exception's message ("no place
for piet@example.org"), in a log line that became a breadcrumb, in the form that was posted. Both
channels are scrubbed here before anything leaves the server. So is a personal link: its token in the
path (/trainingen/mijn/<token>/, the newsletter's confirm, preferences and unsubscribe links, an
invitation, a calendar feed, allauth's confirm and password reset keys) opens someone's page to whoever
reads the report, and a query string can hold an address or a name that was searched for:

- Sentry is told to collect nothing personal (`DATA_COLLECTION`: what `send_default_pii=False` did, which
  sentry-sdk 2.76 deprecates for this option, and stricter): no user, cookies, client address, request
  bodies, query strings, local variables of the frames or SQL parameters, and of the request headers
  only the user agent. `scrub_event` then replaces every email address left in any string of the event
  (message, exception values, request, transaction, breadcrumbs, extra), every personal link's token
  by `[token]` (`TOKEN_PATHS`), and drops every query string: the request's, a breadcrumb's and any
  behind a URL or path in a text (the source lines of the stack trace are left as they are).
- The error mail to ADMINS (Django's AdminEmailHandler on the `django` logger, and the Celery task
  failures) goes through `AdminEmailHandler` below: its report leaves out the query string, the GET
  parameters and the cookies' values (`ScrubbedExceptionReporter`), and subject and body are scrubbed
  as above.

docs/operations.md, "Error reporting", says how to set it up.
"""

import re
from email.utils import getaddresses

from django.conf import settings
from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler
from django.views.debug import ExceptionReporter

# Good enough to find an address in free text; what it replaces is never sent on.
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
REDACTED = "[email]"

# The paths whose next segment is a personal link's token (the key to someone's page), wherever they
# stand in a text: a whole URL, a path, a log line. A route pattern ("mijn/<str:token>/") is left alone.
TOKEN_PATHS = (
    "/trainingen/mijn/",  # the participant's own page, its certificate and evaluations
    "/trainingen/aanmelden/",  # a run's enrolment link
    "/trainingen/agenda/trainer/",  # calendar feeds: <token>.ics
    "/trainingen/agenda/deelnemer/",
    "/nieuwsbrief/bevestigen/",
    "/nieuwsbrief/voorkeuren/",
    "/nieuwsbrief/afmelden/",
    "/team/uitnodiging/",
    "/accounts/confirm-email/",
    "/accounts/password/reset/key/",
)
_SEGMENT = r"[^/?#\s\"'<>{}]"
TOKEN_IN_PATH = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in TOKEN_PATHS) + f")(?:{_SEGMENT}+?(?=\\.ics\\b)|{_SEGMENT}+)"
)
TOKEN = "[token]"
# A query string behind a URL or an absolute path in a text, up to the next space, quote or fragment.
QUERY_AFTER_PATH = re.compile(r"((?:https?://[^/\s\"'<>]+)?/[^?#\s\"'<>]*)\?[^#\s\"'<>]*")
# The lines of source code in a stack trace: a literal such as "?next=" there is code, not data.
SOURCE_LINES = frozenset({"pre_context", "context_line", "post_context"})


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


def scrub_links(text: str) -> str:
    """`text` with every personal link's token replaced by [token] and every query string dropped."""
    return QUERY_AFTER_PATH.sub(r"\1", TOKEN_IN_PATH.sub(rf"\1{TOKEN}", text))


def scrub(value, *, links: bool = True):
    """`value` with every email address in its strings replaced, through dicts, lists and tuples; with
    `links`, personal links' tokens and query strings too (not in a stack trace's source lines)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        # Links first: an address's pattern also takes in a path and query before it ("/x?to=a@b.nl").
        return EMAIL_ADDRESS.sub(REDACTED, scrub_links(value) if links else value)
    if isinstance(value, dict):
        return {
            scrub(key, links=links): scrub(item, links=links and key not in SOURCE_LINES) for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(scrub(item, links=links) for item in value)
    return value


def _drop_queries(crumb_or_request: dict, *keys: str) -> None:
    for key in keys:
        crumb_or_request.pop(key, None)


def scrub_event(event, hint=None):
    """Sentry's before_send: the whole event, scrubbed. The user and the client address are dropped too,
    should an integration have set them, and so are the request's query string and any breadcrumb's."""
    event = scrub(event)
    event.pop("user", None)
    if isinstance(event.get("request"), dict):
        _drop_queries(event["request"], "query_string", "fragment")
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        if isinstance(crumb, dict) and isinstance(crumb.get("data"), dict):
            _drop_queries(crumb["data"], "http.query", "http.fragment")
    return event


def scrub_breadcrumb(crumb, hint=None):
    """Sentry's before_breadcrumb (a log line, a query or an outgoing request), scrubbed before it is kept."""
    crumb = scrub(crumb)
    if isinstance(crumb.get("data"), dict):
        _drop_queries(crumb["data"], "http.query", "http.fragment")
    return crumb


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


class ScrubbedExceptionReporter(ExceptionReporter):
    """Django's error report without the request's query: no GET parameters, no QUERY_STRING or
    REQUEST_URI, the URL without its query; and the cookies by name only (the session's is a key to
    an account). Tokens and addresses in the rest are replaced by AdminEmailHandler.send_mail."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            hidden = self.filter.cleansed_substitute
            data["request_GET_items"] = [(name, hidden) for name in self.request.GET]
            data["request_COOKIES_items"] = [(name, hidden) for name, _value in data["request_COOKIES_items"]]
            data["request_meta"] = {
                name: hidden if name in ("QUERY_STRING", "REQUEST_URI", "RAW_URI") else value
                for name, value in data["request_meta"].items()
            }
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
        return data


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's error mail to ADMINS (the traceback and the request), reported by
    ScrubbedExceptionReporter, with every email address, personal link's token and query string in the
    subject and the body replaced: a participant's address in an error message or a posted form, or the
    link to their page, stays on the server. The addressees are set by Django from ADMINS and are not
    touched."""

    def __init__(self, include_html=False, email_backend=None, reporter_class=None):
        super().__init__(
            include_html=include_html,
            email_backend=email_backend,
            reporter_class=reporter_class or "mentorwijs.error_reporting.ScrubbedExceptionReporter",
        )

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
