"""The routes of the privacy pages, under /privacy/ (the one place that lists them)."""

from django.urls import path

from .views import account, person, policy

app_name = "privacy"

urlpatterns = [
    # a person's data
    path("personen/<int:pk>/", person.person_data_view, name="person_data"),
    path("personen/<int:pk>/gegevens.json", person.person_data_json, name="person_data_json"),
    path("personen/<int:pk>/wissen/", person.person_erase_view, name="person_erase"),
    # account holders' data
    path("accounts/", account.account_list_view, name="account_list"),
    path("accounts/<int:pk>/", account.account_data_view, name="account_data"),
    path("accounts/<int:pk>/gegevens.json", account.account_data_json, name="account_data_json"),
    path("accounts/<int:pk>/wissen/", account.account_erase_view, name="account_erase"),
    # the policy: retention periods, processing register, audit trail
    path("bewaartermijnen/", policy.retention_policy, name="retention"),
    path("verwerkingsregister/", policy.processing_register, name="register"),
    path("wijzigingen/", policy.audit_log_view, name="audit"),
]
