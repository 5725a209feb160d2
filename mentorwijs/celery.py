"""The Celery app: broker and options come from settings (CELERY_* from the environment)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorwijs.settings")

app = Celery("mentorwijs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
