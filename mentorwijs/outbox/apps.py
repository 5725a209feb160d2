from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "mentorwijs.outbox"
    label = "outbox"
    verbose_name = _("Caught mail")

    def ready(self):
        from mentorwijs.personal_data import register_personal_data

        from .personal_data import PART

        register_personal_data(PART)
