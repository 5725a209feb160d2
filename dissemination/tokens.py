"""Signed links for subscribers: confirm a sign-up, change preferences, unsubscribe.

Each purpose has its own salt, so a link of one kind never works as another. A token carries the
subscriber's pk and a short hash of the address (not the address itself, which would be readable in
the link and in logs): changing the address invalidates the links sent to the old one.

- confirm_url(subscriber, list_ids=..., wording_version=...): expires after
  settings.SUBSCRIPTION_CONFIRM_DAYS and also carries the ids of the lists being confirmed and the
  version of the consent text shown at sign-up (nothing is recorded before the confirmation).
- preferences_url(subscriber), unsubscribe_url(subscriber): never expire (an old newsletter must
  still let its reader leave); absolute with settings.SITE_URL, for the newsletter mail.
- rsvp_url(guest): an event guest's answer page (invitation and reminder mails); no expiry, the
  service refuses answers after the day of the event.

The readers return the subscriber or raise signing.BadSignature (signing.SignatureExpired, a
subclass, for an expired confirmation link)."""

import functools
import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import EventGuest, Subscriber

CONFIRM_SALT = "mentorwijs.newsletter.confirm"
PREFERENCES_SALT = "mentorwijs.newsletter.preferences"
UNSUBSCRIBE_SALT = "mentorwijs.newsletter.unsubscribe"


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:10]


def _subscriber(pk, key) -> Subscriber:
    subscriber = Subscriber.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if subscriber is None or _email_key(subscriber.email) != key:
        raise signing.BadSignature("The subscriber of this link is gone or has another address.")
    return subscriber


# Confirmation (expires)


def confirm_token(subscriber: Subscriber, *, list_ids, wording_version: str = "") -> str:
    version = wording_version or settings.CONSENT_WORDING_VERSION
    payload = [subscriber.pk, _email_key(subscriber.email), sorted(int(pk) for pk in list_ids), version]
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def confirm_url(subscriber: Subscriber, *, list_ids=None, wording_version: str = "") -> str:
    """The absolute confirmation link; by default for the lists the subscriber has now (a pending
    sign-up) and the current version of the consent text."""
    if list_ids is None:
        list_ids = subscriber.lists.values_list("pk", flat=True)
    token = confirm_token(subscriber, list_ids=list_ids, wording_version=wording_version)
    return settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": token})


def read_confirm_token(token: str) -> tuple[Subscriber, list[int], str]:
    """Return the subscriber, the ids of the lists to confirm and the version of the consent text
    shown at sign-up ("" in a link made before versions were carried); raise
    signing.SignatureExpired after SUBSCRIPTION_CONFIRM_DAYS, signing.BadSignature for anything
    else that is wrong."""
    max_age = settings.SUBSCRIPTION_CONFIRM_DAYS * 24 * 3600
    try:
        pk, key, list_ids, *rest = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except (TypeError, ValueError) as error:  # a well-signed value of another shape
        raise signing.BadSignature("Malformed token.") from error
    version = rest[0] if len(rest) == 1 else ""
    if (
        len(rest) > 1
        or not isinstance(list_ids, list)
        or not all(isinstance(pk, int) for pk in list_ids)
        or not isinstance(version, str)
        or len(version) > 20
    ):
        raise signing.BadSignature("Malformed token.")
    return _subscriber(pk, key), list_ids, version


# Preferences and unsubscribe (no expiry, no timestamp: short and stable per subscriber)


def _sign(subscriber: Subscriber, salt: str) -> str:
    return signing.Signer(salt=salt).sign_object([subscriber.pk, _email_key(subscriber.email)])


def _read(token: str, salt: str) -> Subscriber:
    try:
        pk, key = signing.Signer(salt=salt).unsign_object(token)
    except (TypeError, ValueError) as error:
        raise signing.BadSignature("Malformed token.") from error
    return _subscriber(pk, key)


def preferences_token(subscriber: Subscriber) -> str:
    return _sign(subscriber, PREFERENCES_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return _sign(subscriber, UNSUBSCRIBE_SALT)


@functools.cache
def _path_around_token(url_name: str) -> tuple[str, str]:
    """The URL's path before and after its token, reversed once per process: a campaign builds two links
    per recipient, and reverse() would cost more than the rest of the message."""
    before, after = reverse(url_name, kwargs={"token": "TOKEN"}).split("TOKEN")
    return before, after


def _absolute_url(url_name: str, token: str) -> str:
    before, after = _path_around_token(url_name)
    return f"{settings.SITE_URL}{before}{token}{after}"


def preferences_url(subscriber: Subscriber) -> str:
    """The absolute link to the subscriber's preference page, for every newsletter."""
    return _absolute_url("newsletter:preferences", preferences_token(subscriber))


def unsubscribe_url(subscriber: Subscriber, token: str | None = None) -> str:
    """The absolute one-click link: a GET shows a button, a POST unsubscribes (RFC 8058
    List-Unsubscribe-Post works on this same URL). `token`: the subscriber's unsubscribe_token, when
    the caller has it already."""
    return _absolute_url("newsletter:unsubscribe", token or unsubscribe_token(subscriber))


def read_preferences_token(token: str) -> Subscriber:
    return _read(token, PREFERENCES_SALT)


def read_unsubscribe_token(token: str) -> Subscriber:
    return _read(token, UNSUBSCRIBE_SALT)


# An event guest's answer (no expiry: the page itself closes after the event)

RSVP_SALT = "mentorwijs.event.rsvp"


def rsvp_token(guest) -> str:
    """The guest's personal answer link token: the guest row and a short hash of the person's address,
    so a link mailed to an address the person no longer has opens nothing."""
    return signing.Signer(salt=RSVP_SALT).sign_object([guest.pk, _email_key(guest.person.email)])


def rsvp_url(guest) -> str:
    """The absolute link to the guest's answer page, for the invitation and the reminder."""
    return _absolute_url("event:rsvp", rsvp_token(guest))


def read_rsvp_token(token: str):
    """The EventGuest of the link (with its event and person); raise signing.BadSignature for a link
    that is not ours, whose guest is gone, or whose person has another address now."""
    try:
        pk, key = signing.Signer(salt=RSVP_SALT).unsign_object(token)
    except (TypeError, ValueError) as error:
        raise signing.BadSignature("Malformed token.") from error
    guest = (
        EventGuest.objects.select_related("event__region", "person").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if guest is None or not guest.person.email or _email_key(guest.person.email) != key:
        raise signing.BadSignature("The guest of this link is gone or has another address.")
    return guest
