from django.urls import path

from . import views, views_dashboard

app_name = "overview"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("voortgang/", views_dashboard.DashboardView.as_view(), name="dashboard"),
    path("voortgang/export/", views_dashboard.dashboard_export, name="dashboard_export"),
    path("instellingen/", views.SettingsView.as_view(), name="settings"),
]
