from .views import assignments, certification, fidelity, lineage, profiles, renewal, renewal_rules

app_name = "ambassadors"

urlpatterns = [
    *certification.urlpatterns,
    *renewal.urlpatterns,
    *renewal_rules.urlpatterns,
    *assignments.urlpatterns,
    *lineage.urlpatterns,
    *fidelity.urlpatterns,
    *profiles.urlpatterns,
]
