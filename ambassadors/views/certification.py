"""certification views."""

urlpatterns = []
