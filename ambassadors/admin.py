"""Staff keep the renewal rules and refresher meetings here. Certifications, their history and mail,
ambassadors, offers to train and fidelity reviews change only through the app's pages, where the
rules live (review steps, mails, consent, assignment checks): the admin is for looking them up."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mentorwijs.admin_site import LookUpOnly

from .models import (
    Ambassador,
    AssignmentOffer,
    Certification,
    CertificationEvent,
    CertificationEvidence,
    CertificationNotice,
    FidelityReview,
    RefresherMeeting,
    RenewalRule,
)


@admin.register(RenewalRule)
class RenewalRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "level", "kind", "minimum", "minimum_score", "active"]
    list_display_links = ["__str__"]
    list_editable = ["minimum", "minimum_score", "active"]
    list_filter = ["level", "kind", "active"]
    fields = ["level", "kind", "minimum", "minimum_score", "active"]


@admin.register(RefresherMeeting)
class RefresherMeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "held_on", "attendee_count"]
    search_fields = ["title"]
    date_hierarchy = "held_on"
    fields = ["title", "held_on", "attendees"]
    autocomplete_fields = ["attendees"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_count=Count("attendees"))

    @admin.display(description=_("attendees"), ordering="attendee_count")
    def attendee_count(self, meeting):
        return meeting.attendee_count


class CertificationEventInline(LookUpOnly, admin.TabularInline):
    model = CertificationEvent
    extra = 0
    fields = ["action", "actor", "at", "note"]
    ordering = ["at", "pk"]


class CertificationEvidenceInline(LookUpOnly, admin.TabularInline):
    """Names only: the files themselves are served by the app's download view, which checks permission."""

    model = CertificationEvidence
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Certification)
class CertificationAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["holder", "level", "status", "valid_from", "valid_until", "certified_by", "requested_at"]
    list_filter = ["status", "level"]
    list_select_related = ["holder", "certified_by"]
    search_fields = ["holder__first_name", "holder__last_name", "holder__email"]
    raw_id_fields = ["holder", "training", "renews", "certified_by", "reviewed_by"]
    date_hierarchy = "requested_at"
    inlines = [CertificationEvidenceInline, CertificationEventInline]


@admin.register(CertificationEvent)
class CertificationEventAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["certification", "action", "actor", "at"]
    list_filter = ["action"]
    list_select_related = ["certification__holder", "actor"]
    search_fields = ["certification__holder__last_name", "certification__holder__email"]
    raw_id_fields = ["certification", "actor"]
    date_hierarchy = "at"


@admin.register(CertificationNotice)
class CertificationNoticeAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["certification", "kind", "status", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["certification__holder"]
    search_fields = ["certification__holder__email", "message_id"]
    raw_id_fields = ["certification"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error", "message_id"]
    date_hierarchy = "due_at"


@admin.register(Ambassador)
class AmbassadorAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["__str__", "kind", "organisation", "region", "public_listing", "created_at"]
    list_filter = ["kind", "public_listing", "region"]
    list_select_related = ["user", "person", "organisation", "region"]
    search_fields = ["user__first_name", "user__last_name", "user__email", "person__last_name", "person__email"]
    raw_id_fields = ["user", "person", "organisation", "region", "invitation"]
    date_hierarchy = "created_at"


@admin.register(AssignmentOffer)
class AssignmentOfferAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["trainer", "training", "role", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "role"]
    list_select_related = ["trainer", "training", "decided_by"]
    search_fields = ["trainer__last_name", "trainer__email", "training__title"]
    raw_id_fields = ["training", "trainer", "decided_by"]
    date_hierarchy = "created_at"


@admin.register(FidelityReview)
class FidelityReviewAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ["training", "kind", "reviewer", "average", "submitted_at"]
    list_filter = ["kind"]
    list_select_related = ["training", "reviewer"]
    search_fields = ["training__title", "reviewer__last_name", "reviewer__email"]
    raw_id_fields = ["training", "reviewer"]
    date_hierarchy = "submitted_at"
