import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.messages.storage import default_storage
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .roles import TWO_FACTOR_ROLES, Role
from .two_factor import session_passed_second_factor


class LanguageMiddleware:
    """Dutch unless the user (or, before login, the language cookie) chose otherwise.

    The browser's Accept-Language is deliberately ignored: the interface is Dutch first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = request.user
        language = user.language if user.is_authenticated else request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequireTwoFactorMiddleware:
    """Every role and superusers set up two-factor authentication (a passkey or an authenticator app)
    before they can use anything but the set-up page and their account pages."""

    allowed_prefixes = ("/accounts/", "/taal/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # The navigation reads this too: until set-up is done it offers nothing else.
        request.two_factor_pending = user.is_authenticated and user.requires_two_factor and not user.has_two_factor
        if request.two_factor_pending:
            setup_path = reverse("accounts:two_factor_setup")
            if request.path != setup_path and not request.path.startswith(self.allowed_prefixes):
                messages.warning(request, _("Set up two-factor authentication first: your role requires it."))
                return redirect(setup_path)
        return self.get_response(request)


# Session keys of the session policy (next to Django's own _auth_user_* keys).
SESSION_FINGERPRINT_KEY = "_mentorwijs_fingerprint"
SESSION_LAST_SEEN_KEY = "_mentorwijs_last_seen"
SESSION_LOGGED_IN_KEY = "_mentorwijs_logged_in_at"
# The last-seen time is written at most this often, so most requests leave the session row alone; an
# idle session may therefore end up to this many seconds before its idle limit.
LAST_SEEN_RESOLUTION_SECONDS = 60


def session_fingerprint(user) -> dict:
    """What the session was granted on: active or not, superuser or not, and the roles (sorted)."""
    return {"active": user.is_active, "superuser": user.is_superuser, "roles": sorted(user.roles)}


def session_fingerprint_allows(stored: dict, current: dict, *, passed_second_factor: bool) -> bool:
    """May a session granted on `stored` go on as `current`? Not after deactivation, a lost role or
    superuser flag. A gained role (every role requires two-factor) only when this session passed a
    second factor: one that began before the user had any role, or before their two-factor was set
    up, never did, and must log in again."""
    if stored["active"] != current["active"] or stored["superuser"] != current["superuser"]:
        return False
    stored_roles, current_roles = set(stored["roles"]), set(current["roles"])
    if not stored_roles <= current_roles:
        return False
    return not (current_roles - stored_roles) & TWO_FACTOR_ROLES or passed_second_factor


def session_limits(user) -> tuple[int, int]:
    """(idle, absolute) seconds this user's session may last: the shortest of their roles' limits
    (settings.SESSION_IDLE_SECONDS, SESSION_MAX_SECONDS). Superusers, who may do anything, and users
    without a role get staff's."""
    roles = set(user.roles)
    if user.is_superuser or not roles:
        roles.add(Role.STAFF)
    idle = min(settings.SESSION_IDLE_SECONDS[role] for role in roles)
    lifetime = min(settings.SESSION_MAX_SECONDS[role] for role in roles)
    return idle, lifetime


def session_policy_stamp(request, user) -> None:
    """Record the fingerprint and the login time in the (freshly rotated) session; called at login."""
    now = int(time.time())
    request.session[SESSION_FINGERPRINT_KEY] = session_fingerprint(user)
    request.session[SESSION_LOGGED_IN_KEY] = now
    request.session[SESSION_LAST_SEEN_KEY] = now


class SessionPolicyMiddleware:
    """Ends a session early (issues 7 and 14, security):

    - when the user was deactivated, lost a role or the superuser flag since login, or gained a role
      without this session having passed a second factor (compared with the fingerprint stored at
      login; read from request.user, no extra query, since the two-factor middleware and the
      navigation load the roles anyway);
    - after the idle limit of the user's roles without a request, and at the latest their absolute
      limit after login (session_limits). A session without a login time (from before this rule)
      ends too.

    The user is logged out (the session is flushed) and sent to the login page with a message; the
    login page itself and other pages open to anonymous visitors are then served as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        user = request.user
        if user.is_authenticated:
            if self._expired(request, user):
                return self._log_out(request, language=user.language)
        elif SESSION_KEY in session:
            # The authentication backend refused the stored user: deactivated or deleted.
            return self._log_out(request, language=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        return self.get_response(request)

    def _expired(self, request, user) -> bool:
        session = request.session
        fingerprint = session_fingerprint(user)
        stored = session.get(SESSION_FINGERPRINT_KEY)
        if stored != fingerprint:
            if stored is None or not session_fingerprint_allows(
                stored, fingerprint, passed_second_factor=session_passed_second_factor(request, user)
            ):
                return True
            session[SESSION_FINGERPRINT_KEY] = fingerprint  # a role gained after a second factor
        now = int(time.time())
        idle, lifetime = session_limits(user)
        logged_in_at = session.get(SESSION_LOGGED_IN_KEY)
        if logged_in_at is None or now - logged_in_at > lifetime:
            return True
        last_seen = session.get(SESSION_LAST_SEEN_KEY)
        if last_seen is not None and now - last_seen > idle:
            return True
        if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
            session[SESSION_LAST_SEEN_KEY] = now
        return False

    def _log_out(self, request, *, language):
        logout(request)
        if request.path == resolve_url(settings.LOGIN_URL):
            return self.get_response(request)
        response = redirect_to_login(request.get_full_path())
        # The messages middleware runs later in the chain: store the message for the login page directly.
        storage = default_storage(request)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        with translation.override(language):
            storage.add(messages.INFO, _("Your session has ended. Please log in again."))
        storage.update(response)
        return response
