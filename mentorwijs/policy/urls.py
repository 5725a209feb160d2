from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("<slug:key>/", views.PolicyUpdateView.as_view(), name="update"),
]
