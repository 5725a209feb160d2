"""Page fragments cached until the data they show changes.

Every write to the database through Django (INSERT, UPDATE or DELETE, in any web or worker process)
moves a counter in the cache on: the data generation. A fragment's key holds the generation, so no
fragment is served after a write; the old ones expire after FRAGMENT_CACHE_SECONDS. The counter
moves when the statement runs (a test, or the same request, sees its own write) and again at commit
(a page rendered by another request before the commit, from the old rows, is not served after it).

Writes to the tables in UNSHOWN_TABLES do not move it: they change all the time and no fragment shows
them. A fragment that shows one of them must not be cached here.

With more than one process the cache must be shared (CACHE_URL=rediscache://...), as for the login
rate limits; with the local memory cache a write in one process leaves the other processes'
fragments in place until they expire.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.shortcuts import render
from django.utils.translation import get_language

GENERATION_KEY = "fragments:generation"
WRITES = ("INSERT", "UPDATE", "DELETE")

# Tables that change on almost every request or message and that no cached fragment shows.
UNSHOWN_TABLES = (
    "django_session",  # a login, the session policy's last-seen time
    "django_celery_beat_",  # beat's own bookkeeping on every tick
    "auditlog_logentry",  # follows a write that moves the generation itself
    "outbox_",  # caught mail
    "dissemination_delivery",  # a campaign marks each message as it goes out
    "trainings_scheduledmessage",  # reminders handed to the mail
)


def generation() -> int:
    """The current data generation; started from the clock so that a cache emptied or evicted
    never starts again at a value whose fragments may still be stored."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def move_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (emptied or evicted): any new start is past the old one
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def fragment_key(name: str, *vary_on) -> str:
    """The cache key of a fragment: its name, the generation, and a digest of the language and what
    else it varies on (a URL may be long; keys stay short)."""
    digest = hashlib.sha256("\n".join(str(part) for part in (get_language(), *vary_on)).encode()).hexdigest()
    return f"fragments:{name}:{generation()}:{digest[:32]}"


def get_fragment(key: str) -> str | None:
    return cache.get(key)


def set_fragment(key: str, html: str) -> None:
    cache.set(key, html, settings.FRAGMENT_CACHE_SECONDS)


def is_shown_write(sql: str) -> bool:
    """A statement that writes to a table a fragment may show (the table is the statement's first
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


# A placeholder for the CSRF token while a fragment is rendered for the cache: the token is the
# visitor's own, put in when the fragment is served.
CSRF_PLACEHOLDER = "fragment-csrf-token-8c1f4e"


class FragmentCacheMixin:
    """For a view whose template wraps its content in `{% fragment %}`: while no write was made since
    the fragment was rendered for the same URL, language and fragment_vary_on(), a GET serves it from
    the cache without reading any rows; the template then renders only what lies outside it.

    The view's own get() (and its context) run only when the fragment is missing: on a hit the
    template outside the fragment has outside_context(). Other methods (a POST's form with errors)
    are rendered as usual and not cached."""

    fragment_name = ""
    # Pages that change with the clock (a meeting has begun, a follow-up is due) vary on the minute.
    fragment_vary_on_minute = False

    def fragment_vary_on(self) -> tuple:
        """What the fragment shows besides the URL and the language. Default: the user (their
        permissions and their own rows may decide what it shows)."""
        return ("user", self.request.user.pk)

    def outside_context(self) -> dict:
        """The template's context outside the fragment, on a hit."""
        return {}

    def get(self, request, *args, **kwargs):
        return self.cached_response(request) or super().get(request, *args, **kwargs)

    def cached_response(self, request):
        """The page with its fragment from the cache, or None (the fragment is then stored as the page
        renders it). A view with its own get() starts with this."""
        vary_on = self.fragment_vary_on()
        if self.fragment_vary_on_minute:
            vary_on += ("minute", int(time.time() // 60))
        key = fragment_key(self.fragment_name or type(self).__name__, request.get_full_path(), *vary_on)
        html = get_fragment(key)
        if html is None:
            request.fragment_key = key  # {% fragment %} stores what it renders under this key
            return None
        return render(request, self.template_name, {"view": self, "fragment_html": html, **self.outside_context()})
