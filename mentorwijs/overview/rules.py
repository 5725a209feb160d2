"""Who may see the plan's progress: aggregates only, no personal data."""

import rules

from mentorwijs.accounts.rules import is_ambassador, is_master_trainer, is_staff_member

rules.add_perm("overview.view_dashboard", is_staff_member | is_master_trainer | is_ambassador)
