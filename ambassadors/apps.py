from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassadors")

    def ready(self):
        from . import signals  # noqa: F401
        from .services.assignments import register_meeting_checks
        from .services.notices import register_failed_mail

        register_meeting_checks()
        register_failed_mail()
