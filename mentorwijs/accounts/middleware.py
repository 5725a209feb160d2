from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


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
        request.two_factor_pending = user.is_authenticated and user.requires_two_factor and not is_mfa_enabled(user)
        if request.two_factor_pending and not request.path.startswith(self.allowed_prefixes):
            messages.warning(request, _("Set up two-factor authentication first: your role requires it."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
