from django.urls import path

from .views import dashboard, home

app_name = "overview"

urlpatterns = [
    path("", home.home_view, name="home"),
    path("voortgang/", dashboard.dashboard_view, name="dashboard"),
    path("voortgang/export/", dashboard.dashboard_export, name="dashboard_export"),
    path("instellingen/", home.settings_view, name="settings"),
]
