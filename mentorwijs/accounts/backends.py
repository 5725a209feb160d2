"""Authentication and the model permissions of the Django admin, through allauth."""

import rules
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    """allauth's login by email, whose model permissions serve the admin. A permission that is a
    rule (rules.py of each app) is decided by the rule alone: asking the model backend too would
    load all the user's model permissions (two queries) on every page that checks a refused one."""

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)
