"""Staff pages for subscribers and their consent history."""

urlpatterns = []
