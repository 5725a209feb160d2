from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """The AVG side of the platform: the data export and erasure of a person and of an account holder,
    retention, the processing register and the audit trail."""

    name = "mentorwijs.privacy"
    label = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from . import auditlog, rules  # noqa: F401  (rules adds the permissions)

        auditlog.register_models()
