"""assignments views."""

urlpatterns = []
