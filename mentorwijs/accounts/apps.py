from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mentorwijs.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from mentorwijs.personal_data import register_personal_data

        from . import personal_data, signals  # noqa: F401

        register_personal_data(personal_data.PART)
