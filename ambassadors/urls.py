"""The routes of the ambassadors app, under /ambassadeurs/ (the one place that lists them)."""

from django.urls import path

from .views.assignments import OpenRunsView, TrainingAssignmentsView
from .views.certification import (
    CertificationDetailView,
    CertificationRequestView,
    CertificationReviewView,
    ReviewListView,
    evidence_download,
)
from .views.fidelity import FidelityMineView, FidelityOverviewView, FidelityReviewView
from .views.lineage import LineageView
from .views.profiles import AmbassadorInviteView, AmbassadorListView, InviteParticipantView, MyProfileView
from .views.renewal import MyCertificationView, PublicRegisterView
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
    path("certificering/aanvragen/", CertificationRequestView.as_view(), name="certification_request"),
    path("certificering/beoordelen/", ReviewListView.as_view(), name="review_list"),
    path("certificering/<int:pk>/", CertificationDetailView.as_view(), name="certification_detail"),
    path("certificering/<int:pk>/beoordelen/", CertificationReviewView.as_view(), name="certification_review"),
    path("certificering/bewijs/<int:pk>/", evidence_download, name="evidence_download"),
    # renewal
    path("mijn-certificering/", MyCertificationView.as_view(), name="my_certification"),
    path("register/", PublicRegisterView.as_view(), name="public_register"),
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
    path("trainingen/<int:pk>/trainers/", TrainingAssignmentsView.as_view(), name="training_assignments"),
    path("open-trainingen/", OpenRunsView.as_view(), name="open_runs"),
    # lineage
    path("stamboom/", LineageView.as_view(), name="lineage"),
    # fidelity
    path("modelgetrouwheid/", FidelityOverviewView.as_view(), name="fidelity_overview"),
    path("modelgetrouwheid/mijn-trainingen/", FidelityMineView.as_view(), name="fidelity_mine"),
    path("modelgetrouwheid/training/<int:pk>/", FidelityReviewView.as_view(), name="fidelity_review"),
    # profiles
    path("profielen/", AmbassadorListView.as_view(), name="ambassador_list"),
    path("profielen/uitnodigen/", AmbassadorInviteView.as_view(), name="ambassador_invite"),
    path(
        "inschrijvingen/<int:pk>/ambassadeur-uitnodigen/",
        InviteParticipantView.as_view(),
        name="invite_participant",
    ),
    path("mijn-profiel/", MyProfileView.as_view(), name="my_profile"),
]
