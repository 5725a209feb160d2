from django.urls import path

from .views import dashboard, home

app_name = "overview"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("voortgang/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("voortgang/export/", dashboard.dashboard_export, name="dashboard_export"),
    path("instellingen/", home.SettingsView.as_view(), name="settings"),
]
