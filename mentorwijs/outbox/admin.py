from django.contrib import admin

from .models import CaughtMail


@admin.register(CaughtMail)
class CaughtMailAdmin(admin.ModelAdmin):
    list_display = ["caught_at", "recipients", "subject"]
    search_fields = ["recipients", "subject"]
    exclude = ["raw"]
    readonly_fields = ["caught_at", "from_email", "recipients", "subject"]
