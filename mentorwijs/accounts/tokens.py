"""Signed invitation links: the token carries the invitation id and the time it was made."""

from django.conf import settings
from django.core import signing

SALT = "mentorwijs.accounts.invitation"


def invitation_token(invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=SALT, compress=True)


def invitation_id_from_token(token: str) -> int:
    """Return the invitation id; raise signing.SignatureExpired or signing.BadSignature."""
    max_age = settings.INVITATION_VALID_DAYS * 24 * 3600
    return signing.loads(token, salt=SALT, max_age=max_age)["invitation"]
