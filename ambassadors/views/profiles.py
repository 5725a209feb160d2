"""profiles views."""

urlpatterns = []
