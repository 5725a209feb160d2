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

from .roles import TWO_FACTOR_ROLES


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
    """Staff, master trainers and superusers set up TOTP before they can use anything but their account."""

    allowed_prefixes = ("/accounts/", "/taal/", "/static/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # The navigation reads this too: until set-up is done it offers nothing else.
        request.two_factor_pending = user.is_authenticated and user.requires_two_factor and not user.has_two_factor
        if request.two_factor_pending and not request.path.startswith(self.allowed_prefixes):
            messages.warning(request, _("Set up two-factor authentication first: your role requires it."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


# Session keys of the session policy (next to Django's own _auth_user_* keys).
SESSION_FINGERPRINT_KEY = "_mentorwijs_fingerprint"
SESSION_LAST_SEEN_KEY = "_mentorwijs_last_seen"
# The last-seen time is written at most this often, so most requests leave the session row alone; an
# idle session may therefore end up to this many seconds before STAFF_SESSION_IDLE_SECONDS.
LAST_SEEN_RESOLUTION_SECONDS = 60


def session_fingerprint(user) -> dict:
    """What the session was granted on: active or not, superuser or not, and the roles (sorted)."""
    return {"active": user.is_active, "superuser": user.is_superuser, "roles": sorted(user.roles)}


def session_fingerprint_allows(stored: dict, current: dict) -> bool:
    """May a session granted on `stored` go on as `current`? Not after deactivation, a lost role or
    superuser flag, nor after gaining a role that requires two-factor (the session may never have
    passed the code step); gaining another role (a trainer becomes ambassador too) is fine."""
    if stored["active"] != current["active"] or stored["superuser"] != current["superuser"]:
        return False
    stored_roles, current_roles = set(stored["roles"]), set(current["roles"])
    return stored_roles <= current_roles and not (current_roles - stored_roles) & TWO_FACTOR_ROLES


def session_policy_stamp(request, user) -> None:
    """Record the fingerprint and the login time in the (freshly rotated) session; called at login."""
    request.session[SESSION_FINGERPRINT_KEY] = session_fingerprint(user)
    request.session[SESSION_LAST_SEEN_KEY] = int(time.time())


class SessionPolicyMiddleware:
    """Ends a session early (issue 7, security):

    - when the user was deactivated, lost a role or the superuser flag, or gained a role that requires
      two-factor, since login (compared with the fingerprint stored at login; read from request.user,
      no extra query, since the two-factor middleware and the navigation load the roles anyway);
    - for users whose role requires two-factor authentication (staff, master trainers), after
      STAFF_SESSION_IDLE_SECONDS without a request.

    The user is logged out (the session is flushed) and sent to the login page with a message; the
    login page itself and other pages open to anonymous visitors are then served as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        user = request.user
        if user.is_authenticated:
            if self._expired(session, user):
                return self._log_out(request, language=user.language)
        elif SESSION_KEY in session:
            # The authentication backend refused the stored user: deactivated or deleted.
            return self._log_out(request, language=request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        return self.get_response(request)

    def _expired(self, session, user) -> bool:
        fingerprint = session_fingerprint(user)
        stored = session.get(SESSION_FINGERPRINT_KEY)
        if stored != fingerprint:
            if stored is not None and not session_fingerprint_allows(stored, fingerprint):
                return True
            session[SESSION_FINGERPRINT_KEY] = fingerprint  # a harmless new role, or a session from before
        if not user.requires_two_factor:
            return False
        now = int(time.time())
        last_seen = session.get(SESSION_LAST_SEEN_KEY)
        if last_seen is not None and now - last_seen > settings.STAFF_SESSION_IDLE_SECONDS:
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
