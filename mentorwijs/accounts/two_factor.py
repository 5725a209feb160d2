"""The one place that computes a TOTP code (allauth keeps these helpers internal)."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))
