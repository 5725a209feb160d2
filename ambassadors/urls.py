from .views import assignments, certification, fidelity, lineage, profiles, renewal

app_name = "ambassadors"

urlpatterns = [
    *certification.urlpatterns,
    *renewal.urlpatterns,
    *assignments.urlpatterns,
    *lineage.urlpatterns,
    *fidelity.urlpatterns,
    *profiles.urlpatterns,
]
