"""Who may see or change what in trainings. Views also filter their querysets, so a run that is
not yours answers 404 rather than 403."""

import rules

from mentorwijs.accounts.rules import is_master_trainer, is_staff_member, is_trainer


@rules.predicate
def gives_training(user, training):
    """One query, unless the view read the run through its trainers already (known_trainer_ids)."""
    if training is None:
        return False
    if user.pk in getattr(training, "known_trainer_ids", ()):
        return True
    return training.trainers.filter(pk=user.pk).exists()


rules.add_perm("trainings.manage_trainings", is_staff_member)
rules.add_perm("trainings.browse_trainings", is_staff_member | is_master_trainer | is_trainer)
rules.add_perm("trainings.view_training", is_staff_member | is_master_trainer | (is_trainer & gives_training))
rules.add_perm("trainings.record_attendance", is_staff_member | (is_trainer & gives_training))
rules.add_perm("trainings.view_evaluations", is_staff_member | is_master_trainer)
