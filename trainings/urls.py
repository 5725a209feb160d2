from django.urls import path  # noqa: F401

from .views import attendance, certificates, enrolment, evaluation, public, scheduling  # noqa: F401

app_name = "trainings"

urlpatterns = [
    # scheduling (staff; trainers see their own runs)
    # public pages and the personal enrolment page
    # staff enrolment management
    # attendance
    # certificates
    # evaluation
]
