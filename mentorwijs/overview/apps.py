from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverviewConfig(AppConfig):
    name = "mentorwijs.overview"
    label = "overview"
    verbose_name = _("Overview")

    def ready(self):
        from mentorwijs import checks  # noqa: F401  registers the production settings checks

        from .figures import connect_receivers

        connect_receivers()  # the dashboard's figures are fresh after every change they count
