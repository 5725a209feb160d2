from django.urls import path

from . import views
from .views import team

app_name = "accounts"

urlpatterns = [
    path("", team.team_list, name="team_list"),
    path("mijn-account/", team.my_account, name="my_account"),
    path("<int:pk>/", team.account_detail, name="account_detail"),
    path("<int:pk>/rollen/", team.account_roles, name="account_roles"),
    path("<int:pk>/naam/", team.account_name, name="account_name"),
    path("<int:pk>/deactiveren/", team.account_deactivate, name="account_deactivate"),
    path("<int:pk>/heractiveren/", team.account_reactivate, name="account_reactivate"),
    path("<int:pk>/tweestapsverificatie-herstellen/", team.account_two_factor_reset, name="account_two_factor_reset"),
    path("uitnodigingen/<int:pk>/opnieuw/", team.invitation_resend, name="invitation_resend"),
    path("uitnodigingen/", views.invitation_list, name="invitation_list"),
    path("uitnodigingen/nieuw/", views.invitation_create, name="invitation_create"),
    path("uitnodigingen/<int:pk>/intrekken/", views.invitation_revoke, name="invitation_revoke"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("tweestapsverificatie/", views.two_factor_setup, name="two_factor_setup"),
]
