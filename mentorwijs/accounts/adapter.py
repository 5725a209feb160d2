from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Internal users join by invitation only (accounts.views.InvitationAcceptView)."""

    def is_open_for_signup(self, request):
        return False
