"""The Celery app: broker and options come from settings (CELERY_* from the environment)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorwijs.settings")

app = Celery("mentorwijs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.import_modules.connect(sender=app)
def refuse_to_start_on_errors(sender=None, **kwargs):
    """A worker or beat runs no system checks of its own: run them when it starts (this signal comes
    before it takes a task or reads the schedule), and exit with the checks' report when one fails
    (mentorwijs/checks.py). SystemExit, because Celery logs and ignores an Exception from most signals.

    The signal also comes when a web page lists the task names (django-celery-beat's admin form):
    only a starting worker or beat has set `worker_initialized` by then."""
    from django.core.management.base import SystemCheckError

    from mentorwijs.checks import refuse_to_start_on_errors

    if not sender.loader.worker_initialized:
        return
    try:
        refuse_to_start_on_errors()
    except SystemCheckError as error:
        raise SystemExit(str(error)) from None
