"""Staff pages for newsletters: campaigns and subscribers."""

urlpatterns = []
