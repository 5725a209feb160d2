from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbassadorsConfig(AppConfig):
    name = "ambassadors"
    verbose_name = _("Ambassadors")

    def ready(self):
        from mentorwijs.personal_data import register_personal_data

        from . import signals  # noqa: F401
        from .services import privacy
        from .services.assignments import register_meeting_checks
        from .services.notices import register_failed_mail

        register_meeting_checks()
        register_failed_mail()
        register_personal_data(privacy.PART)
