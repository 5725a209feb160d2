from django.urls import path

from . import (
    views,
    views_events,
    views_goals,
    views_mail_events,
    views_matching,
    views_newsletters,
    views_outreach,
    views_subscribers,
)
from . import views_merge as merge
from . import views_relations as relations
from . import views_transfer as transfer

app_name = "dissemination"

urlpatterns = [
    path("organisaties/", views.OrganisationListView.as_view(), name="organisation_list"),
    path("organisaties/zoeken/", views.organisation_search, name="organisation_search"),
    # Organisations and people (views_relations, views_merge, views_transfer)
    path("organisaties/nieuw/", relations.organisation_create, name="organisation_create"),
    path("organisaties/<int:pk>/", relations.OrganisationDetailView.as_view(), name="organisation_detail"),
    path("organisaties/<int:pk>/bewerken/", relations.organisation_update, name="organisation_update"),
    path("personen/", relations.PersonListView.as_view(), name="person_list"),
    path("personen/nieuw/", relations.person_create, name="person_create"),
    path("personen/<int:pk>/bewerken/", relations.person_update, name="person_update"),
    path("organisaties/<int:pk>/samenvoegen/", merge.organisation_merge_view, name="organisation_merge"),
    path("personen/<int:pk>/samenvoegen/", merge.person_merge_view, name="person_merge"),
    path("organisaties/importeren/", transfer.organisation_import_view, name="organisation_import"),
    path("organisaties/exporteren/", transfer.organisation_export_view, name="organisation_export"),
    # Outreach log (views_outreach)
    path("contacten/", views_outreach.ContactListView.as_view(), name="contact_list"),
    path("contacten/nieuw/", views_outreach.ContactLogView.as_view(), name="contact_log"),
    path("contacten/<int:pk>/", views_outreach.ContactDetailView.as_view(), name="contact_detail"),
    path("contacten/<int:pk>/opvolging-gedaan/", views_outreach.contact_follow_up_done, name="contact_follow_up_done"),
    path("contacten/<int:pk>/overdragen/", views_outreach.ContactReassignView.as_view(), name="contact_reassign"),
    path("opvolging/", views_outreach.FollowUpListView.as_view(), name="follow_up_list"),
    path(
        "organisaties/<int:pk>/contacten/",
        views_outreach.OrganisationSummaryView.as_view(),
        name="organisation_outreach",
    ),
    *views_matching.urlpatterns,
    *views_events.urlpatterns,
    *views_goals.urlpatterns,
    *views_newsletters.urlpatterns,
    *views_subscribers.urlpatterns,
    *views_mail_events.urlpatterns,
]
