"""What every view of the project shares about requests and redirects."""

from django.utils.http import url_has_allowed_host_and_scheme
from rules.contrib.views import PermissionRequiredMixin


def safe_next(request, url: str | None, fallback: str = "") -> str:
    """`url` when it points to a page of this site, else `fallback`.

    A "next" the client sent (a query parameter, a hidden field) may only lead back into the site: a
    relative path or this host. Another host, `//host`, `javascript:` and, on an HTTPS request, a plain
    `http://` address are refused, and the fallback is used."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


class RoleOnlyPermissionMixin(PermissionRequiredMixin):
    """rules' permission check without the object: a role that may not use the page gets 403; an
    object the user may not see answers 404 from the view's filtered queryset."""

    def get_permission_object(self):
        return None
