from django.contrib import admin

from .models import Organisation, Person, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "target_group", "region", "city", "kvk_number"]
    list_filter = ["target_group", "region"]
    list_select_related = ["region"]
    search_fields = ["name", "city", "kvk_number"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "organisation", "function"]
    list_select_related = ["organisation"]
    search_fields = ["last_name", "first_name", "email"]
    autocomplete_fields = ["organisation"]
