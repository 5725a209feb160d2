"""Events views (congresses, inspiration meetings, conferences)."""

urlpatterns = []
