from django.urls import path

from . import views

app_name = "dissemination"

urlpatterns = [
    path("organisaties/", views.OrganisationListView.as_view(), name="organisation_list"),
]
