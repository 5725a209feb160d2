"""Who may use the privacy pages: staff export and erase a person's data, and read the processing register
and the audit trail. (The retention policy page is public.)"""

import rules

from mentorwijs.accounts.rules import is_staff_member

rules.add_perm("privacy.manage_person_data", is_staff_member)
rules.add_perm("privacy.view_register", is_staff_member)
rules.add_perm("privacy.view_audit_log", is_staff_member)
