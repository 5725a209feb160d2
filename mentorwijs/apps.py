from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin on the project's site (mentorwijs/admin_site.py), so every ModelAdmin
    registered with `admin.site` or `@admin.register`, ours and third-party ones, is guarded."""

    default_site = "mentorwijs.admin_site.AdminSite"

    def ready(self):
        super().ready()
        from .admin_site import adjust_third_party_admins

        adjust_third_party_admins(self.module.site)
