"""The routes of the ambassadors app, under /ambassadeurs/ (the one place that lists them)."""

from django.urls import path

from .views.assignments import open_runs_view, training_assignments_view
from .views.certification import (
    certification_detail_view,
    certification_request_view,
    certification_review_view,
    evidence_download,
    review_list_view,
)
from .views.fidelity import fidelity_mine_view, fidelity_overview_view, fidelity_review_view
from .views.lineage import lineage_view
from .views.profiles import ambassador_invite_view, ambassador_list_view, my_profile_view, participant_invite_view
from .views.renewal import my_certification_view, public_register_view
from .views.renewal_rules import (
    refresher_create_view,
    refresher_list_view,
    refresher_update_view,
    renewal_rule_activate_view,
    renewal_rule_create_view,
    renewal_rule_deactivate_view,
    renewal_rule_list_view,
    renewal_rule_update_view,
)

app_name = "ambassadors"

urlpatterns = [
    # certification
    path("certificering/aanvragen/", certification_request_view, name="certification_request"),
    path("certificering/beoordelen/", review_list_view, name="review_list"),
    path("certificering/<int:pk>/", certification_detail_view, name="certification_detail"),
    path("certificering/<int:pk>/beoordelen/", certification_review_view, name="certification_review"),
    path("certificering/bewijs/<int:pk>/", evidence_download, name="evidence_download"),
    # renewal
    path("mijn-certificering/", my_certification_view, name="my_certification"),
    path("register/", public_register_view, name="public_register"),
    # renewal rules
    path("verlengingsregels/", renewal_rule_list_view, name="renewal_rule_list"),
    path("verlengingsregels/nieuw/", renewal_rule_create_view, name="renewal_rule_create"),
    path("verlengingsregels/<int:pk>/bewerken/", renewal_rule_update_view, name="renewal_rule_update"),
    path("verlengingsregels/<int:pk>/buiten-werking/", renewal_rule_deactivate_view, name="renewal_rule_deactivate"),
    path("verlengingsregels/<int:pk>/in-werking/", renewal_rule_activate_view, name="renewal_rule_activate"),
    path("terugkomdagen/", refresher_list_view, name="refresher_list"),
    path("terugkomdagen/nieuw/", refresher_create_view, name="refresher_create"),
    path("terugkomdagen/<int:pk>/", refresher_update_view, name="refresher_update"),
    # assignments
    path("trainingen/<int:pk>/trainers/", training_assignments_view, name="training_assignments"),
    path("open-trainingen/", open_runs_view, name="open_runs"),
    # lineage
    path("stamboom/", lineage_view, name="lineage"),
    # fidelity
    path("modelgetrouwheid/", fidelity_overview_view, name="fidelity_overview"),
    path("modelgetrouwheid/mijn-trainingen/", fidelity_mine_view, name="fidelity_mine"),
    path("modelgetrouwheid/training/<int:pk>/", fidelity_review_view, name="fidelity_review"),
    # profiles
    path("profielen/", ambassador_list_view, name="ambassador_list"),
    path("profielen/uitnodigen/", ambassador_invite_view, name="ambassador_invite"),
    path(
        "inschrijvingen/<int:pk>/ambassadeur-uitnodigen/",
        participant_invite_view,
        name="invite_participant",
    ),
    path("mijn-profiel/", my_profile_view, name="my_profile"),
]
