"""Who may see or change what in trainings. Views also filter their querysets, so a run that is
not yours answers 404 rather than 403."""

import rules

from mentorwijs.accounts.rules import is_master_trainer, is_staff_member, is_trainer


@rules.predicate
def gives_training(user, training):
    """One query, unless the view read the run's trainers already: all of them (`trainer_ids`), or
    found the run among the user's own (`known_trainer_ids`)."""
    if training is None:
        return False
    trainer_ids = getattr(training, "trainer_ids", None)
    if trainer_ids is not None:
        return user.pk in trainer_ids
    if user.pk in getattr(training, "known_trainer_ids", ()):
        return True
    return training.trainers.filter(pk=user.pk).exists()


rules.add_perm("trainings.manage_trainings", is_staff_member)
rules.add_perm("trainings.browse_trainings", is_staff_member | is_master_trainer | is_trainer)
rules.add_perm("trainings.view_training", is_staff_member | is_master_trainer | (is_trainer & gives_training))
rules.add_perm("trainings.record_attendance", is_staff_member | (is_trainer & gives_training))
# Who enrolled, with their details: staff, and whoever gives the run as trainer (as for attendance:
# an assignment outlives a trainer role taken away). Master trainers see every run for their
# reviews, but its participants only when they give it themselves (docs/security.md).
rules.add_perm("trainings.view_participants", is_staff_member | (is_trainer & gives_training))
# A message to a run's participants (issue 17): whoever may see them, staff and the run's trainers.
rules.add_perm("trainings.message_participants", is_staff_member | (is_trainer & gives_training))
rules.add_perm("trainings.view_evaluations", is_staff_member | is_master_trainer)
# Catching up a meeting of another run: staff browse the participants who may; anyone else who
# records attendance finds someone of another run only by typing their full name (they stand in
# front of them), never a list (queries.catch_up_candidates, docs/security.md).
rules.add_perm("trainings.browse_catch_up_candidates", is_staff_member)
# The settings of the trainings (locations, the completion rule per variant): staff.
rules.add_perm("trainings.manage_settings", is_staff_member)
