"""The client's address, and the one counter every rate limit of the public pages uses.

Behind a reverse proxy every request comes from the proxy's address (REMOTE_ADDR). Each proxy we run
appends the address it saw to X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies in front of the app
the client is the entry the outermost of them appended: the TRUSTED_PROXY_COUNT-th from the right.
Everything left of it was sent by the client and can be anything, so it is never read. With 0 (no
proxy) the header is ignored altogether.

allauth's login and password-reset limits ask the account adapter for the address, which calls
`client_address` too (mentorwijs.accounts.adapter), so a login and a public form agree on who the
client is."""

import ipaddress

from django.conf import settings
from django.core.cache import cache

# An IPv6 client usually holds a whole /64: counting per address would let it walk through them.
# allauth's login limits group the same way (ALLAUTH_RATE_LIMIT_IPV6_PREFIX, default 64).
IPV6_PREFIX = 64


def _ip(value: str) -> str | None:
    """`value` as a normalised IP address (a port or IPv6 brackets removed), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 192.0.2.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


# What client_address answers when not even REMOTE_ADDR holds an IP address.
UNKNOWN = "unknown"


def client_address(request) -> str:
    """The address of the client that sent `request`, read through TRUSTED_PROXY_COUNT proxies."""
    count = settings.TRUSTED_PROXY_COUNT or 0
    if count > 0:
        entries = [entry for entry in request.headers.get("X-Forwarded-For", "").split(",") if entry.strip()]
        if entries:
            # Fewer entries than proxies: the request passed fewer of them; the leftmost entry is
            # then the furthest address one of ours saw.
            address = _ip(entries[-count] if len(entries) >= count else entries[0])
            if address:
                return address
    return _ip(request.META.get("REMOTE_ADDR", "")) or UNKNOWN


def _client_key(request) -> str:
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/{IPV6_PREFIX}", strict=False).network_address)
    return address


def rate_limited(request, *, scope: str, limit: int, seconds: int = 3600, per_user: bool = False) -> bool:
    """Count one attempt at `scope` (e.g. "enrol") by this request's client, or with `per_user` by
    its logged-in user (wherever they connect from); True when it is more than `limit` within the
    window of `seconds` that the first attempt opened.

    Side effect: one counter per scope and client (or user) in the default cache, which must be
    shared by every process (system check mentorwijs.E001)."""
    who = f"user-{request.user.pk}" if per_user else _client_key(request)
    key = f"ratelimit:{scope}:{who}"
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count > limit
