import rules

from mentorwijs.accounts.rules import is_ambassador, is_staff_member

rules.add_perm("dissemination.browse_organisations", is_staff_member | is_ambassador)

# Outreach log: ambassadors log their own contacts (others' contacts answer 404, the views filter);
# everyone who does outreach sees the read-only summary per organisation; staff manage all.
rules.add_perm("dissemination.log_outreach", is_staff_member | is_ambassador)
rules.add_perm("dissemination.view_outreach_summary", is_staff_member | is_ambassador)
rules.add_perm("dissemination.manage_outreach", is_staff_member)

# Organisations and people (helper H): staff and ambassadors create and edit; staff merge, import, export.
# Which people: queries.people_visible_to (staff all, an ambassador their own; docs/security.md).
rules.add_perm("dissemination.edit_relations", is_staff_member | is_ambassador)
rules.add_perm("dissemination.manage_relations", is_staff_member)
# Organisations participants named on the public enrolment form: staff confirm or merge them.
rules.add_perm("dissemination.match_organisations", is_staff_member)

# Materials, events and the plan's goals: staff maintain them.
rules.add_perm("dissemination.manage_materials", is_staff_member)
rules.add_perm("dissemination.manage_events", is_staff_member)
rules.add_perm("dissemination.manage_goals", is_staff_member)
rules.add_perm("dissemination.manage_newsletters", is_staff_member)
# Bounces, complaints and failed mail of every app, and sending a failed service mail again.
rules.add_perm("dissemination.read_mail_events", is_staff_member)
