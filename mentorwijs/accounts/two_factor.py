"""Two-factor helpers over allauth's internals, kept in one place (allauth keeps these internal)."""

from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time


def current_totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def session_passed_second_factor(request, user) -> bool:
    """Whether this session's user gave a second factor in it: the code step or a passkey at login,
    or the second factor when asked to log in again (allauth records each in the session)."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def session_record_second_factor(request, user, authenticator) -> None:
    """Record in the session that its user proved this authenticator (as allauth does at login)."""
    record_authentication(request, user, "mfa", type=str(authenticator.type), id=authenticator.pk, setup=True)
