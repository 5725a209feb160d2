"""Public newsletter pages: sign-up, confirmation, preferences, one-click unsubscribe.

The links in mails (confirm, preferences, unsubscribe) are built by dissemination.tokens."""

from django.urls import path

from . import views_subscriptions as views

app_name = "newsletter"

urlpatterns = [
    path("", views.signup, name="signup"),
    path("aangemeld/", views.signup_done, name="signup_done"),
    path("bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("voorkeuren/<str:token>/", views.preferences, name="preferences"),
    path("afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("test/<slug:kind>/", views.test_link, name="test_link"),
]
