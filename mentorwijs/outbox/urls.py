from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.caught_mail_list_view, name="list"),
    path("<int:pk>/", views.caught_mail_detail_view, name="detail"),
    path("<int:pk>/html/", views.caught_mail_html_view, name="html"),
]
