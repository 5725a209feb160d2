"""Pages cached until the data they show changes (PageCacheMixin, and page_cache for a function view).

Every write to the database through Django (INSERT, UPDATE or DELETE, in any web or worker process)
moves a counter in the cache on: the data generation. A page is stored with the generation it was
rendered in and served only while that is still the current one, so never after a write; it
expires after PAGE_CACHE_SECONDS. The counter moves when the statement runs (a test, or the same
request, sees its own write) and again at commit (a page rendered by another request before the
commit, from the old rows, is not served after it).

Writes to the tables in UNSHOWN_TABLES do not move it: they change all the time and no cached page
shows them. A page that shows one of them must not be cached here.

With more than one process the cache must be shared (CACHE_URL=rediscache://...), as for the login
rate limits; with the local memory cache a write in one process leaves the other processes'
pages in place until they expire.
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

GENERATION_KEY = "pages:generation"
WRITES = ("INSERT", "UPDATE", "DELETE")

# Tables that change on almost every request or message and that no cached page shows.
UNSHOWN_TABLES = (
    "django_session",  # a login, the session policy's last-seen time
    "django_celery_beat_",  # beat's own bookkeeping on every tick
    "auditlog_logentry",  # follows a write that moves the generation itself
    "outbox_",  # caught mail
    "dissemination_delivery",  # a campaign marks each message as it goes out
    "trainings_scheduledmessage",  # reminders handed to the mail
)


def generation() -> int:
    """The current data generation."""
    return fetch("")[0]


def move_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (emptied or evicted): any new start is past the old one
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def page_key(name: str, *vary_on) -> str:
    """The cache key of a page: its name and a digest of the language and what else it varies on
    (a URL may be long; keys stay short)."""
    digest = hashlib.sha256("\n".join(str(part) for part in (get_language(), *vary_on)).encode()).hexdigest()
    return f"pages:{name}:{digest[:32]}"


def fetch(key: str) -> tuple[int, object | None]:
    """(the current generation, what is stored under key if it was stored in this generation, else
    None), in one round trip to the cache. The generation starts from the clock, so that a cache
    emptied or evicted never starts again at a value whose pages may still be stored."""
    found = cache.get_many([GENERATION_KEY, key] if key else [GENERATION_KEY])
    current = found.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        return cache.get(GENERATION_KEY), None
    stored = found.get(key)
    if stored is None or stored[0] != current:
        return current, None
    return current, stored[1]


def store(key: str, rendered_in: int, value) -> None:
    """Keep value, rendered from the data of generation rendered_in (read before the data)."""
    cache.set(key, (rendered_in, value), settings.PAGE_CACHE_SECONDS)


def current_minute() -> int:
    """The minute a page that changes with the clock is kept for."""
    return int(time.time() // 60)


def is_shown_write(sql: str) -> bool:
    """A statement that writes to a table a cached page may show (the table is the statement's first
    quoted name: Django quotes every table name)."""
    head = sql.lstrip()[:6].upper()
    if head not in WRITES:
        return False
    table = sql.split('"', 2)[1] if '"' in sql else ""
    return not table.startswith(UNSHOWN_TABLES)


def _note_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and is_shown_write(sql):
        connection = context["connection"]
        move_generation()
        if connection.in_atomic_block and not any(
            function is move_generation for _savepoints, function, _robust in connection.run_on_commit
        ):
            transaction.on_commit(move_generation, using=connection.alias)
    return result


@receiver(connection_created)
def watch_writes(sender, connection, **kwargs):
    if _note_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_note_writes)


# The CSRF token while a page is rendered for the cache (context processor page_cache_csrf); each
# visitor's own token takes its place when the page is served.
CSRF_PLACEHOLDER = "page-cache-csrf-token-8c1f4e"


def has_messages(request) -> bool:
    """Messages waiting to be shown (or shown on this page): such a page is not served from the
    cache nor kept in it."""
    return len(messages.get_messages(request)) > 0


class PageCacheMixin:
    """A GET's page, kept in the cache per user, URL and language and served without reading any rows
    while no write was made since it was rendered. The CSRF token in its forms is the visitor's own;
    a page with messages is rendered afresh.

    The view's own get() runs only when the page is missing. A view with its own get() starts with
    cached_response() and returns its (TemplateResponse) answer through keep()."""

    # Pages that change with the clock (a meeting has begun, a follow-up is due) vary on the minute.
    page_cache_vary_on_minute = False

    def page_cache_vary_on(self) -> tuple:
        """What the page shows besides the URL and the language. Default: the user (their name, roles,
        permissions and their own rows are on it)."""
        return ("user", self.request.user.pk)

    def get(self, request, *args, **kwargs):
        return self.cached_response(request) or self.keep(request, super().get(request, *args, **kwargs))

    def cached_response(self, request):
        """The page from the cache, or None (keep() then stores the page the view renders)."""
        if has_messages(request):
            return None
        vary_on = self.page_cache_vary_on()
        if self.page_cache_vary_on_minute:
            vary_on += ("minute", current_minute())
        key = page_key(type(self).__name__, request.get_full_path(), *vary_on)
        current, html = fetch(key)
        if html is None:
            request.page_cache_entry = (key, current)
            return None
        return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))

    def keep(self, request, response):
        return keep_page(request, response)


def keep_page(request, response):
    """Render the view's answer with the CSRF placeholder, keep it, and put the token in."""
    entry = getattr(request, "page_cache_entry", None)
    if entry is None or response.status_code != 200 or not hasattr(response, "render"):
        return response
    request.page_cache_rendering = True
    try:
        response.render()
    finally:
        request.page_cache_rendering = False
    html = response.content.decode()
    if not has_messages(request):
        store(*entry, html)
    response.content = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return response


def page_cache(*, vary_on=None, vary_on_minute: bool = False):
    """PageCacheMixin for a function view: a GET's (or HEAD's) page kept per user, URL and language.

    `vary_on(request)` gives what the page shows besides the URL and the language (default: the
    user); `vary_on_minute` keeps a page that changes with the clock per minute. The view must answer
    with a TemplateResponse (not render()): the page is rendered here, with the CSRF placeholder.
    Put it inside the permission check, as the mixin sat after PermissionRequiredMixin."""

    def decorator(view):
        @wraps(view)
        def cached_view(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or has_messages(request):
                return view(request, *args, **kwargs)
            parts = vary_on(request) if vary_on is not None else ("user", request.user.pk)
            if vary_on_minute:
                parts += ("minute", current_minute())
            key = page_key(view.__name__, request.get_full_path(), *parts)
            current, html = fetch(key)
            if html is not None:
                return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))
            request.page_cache_entry = (key, current)
            return keep_page(request, view(request, *args, **kwargs))

        return cached_view

    return decorator
