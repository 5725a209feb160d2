from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from mentorwijs.admin_site import LookUpOnly

from .models import Invitation, User
from .roles import role_labels


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Superusers only (User.is_staff), a last resort: staff manage accounts on the team pages."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role_list", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_superuser"]
    filter_horizontal = ["groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal details"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Roles and access"), {"fields": ["is_active", "groups", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def has_add_permission(self, request):
        return False  # people join by invitation; superusers come from `manage.py createsuperuser`

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, user):
        return ", ".join(role_labels(user.held_roles))


@admin.register(Invitation)
class InvitationAdmin(LookUpOnly, admin.ModelAdmin):
    """Invitations are made and revoked on the invitations page, which mails the link; changing the
    address or the roles of one already sent would give its holder an account they were not sent."""

    list_display = ["email", "created_at", "invited_by", "sent_at", "accepted_at", "revoked_at"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    readonly_fields = ["created_at", "sent_at", "accepted_at", "accepted_user", "revoked_at", "invited_by"]
    fields = ["email", "first_name", "roles", "language", *readonly_fields]
