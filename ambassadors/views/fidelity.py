"""fidelity views."""

urlpatterns = []
