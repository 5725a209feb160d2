"""Who may use the privacy pages. Exporting and erasing a person's data is a staff action."""

import rules

from mentorwijs.accounts.rules import is_staff_member

rules.add_perm("privacy.manage_person_data", is_staff_member)
