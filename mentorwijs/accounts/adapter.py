from allauth.account.adapter import DefaultAccountAdapter

from mentorwijs.ratelimit import client_address


class AccountAdapter(DefaultAccountAdapter):
    """Internal users join by invitation only (accounts.views.InvitationAcceptView)."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        """The address allauth's login and password-reset limits count: the project's one rule."""
        return client_address(request)
