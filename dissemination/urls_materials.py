"""Materials library: staff upload versions; anyone downloads, counted per month."""

app_name = "materials"

urlpatterns = []
