from django.urls import include, path

app_name = "privacy"

urlpatterns = [
    path("", include("mentorwijs.privacy.urls_person")),
    path("", include("mentorwijs.privacy.urls_account")),
    path("", include("mentorwijs.privacy.urls_policy")),
]
