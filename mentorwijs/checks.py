"""Production settings that must not be wrong without a word: Django system checks, Error level.

With DEBUG off the app refuses to start when one of these fails. `manage.py` commands and runserver
run the system checks themselves; gunicorn and Celery's worker and beat do not, so mentorwijs/wsgi.py
and mentorwijs/celery.py call `refuse_to_start_on_errors` when they start. See docs/security.md."""

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand

# Caches that live inside one process: each web process and worker would keep its own rate-limit
# counters, sessions and cached pages.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.security)
def check_production_settings(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    errors = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        errors.append(
            checks.Error(
                f"The default cache ({backend}) lives inside one process: rate limits, sessions and cached "
                "pages would differ per web process and worker.",
                hint="Set CACHE_URL to a cache every process shares, e.g. rediscache://127.0.0.1:6379/1.",
                id="mentorwijs.E001",
            )
        )
    key = settings.EVALUATION_PSEUDONYM_KEY
    if not key or key in (settings.LOCAL_PSEUDONYM_KEY, settings.SECRET_KEY):
        errors.append(
            checks.Error(
                "EVALUATION_PSEUDONYM_KEY is not set to a key of its own: the research pseudonyms would be "
                "keyed with the local default or with SECRET_KEY, and rotating that key would change them all.",
                hint="Set EVALUATION_PSEUDONYM_KEY once to a long random value, different from SECRET_KEY, "
                "and keep it.",
                id="mentorwijs.E002",
            )
        )
    count = settings.TRUSTED_PROXY_COUNT
    if count is None or count < 0:
        errors.append(
            checks.Error(
                "TRUSTED_PROXY_COUNT is not set: the client address of the rate limits (login, enrolment, "
                "sign-up, search) depends on how many reverse proxies stand in front of the app.",
                hint="Set TRUSTED_PROXY_COUNT to the number of proxies of yours that append to X-Forwarded-For "
                "(1 for one nginx or load balancer), or 0 when clients connect to the app directly.",
                id="mentorwijs.E003",
            )
        )
    return errors


def refuse_to_start_on_errors() -> None:
    """Run the system checks as manage.py commands do before they start: warnings are printed,
    an Error raises SystemCheckError (so a gunicorn worker fails to boot and Celery exits)."""
    BaseCommand().check()
