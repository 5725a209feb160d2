from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


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
