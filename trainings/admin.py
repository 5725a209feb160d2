"""Runs, places, attendance, certificates and mail change only through the app's pages, where the
rules live (conflicts, capacity, waiting list, reminders, mail): the admin is for looking them up."""

from django.contrib import admin

from mentorwijs.admin_site import LookUpOnly

from .models import Attendance, Certificate, Enrolment, Evaluation, Location, Meeting, ScheduledMessage, Training


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "postcode", "city", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "address", "city", "postcode"]


class MeetingInline(LookUpOnly, admin.TabularInline):
    model = Meeting
    extra = 0
    fields = ["number", "starts_at", "ends_at", "location", "components", "meal_served", "status"]
    raw_id_fields = ["location"]
    ordering = ["number"]


@admin.register(Training)
class TrainingAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["title", "variant", "status", "region", "host_organisation", "capacity", "created_at"]
    list_filter = ["status", "variant", "region"]
    list_select_related = ["region", "host_organisation"]
    search_fields = ["title", "host_organisation__name"]
    autocomplete_fields = ["region", "host_organisation", "trainers"]
    date_hierarchy = "created_at"
    inlines = [MeetingInline]


@admin.register(Meeting)
class MeetingAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["training", "number", "starts_at", "ends_at", "location", "meal_served", "status"]
    list_filter = ["status", "meal_served", "location__region"]
    list_select_related = ["training", "location"]
    search_fields = ["training__title", "location__name", "location__city"]
    raw_id_fields = ["training", "location"]
    date_hierarchy = "starts_at"


@admin.register(Enrolment)
class EnrolmentAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["person", "training", "status", "source", "created_at", "waitlisted_at"]
    list_filter = ["status", "source", "language"]
    list_select_related = ["person", "training"]
    search_fields = ["person__first_name", "person__last_name", "person__email", "training__title"]
    raw_id_fields = ["training", "person", "enrolled_by"]
    readonly_fields = ["token"]
    date_hierarchy = "created_at"


@admin.register(Attendance)
class AttendanceAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["enrolment", "meeting", "present", "catches_up", "recorded_by", "recorded_at"]
    list_filter = ["present"]
    list_select_related = ["enrolment__person", "enrolment__training", "meeting__training", "recorded_by"]
    search_fields = ["enrolment__person__last_name", "enrolment__person__email", "meeting__training__title"]
    raw_id_fields = ["enrolment", "meeting", "catches_up", "recorded_by"]


@admin.register(Certificate)
class CertificateAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["code", "enrolment", "issued_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["enrolment__person", "enrolment__training"]
    search_fields = ["code", "enrolment__person__last_name", "enrolment__person__email"]
    raw_id_fields = ["enrolment", "revoked_by"]
    readonly_fields = ["code"]


@admin.register(Evaluation)
class EvaluationAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["enrolment", "moment", "satisfaction", "submitted_at"]
    list_filter = ["moment"]
    list_select_related = ["enrolment__person", "enrolment__training"]
    search_fields = ["enrolment__person__last_name", "enrolment__training__title"]
    raw_id_fields = ["enrolment"]


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["kind", "status", "due_at", "enrolment", "user", "meeting", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["enrolment__person", "enrolment__training", "user", "meeting__training"]
    search_fields = ["enrolment__person__email", "user__email", "message_id"]
    raw_id_fields = ["enrolment", "user", "meeting"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error", "message_id", "created_at"]
    date_hierarchy = "due_at"
