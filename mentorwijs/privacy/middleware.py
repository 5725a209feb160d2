"""django-auditlog's middleware, with the project's client address."""

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware

from mentorwijs.ratelimit import UNKNOWN, client_address


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """auditlog's own reads the leftmost X-Forwarded-For entry, which the client writes: an entry
    could then name anyone, and one that is no address made every audited write fail on PostgreSQL
    (its column is `inet`). Here the address is the one the rate limits count (mentorwijs.ratelimit,
    through TRUSTED_PROXY_COUNT proxies), and the port, which the client sends too, is left out."""

    @staticmethod
    def _get_remote_addr(request):
        address = client_address(request)
        return None if address == UNKNOWN else address

    @staticmethod
    def _get_remote_port(request):
        return None
