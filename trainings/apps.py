from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingsConfig(AppConfig):
    name = "trainings"
    verbose_name = _("Trainings")

    def ready(self):
        from mentorwijs.accounts.queries import register_account_commitments
        from mentorwijs.personal_data import register_personal_data

        from .queries.enrolment import register_past_participants
        from .queries.scheduling import runs_given_by
        from .services import privacy
        from .services.messages import register_failed_mail, register_participant_mail

        register_participant_mail()
        register_failed_mail()
        register_past_participants()
        register_account_commitments(runs_given_by)
        register_personal_data(privacy.PART)
