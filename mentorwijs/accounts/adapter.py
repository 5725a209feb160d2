from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _

from mentorwijs.ratelimit import client_address


class AccountAdapter(DefaultAccountAdapter):
    """Internal users join by invitation only (accounts.views.InvitationAcceptView)."""

    def is_open_for_signup(self, request):
        return False

    def get_reauthentication_methods(self, user):
        """allauth's ways to log in again, with the passkey called by the name the site uses."""
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            if method["id"] == "mfa_reauthenticate:webauthn":
                method["description"] = _("Use my passkey")
        return methods

    def get_client_ip(self, request):
        """The address allauth's login and password-reset limits count: the project's one rule."""
        return client_address(request)
