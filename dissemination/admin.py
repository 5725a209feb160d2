from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Material, Organisation, OutreachContact, Person, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "target_group", "region", "city", "kvk_number"]
    list_filter = ["target_group", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "city", "kvk_number"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # as the app's organisation form


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["first_name", "last_name", "email", "phone", "organisation", "function"]
        help_texts = {
            "email": _(
                "Change the address on the person's page in Mentorwijs (People): there the old address gets a "
                "notice and the personal links move to the new one."
            )
        }


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """An existing person's address is read-only: a change goes through person_save (the app's
    person form), which decides who may change it, tells the old address and replaces the personal
    links mailed there. Here it would change silently."""

    form = PersonAdminForm
    fields = PersonAdminForm.Meta.fields
    list_display = ["last_name", "first_name", "email", "organisation", "function"]
    list_select_related = ["organisation"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["email"] if obj is not None else []


@admin.register(OutreachContact)
class OutreachContactAdmin(admin.ModelAdmin):
    """For looking up; ambassadors log and staff reassign in the app, where the rules live."""

    list_display = ["date", "organisation", "logged_by", "channel", "stage", "follow_up_on", "follow_up_done"]
    list_filter = ["channel", "stage", "follow_up_done"]
    list_select_related = ["organisation", "logged_by"]
    search_fields = ["organisation__name", "logged_by__email"]
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    """For looking up; staff upload versions in the app (materials:upload), where the file checks live.
    Versions are never deleted: older ones stay downloadable and their download counts stay."""

    list_display = ["title", "version", "kind", "language", "uploaded_at", "superseded_at", "size"]
    list_filter = ["kind", "language", ("superseded_at", admin.EmptyFieldListFilter)]
    list_select_related = ["uploaded_by"]
    search_fields = ["title", "version"]
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
