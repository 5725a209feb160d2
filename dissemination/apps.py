from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisseminationConfig(AppConfig):
    name = "dissemination"
    verbose_name = _("Dissemination")

    def ready(self):
        from anymail.signals import tracking

        from .queries.newsletters_mail_events import register_invitations
        from .signals import tracking_received

        register_invitations()

        tracking.connect(tracking_received, dispatch_uid="dissemination.tracking_received")
