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


@rules.predicate
def may_change_account(user, account):
    """Staff change trainers' and ambassadors' accounts; only a superuser one of staff, a master
    trainer or a superuser (services.account_change_refusal says why not)."""
    return account is not None and (user.is_superuser or not account.managed_by_superusers_only)


rules.add_perm("accounts.manage_accounts", is_staff_member)
rules.add_perm("accounts.change_account", is_staff_member & may_change_account)
