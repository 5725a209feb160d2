"""renewal views."""

urlpatterns = []
