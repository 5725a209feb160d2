from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mentorwijs.ratelimit import client_address


def site_link(url: str) -> str:
    """An absolute link allauth built from the request's host, on settings.SITE_URL instead: a mail
    must not carry whatever host the request came in on (127.0.0.1:8100, a proxy's internal name)."""
    parts = urlsplit(url)
    return settings.SITE_URL.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


def site() -> SimpleNamespace:
    """What allauth's templates call the current site, from settings (the Sites framework is not installed)."""
    return SimpleNamespace(name="Mentorwijs", domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    """Internal users join by invitation only (accounts.views.invitation_accept).

    allauth's mails (address verification, password reset, notices of a changed password, address
    or two-factor method) are the app's own: templates/account/email/ and templates/mfa/email/ in
    the app's style, links on settings.SITE_URL, the sender settings.DEFAULT_FROM_EMAIL, in the
    recipient's language when the mail is about an account, else in the request's."""

    def is_open_for_signup(self, request):
        return False

    def get_reauthentication_methods(self, user):
        """allauth's ways to log in again, with the passkey called by the name the site uses."""
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            if method["id"] == "mfa_reauthenticate:webauthn":
                method["description"] = _("Use my passkey")
        return methods

    def get_client_ip(self, request):
        """The address allauth's login and password-reset limits count: the project's one rule."""
        return client_address(request)

    def get_from_email(self):
        return settings.DEFAULT_FROM_EMAIL

    def format_email_subject(self, subject):
        return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + str(subject)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """allauth leaves the account out of a notice's context: the greeting and language need it."""
        super().send_notification_mail(template_prefix, user, {"user": user, **(context or {})}, email=email)

    def send_mail(self, template_prefix, email, context):
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
        context = {
            **context,
            **{key: site_link(value) for key, value in context.items() if key.endswith("_url") and value},
            "current_site": site(),
            "site_url": settings.SITE_URL.rstrip("/"),
            "language": language,
        }
        request = context.get("request") or self.request
        with translation.override(language):
            message = self.render_mail(template_prefix, email, {"request": request, "email": email, **context})
        message.extra_headers["Content-Language"] = language
        message.send()
