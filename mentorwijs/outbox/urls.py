from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.CaughtMailListView.as_view(), name="list"),
    path("<int:pk>/", views.CaughtMailDetailView.as_view(), name="detail"),
    path("<int:pk>/html/", views.CaughtMailHtmlView.as_view(), name="html"),
]
