from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _


class AdminSite(admin.AdminSite):
    """The Django admin for Werkzaak staff (the staff role), behind the normal login and 2FA."""

    site_header = _("Mentorwijs management")
    site_title = _("Mentorwijs management")
    index_title = _("Management")

    def has_permission(self, request):
        return request.user.is_active and request.user.has_perm("accounts.use_admin")


class AdminConfig(DjangoAdminConfig):
    default_site = "mentorwijs.admin.AdminSite"
