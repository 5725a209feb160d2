from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("uitnodigingen/", views.InvitationListView.as_view(), name="invitation_list"),
    path("uitnodigingen/nieuw/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("uitnodigingen/<int:pk>/intrekken/", views.invitation_revoke, name="invitation_revoke"),
    path("uitnodiging/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("tweestapsverificatie/", views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
]
