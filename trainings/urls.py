from django.urls import path

from .views import (
    attendance,
    certificates,
    completion,
    enrolment,
    evaluation,
    locations,
    participants,
    public,
    run_messages,
    scheduling,
)

app_name = "trainings"

urlpatterns = [
    # scheduling (staff; trainers see their own runs)
    path("", scheduling.training_list_view, name="training_list"),
    path("kalender/", scheduling.calendar_view, name="calendar"),
    path("nieuw/", scheduling.training_create_view, name="training_create"),
    path("<int:pk>/", scheduling.training_detail_view, name="training_detail"),
    path("<int:pk>/bewerken/", scheduling.training_update_view, name="training_update"),
    path("<int:pk>/bijeenkomsten/", scheduling.meetings_update_view, name="meetings_update"),
    path("<int:pk>/annuleren/", scheduling.training_cancel_view, name="training_cancel"),
    path("<int:pk>/annuleren/terugdraaien/", scheduling.training_cancel_undo_view, name="training_cancel_undo"),
    path("<int:pk>/bericht/", run_messages.run_message_view, name="run_message"),
    path("bijeenkomst/<int:pk>/annuleren/", scheduling.meeting_cancel_view, name="meeting_cancel"),
    path("<int:pk>/deelnemers.xlsx", participants.participant_export_view, name="participant_export"),
    # settings (staff): locations and the completion rule per variant
    path("locaties/", locations.location_list_view, name="location_list"),
    path("locaties/nieuw/", locations.location_create_view, name="location_create"),
    path("locaties/<int:pk>/bewerken/", locations.location_update_view, name="location_update"),
    path("locaties/<int:pk>/archiveren/", locations.location_archive_view, name="location_archive"),
    path("locaties/<int:pk>/terugzetten/", locations.location_restore_view, name="location_restore"),
    path("locaties/<int:pk>/verwijderen/", locations.location_delete_view, name="location_delete"),
    path("afronding/", completion.completion_rule_list_view, name="completion_rules"),
    path("afronding/<slug:variant>/", completion.completion_rule_update_view, name="completion_rule_update"),
    path("agenda.ics", scheduling.public_feed, name="public_feed"),
    path("agenda/trainer/<str:token>.ics", scheduling.trainer_feed, name="trainer_feed"),
    path("agenda/deelnemer/<str:token>.ics", scheduling.participant_feed, name="participant_feed"),
    # public pages and the personal enrolment page
    path("aanbod/", public.public_list, name="public_list"),
    path("aanbod/<int:pk>/inschrijven/", public.public_enrol, name="public_enrol"),
    path("aanbod/<int:pk>/ingeschreven/", public.public_enrolled, name="public_enrolled"),
    path("aanbod/organisaties/", public.organisation_search, name="organisation_search"),
    path("aanmelden/<str:key>/", public.link_enrol, name="link_enrol"),
    path("aanmelden/<str:key>/ingeschreven/", public.link_enrolled, name="link_enrolled"),
    path("privacy/", public.privacy, name="privacy"),
    path("mijn/<str:token>/", public.personal, name="personal"),
    path("mijn/<str:token>/annuleren/", public.personal_cancel, name="personal_cancel"),
    path("mijn/<str:token>/plaats-aannemen/", public.personal_offer_accept, name="offer_accept"),
    path("mijn/<str:token>/emailadres/", public.personal_email, name="personal_email"),
    # staff enrolment management
    path("<int:pk>/inschrijven/", enrolment.staff_enrol_view, name="staff_enrol"),
    path("<int:pk>/inschrijflink/vernieuwen/", enrolment.enrolment_link_renew_view, name="enrolment_link_renew"),
    path("inschrijving/<int:pk>/verplaatsen/", enrolment.enrolment_move_view, name="enrolment_move"),
    path("inschrijving/<int:pk>/annuleren/", enrolment.enrolment_cancel_view, name="enrolment_cancel"),
    # attendance
    path(
        "bijeenkomst/<int:pk>/aanwezigheid/",
        attendance.meeting_attendance_view,
        name="meeting_attendance",
    ),
    path("bijeenkomst/<int:pk>/inhalen/", attendance.catch_up_view, name="catch_up"),
    # what trainers take to a meeting: the sign-in sheet, the dietary list for the host
    path("bijeenkomst/<int:pk>/presentielijst.pdf", participants.sign_in_sheet_view, name="sign_in_sheet"),
    path("<int:pk>/dieetwensen/", participants.dietary_list_view, name="dietary_list"),
    # certificates
    path("mijn/<str:token>/certificaat.pdf", certificates.personal_certificate, name="personal_certificate"),
    path("certificaat/controleren/", certificates.verify, name="verify"),
    path("certificaat/<int:pk>.pdf", certificates.certificate_pdf_view, name="certificate_pdf"),
    path("certificaat/<int:pk>/intrekken/", certificates.certificate_revoke_view, name="certificate_revoke"),
    # evaluation
    path("mijn/<str:token>/evaluatie/<str:moment>/", evaluation.evaluation_form, name="evaluation_form"),
    path("evaluaties/", evaluation.evaluation_overview_view, name="evaluation_overview"),
    path("evaluaties/export.csv", evaluation.evaluation_export, name="evaluation_export"),
    path("evaluaties/export.xlsx", evaluation.evaluation_export_xlsx, name="evaluation_export_xlsx"),
]
