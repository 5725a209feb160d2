from django.urls import path

from . import views_policy

urlpatterns = [
    path("bewaartermijnen/", views_policy.retention_policy, name="retention"),
    path("verwerkingsregister/", views_policy.processing_register, name="register"),
    path("wijzigingen/", views_policy.AuditLogView.as_view(), name="audit"),
]
