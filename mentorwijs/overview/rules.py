"""Who may see the plan's progress (aggregates only, no personal data) and the settings page."""

import rules

from mentorwijs.accounts.rules import is_ambassador, is_master_trainer, is_staff_member

from .navigation import SETTINGS_LINKS

rules.add_perm("overview.view_dashboard", is_staff_member | is_master_trainer | is_ambassador)


@rules.predicate
def may_change_a_setting(user):
    """The settings page shows to whoever may open one of the pages it lists."""
    return any(user.has_perm(link.permission) for link in SETTINGS_LINKS)


rules.add_perm("overview.view_settings", may_change_a_setting)
