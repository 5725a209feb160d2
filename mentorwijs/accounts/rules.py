"""Who may use what in accounts. Role predicates are shared by the other apps' rules."""

import rules

from .roles import Role


def _role_predicate(role):
    @rules.predicate(name=f"has_role_{role}")
    def has_role(user):
        return user.is_authenticated and user.is_active and role in user.roles

    return has_role


is_staff_member = _role_predicate(Role.STAFF)
is_master_trainer = _role_predicate(Role.MASTER_TRAINER)
is_trainer = _role_predicate(Role.TRAINER)
is_ambassador = _role_predicate(Role.AMBASSADOR)

rules.add_perm("accounts.manage_invitations", is_staff_member)
rules.add_perm("accounts.use_admin", rules.is_superuser)  # the admin is a superuser's last resort
