from allauth.mfa.utils import is_mfa_enabled
from django.views.generic import TemplateView

from mentorwijs.accounts.roles import Role

# What each role's home page says needs doing; later issues add real to-do lists here.
ROLE_INTROS = {
    Role.STAFF: "overview/intro_staff.html",
    Role.MASTER_TRAINER: "overview/intro_master_trainer.html",
    Role.TRAINER: "overview/intro_trainer.html",
    Role.AMBASSADOR: "overview/intro_ambassador.html",
}


class HomeView(TemplateView):
    template_name = "overview/home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            role_intros=[ROLE_INTROS[role] for role in Role if role in user.roles],
            two_factor_enabled=is_mfa_enabled(user),
            **kwargs,
        )
