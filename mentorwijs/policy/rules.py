import rules

from mentorwijs.accounts.rules import is_staff_member

# The periods and limits (retention, certification validity, offer time, soft bounces): staff.
rules.add_perm("policy.manage_policy", is_staff_member)
