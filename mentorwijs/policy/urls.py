from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.policy_list_view, name="list"),
    path("<slug:key>/", views.policy_update_view, name="update"),
]
