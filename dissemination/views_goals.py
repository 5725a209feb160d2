"""Goals of the dissemination plan: staff maintain them."""

urlpatterns = []
