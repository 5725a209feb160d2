import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorwijs.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with settings that fail one (mentorwijs/checks.py).
from mentorwijs.checks import refuse_to_start_on_errors  # noqa: E402

refuse_to_start_on_errors()
