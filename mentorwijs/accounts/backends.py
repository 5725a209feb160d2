"""Authentication and the model permissions of the Django admin, through allauth."""

import functools

import rules
from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group

from .models import User
from .roles import Role


class AuthenticationBackend(AllauthBackend):
    """allauth's login by email, whose model permissions serve the admin. A permission that is a
    rule (rules.py of each app) is decided by the rule alone: asking the model backend too would
    load all the user's model permissions (two queries) on every page that checks a refused one."""

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)

    def get_user(self, user_id):
        """The user of a session with their roles and two-factor state, in one query: every request
        needs all three (session policy, two-factor middleware, navigation). Plain SQL, because the
        ORM's version (an EXISTS per role) cost more to build and to plan than the three queries."""
        user = next(iter(User.objects.raw(_user_with_roles_sql(), [*Role.values, user_id])), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        user.__dict__["held_roles"] = frozenset(
            role for bit, role in enumerate(Role.values) if user.role_bits & 1 << bit
        )
        user.__dict__["has_two_factor"] = bool(user.holds_authenticator)
        return user


@functools.cache
def _user_with_roles_sql() -> str:
    """SELECT the user with role_bits (bit n set: holds the n-th role of Role) and
    holds_authenticator; parameters: the role values in Role's order, then the user's id."""
    bits = " ".join(f"WHEN %s THEN {1 << bit}" for bit in range(len(Role.values)))
    return (
        f"SELECT u.*,"
        f" (SELECT COALESCE(SUM(CASE g.name {bits} ELSE 0 END), 0) FROM {User.groups.through._meta.db_table} m"
        f" JOIN {Group._meta.db_table} g ON g.id = m.group_id WHERE m.user_id = u.id) AS role_bits,"
        f" EXISTS (SELECT 1 FROM {Authenticator._meta.db_table} a WHERE a.user_id = u.id) AS holds_authenticator"
        f" FROM {User._meta.db_table} u WHERE u.id = %s"
    )
