from django.urls import path

from . import views_person

urlpatterns = [
    path("personen/<int:pk>/", views_person.person_data_view, name="person_data"),
    path("personen/<int:pk>/gegevens.json", views_person.person_data_json, name="person_data_json"),
    path("personen/<int:pk>/wissen/", views_person.person_erase_view, name="person_erase"),
]
