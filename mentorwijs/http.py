"""What every view of the project shares about requests and redirects."""

from django.utils.http import url_has_allowed_host_and_scheme


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
