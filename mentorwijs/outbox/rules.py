import rules

from mentorwijs.accounts.rules import is_staff_member

rules.add_perm("outbox.read_caught_mail", is_staff_member)
