"""Who may see or change what in ambassadors. Views also filter their querysets, so another
trainer's certification or evidence answers 404 rather than 403."""

import rules

from mentorwijs.accounts.rules import is_ambassador, is_master_trainer, is_staff_member, is_trainer
from trainings.enums import AssignmentRole


@rules.predicate
def holds_certification(user, certification):
    return certification is not None and certification.holder_id == user.pk


@rules.predicate
def leads_training(user, training):
    return training is not None and training.assignments.filter(trainer_id=user.pk, role=AssignmentRole.LEAD).exists()


@rules.predicate
def gives_training(user, training):
    """Assigned to the run in any role (lead, co-trainer or candidate)."""
    return training is not None and training.assignments.filter(trainer_id=user.pk).exists()


is_reviewer = is_staff_member | is_master_trainer
# Who may give a run: a master trainer trains supervisors too, also without the trainer role.
may_give_runs = is_trainer | is_master_trainer

# Certification: trainers ask for it, master trainers and staff review it.
rules.add_perm("ambassadors.request_certification", is_trainer | is_master_trainer)
rules.add_perm("ambassadors.review_certifications", is_reviewer)
rules.add_perm("ambassadors.view_certification", is_reviewer | holds_certification)
# Staff keep the renewal rules and the refresher meetings with their attendance.
rules.add_perm("ambassadors.manage_renewal_rules", is_staff_member)
# Assignment: staff assign; trainers offer themselves for runs that need a trainer.
rules.add_perm("ambassadors.manage_assignments", is_staff_member)
rules.add_perm("ambassadors.offer_to_train", may_give_runs)
# Quality: lineage and fidelity.
rules.add_perm("ambassadors.view_lineage", is_reviewer)
rules.add_perm("ambassadors.view_fidelity", is_reviewer)
# Who may open review pages at all; which runs and which kind follow from the filtered queryset
# and the two object permissions below.
rules.add_perm("ambassadors.open_fidelity_reviews", is_trainer | is_master_trainer)
rules.add_perm("ambassadors.write_self_report", may_give_runs & leads_training)
# Nobody observes a run they give themselves (without a run: whether the role may observe at all).
rules.add_perm("ambassadors.write_observation", is_master_trainer & ~gives_training)
# Ambassadors: staff invite them; everyone who carries Mentorwijs keeps their own profile.
rules.add_perm("ambassadors.manage_ambassadors", is_staff_member)
rules.add_perm("ambassadors.edit_own_profile", is_ambassador | is_trainer | is_master_trainer)
