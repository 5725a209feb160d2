"""Every route of dissemination, in three lists: the staff and ambassador pages under /relaties/
(namespace "dissemination"), the materials library under /materialen/ ("materials": staff upload
versions; anyone downloads, counted per month), a guest's answer to an event invitation under
/evenement/ ("event": the signed link of the mail) and the public newsletter pages under /nieuwsbrief/
("newsletter": sign-up, confirmation, preferences, one-click unsubscribe; the links in mails are built
by dissemination.tokens). mentorwijs/urls.py mounts each list with its namespace."""

from django.urls import path

from .views import newsletters, outreach, relations
from .views import newsletters_mail_events as mail_events
from .views import newsletters_subscribers as subscribers
from .views import newsletters_subscriptions as subscriptions
from .views import outreach_events as events
from .views import outreach_goals as goals
from .views import outreach_materials as materials
from .views import relations_directory as directory
from .views import relations_matching as matching
from .views import relations_merge as merge
from .views import relations_transfer as transfer

app_name = "dissemination"

urlpatterns = [
    path("organisaties/", directory.organisation_list_view, name="organisation_list"),
    path("organisaties/zoeken/", directory.organisation_search, name="organisation_search"),
    # relations: organisations and people
    path("organisaties/nieuw/", relations.organisation_create, name="organisation_create"),
    path("organisaties/<int:pk>/", relations.organisation_detail_view, name="organisation_detail"),
    path("organisaties/<int:pk>/bewerken/", relations.organisation_update, name="organisation_update"),
    path("personen/", relations.person_list_view, name="person_list"),
    path("personen/nieuw/", relations.person_create, name="person_create"),
    path("personen/<int:pk>/bewerken/", relations.person_update, name="person_update"),
    path("organisaties/<int:pk>/samenvoegen/", merge.organisation_merge_view, name="organisation_merge"),
    path("personen/<int:pk>/samenvoegen/", merge.person_merge_view, name="person_merge"),
    path("organisaties/importeren/", transfer.organisation_import_view, name="organisation_import"),
    path("organisaties/exporteren/", transfer.organisation_export_view, name="organisation_export"),
    # outreach: the contact log and follow-ups
    path("contacten/", outreach.contact_list_view, name="contact_list"),
    path("contacten/nieuw/", outreach.contact_log_view, name="contact_log"),
    path("contacten/<int:pk>/", outreach.contact_detail_view, name="contact_detail"),
    path("contacten/<int:pk>/opvolging-gedaan/", outreach.contact_follow_up_done, name="contact_follow_up_done"),
    path("contacten/<int:pk>/overdragen/", outreach.contact_reassign_view, name="contact_reassign"),
    path("opvolging/", outreach.follow_up_list_view, name="follow_up_list"),
    path(
        "organisaties/<int:pk>/contacten/",
        outreach.organisation_summary_view,
        name="organisation_outreach",
    ),
    # relations: matching organisations named by participants
    path("organisaties/te-koppelen/", matching.matching_list_view, name="organisation_matching"),
    path("organisaties/te-koppelen/<int:pk>/bevestigen/", matching.match_confirm, name="organisation_match_confirm"),
    path("organisaties/te-koppelen/<int:pk>/samenvoegen/", matching.match_merge, name="organisation_match_merge"),
    # outreach: events
    path("evenementen/", events.event_list_view, name="event_list"),
    path("evenementen/nieuw/", events.event_create, name="event_create"),
    path("evenementen/<int:pk>/", events.event_detail_view, name="event_detail"),
    path("evenementen/<int:pk>/bewerken/", events.event_update, name="event_update"),
    path("evenementen/<int:pk>/gasten/", events.event_guests, name="event_guests"),
    path("evenementen/<int:pk>/uitnodigen/", events.event_invite_bulk_view, name="event_invite_bulk"),
    path(
        "evenementen/<int:pk>/gasten/<int:guest_pk>/verwijderen/", events.event_guest_remove, name="event_guest_remove"
    ),
    path("evenementen/<int:pk>/aanwezigheid/", events.event_attendance, name="event_attendance"),
    path("evenementen/<int:pk>/opvolging-gedaan/", events.event_follow_up_done_view, name="event_follow_up_done"),
    # outreach: the plan's goals
    path("doelen/", goals.goal_list_view, name="goal_list"),
    path("doelen/nieuw/", goals.goal_create_view, name="goal_create"),
    path("doelen/<int:pk>/bewerken/", goals.goal_update_view, name="goal_update"),
    path("doelen/<int:pk>/verwijderen/", goals.goal_delete_view, name="goal_delete"),
    # newsletters: campaigns and mailing lists
    path("nieuwsbrieven/lijsten/", newsletters.mailing_list_list_view, name="mailing_list_list"),
    path("nieuwsbrieven/lijsten/nieuw/", newsletters.mailing_list_create_view, name="mailing_list_create"),
    path("nieuwsbrieven/lijsten/<int:pk>/bewerken/", newsletters.mailing_list_update_view, name="mailing_list_update"),
    path(
        "nieuwsbrieven/lijsten/<int:pk>/archiveren/", newsletters.mailing_list_archive_view, name="mailing_list_archive"
    ),
    path(
        "nieuwsbrieven/lijsten/<int:pk>/terugzetten/",
        newsletters.mailing_list_restore_view,
        name="mailing_list_restore",
    ),
    path("nieuwsbrieven/", newsletters.newsletter_list_view, name="newsletter_list"),
    path("nieuwsbrieven/nieuw/", newsletters.newsletter_create_view, name="newsletter_create"),
    path("nieuwsbrieven/voorbeeld/", newsletters.newsletter_preview_view, name="newsletter_preview"),
    path("nieuwsbrieven/<int:pk>/", newsletters.newsletter_detail_view, name="newsletter_detail"),
    path("nieuwsbrieven/<int:pk>/voorbeeld/", newsletters.newsletter_html_view, name="newsletter_html"),
    path("nieuwsbrieven/<int:pk>/bewerken/", newsletters.newsletter_update_view, name="newsletter_update"),
    path("nieuwsbrieven/<int:pk>/testmail/", newsletters.newsletter_test_send_view, name="newsletter_test_send"),
    path("nieuwsbrieven/<int:pk>/versturen/", newsletters.newsletter_schedule_view, name="newsletter_schedule"),
    path("nieuwsbrieven/<int:pk>/annuleren/", newsletters.newsletter_cancel_view, name="newsletter_cancel"),
    path("nieuwsbrieven/<int:pk>/voortgang/", newsletters.newsletter_progress_view, name="newsletter_progress"),
    # newsletters: subscribers
    path("abonnees/", subscribers.subscriber_list, name="subscriber_list"),
    path("abonnees/importeren/", subscribers.subscriber_import, name="subscriber_import"),
    path("abonnees/<int:pk>/", subscribers.subscriber_detail, name="subscriber_detail"),
    # newsletters: bounces, complaints and failed sends
    path("mailmeldingen/", mail_events.mail_event_list, name="mail_event_list"),
    path(
        "mailmeldingen/<str:source>/<int:pk>/opnieuw/", mail_events.mail_event_send_again, name="mail_event_send_again"
    ),
]


material_urlpatterns = (
    [
        path("", materials.public_list, name="public_list"),
        path("<int:pk>/versies/", materials.versions, name="versions"),
        path("<int:pk>/downloaden/", materials.download, name="download"),
        path("beheer/", materials.material_manage_view, name="manage"),
        path("beheer/uploaden/", materials.material_upload_view, name="upload"),
    ],
    "materials",
)

# A guest's answer to an event invitation (public, the signed link of the mail).
event_urlpatterns = ([path("<str:token>/", events.event_rsvp, name="rsvp")], "event")

newsletter_urlpatterns = (
    [
        path("", subscriptions.signup, name="signup"),
        path("aangemeld/", subscriptions.signup_done, name="signup_done"),
        path("bevestigen/<str:token>/", subscriptions.confirm, name="confirm"),
        path("voorkeuren/<str:token>/", subscriptions.preferences, name="preferences"),
        path("afmelden/<str:token>/", subscriptions.unsubscribe, name="unsubscribe"),
        path("test/<slug:kind>/", subscriptions.test_link, name="test_link"),
    ],
    "newsletter",
)
