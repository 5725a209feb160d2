"""Public newsletter pages: sign-up, confirmation, preferences, one-click unsubscribe."""

app_name = "newsletter"

urlpatterns = []
