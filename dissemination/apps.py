from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisseminationConfig(AppConfig):
    name = "dissemination"
    verbose_name = _("Dissemination")

    def ready(self):
        from anymail.signals import tracking

        from mentorwijs.personal_data import register_personal_data

        from .queries.newsletters_mail_events import register_invitations
        from .services import privacy
        from .services.event_mails import register_failed_mail
        from .signals import tracking_received

        register_invitations()
        register_failed_mail()
        for part in privacy.PARTS:
            register_personal_data(part)

        tracking.connect(tracking_received, dispatch_uid="dissemination.tracking_received")
