import rules

from mentorwijs.accounts.rules import is_ambassador, is_staff_member

rules.add_perm("dissemination.browse_organisations", is_staff_member | is_ambassador)
