"""Who may read the processing register and the audit trail: staff. (Imported by PrivacyConfig.ready;
the retention policy page is public.)"""

import rules

from mentorwijs.accounts.rules import is_staff_member

rules.add_perm("privacy.view_register", is_staff_member)
rules.add_perm("privacy.view_audit_log", is_staff_member)
