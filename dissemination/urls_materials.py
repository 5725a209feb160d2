"""Materials library: staff upload versions; anyone downloads, counted per month."""

from django.urls import path

from . import views_materials as views

app_name = "materials"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/versies/", views.versions, name="versions"),
    path("<int:pk>/downloaden/", views.download, name="download"),
    path("beheer/", views.ManageView.as_view(), name="manage"),
    path("beheer/uploaden/", views.UploadView.as_view(), name="upload"),
]
