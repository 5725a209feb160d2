from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from mentorwijs.admin_site import LookUpOnly

from .models import Invitation, User

# What only a superuser changes in another account: how it logs in (the address a password reset
# goes to, the password) and what it may do (roles, superuser status). A staff member changes their
# own address and password through allauth's pages, which ask for the password again. Whether an
# account of staff or a master trainer is active is a superuser's choice too (User.managed_by_superusers_only).
SUPERUSER_ONLY_FIELDS = ["email", "groups", "is_superuser"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser:
            return self.fieldsets
        # Without the password field, whose link leads to the password page (superusers only).
        return [(None, {"fields": ["email"]}), *self.fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return self.readonly_fields
        readonly = [*self.readonly_fields, *SUPERUSER_ONLY_FIELDS]
        if obj is not None and obj.managed_by_superusers_only:
            # Deactivating locks a colleague out; reactivating gives a departed one access back.
            readonly.append("is_active")
        return readonly

    def has_change_permission(self, request, obj=None):
        # A superuser's account is changed by superusers only (staff could lock them out).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, user):
        return ", ".join(user.role_labels)


@admin.register(Invitation)
class InvitationAdmin(LookUpOnly, admin.ModelAdmin):
    """Invitations are made and revoked on the invitations page, which mails the link; changing the
    address or the roles of one already sent would give its holder an account they were not sent."""

    list_display = ["email", "created_at", "invited_by", "sent_at", "accepted_at", "revoked_at"]
    list_select_related = ["invited_by"]
    search_fields = ["email"]
    readonly_fields = ["created_at", "sent_at", "accepted_at", "accepted_user", "revoked_at", "invited_by"]
    fields = ["email", "first_name", "roles", "language", *readonly_fields]
