"""lineage views."""

urlpatterns = []
