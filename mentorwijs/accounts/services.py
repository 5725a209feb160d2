"""State changes for accounts: invitations and roles, and anonymising an account (privacy)."""

from collections import defaultdict
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentorwijs import mail

from .models import Invitation, User
from .roles import Role
from .tasks import send_account_erased_notice, send_invitation
from .tokens import invitation_token


class InvitationError(Exception):
    """An invitation cannot be made or used; the message is fit for the user."""


INVITATION_EXPIRED = gettext_lazy("This invitation has expired. Ask Werkzaak for a new one.")


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def user_set_roles(*, user: User, roles) -> None:
    """Give the user exactly these roles (groups)."""
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    user.groups.set(groups)
    user.__dict__.pop("held_roles", None)


@transaction.atomic
def invitation_create(*, email: str, roles, invited_by: User, first_name: str = "", language: str = "nl"):
    """Record an invitation and mail its link after commit (Celery task send_invitation)."""
    email = email.strip().lower()
    roles = [Role(r).value for r in roles]
    if not roles:
        raise InvitationError(_("Choose at least one role."))
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError(_("There is already an account with this email address."))
    if Invitation.objects.open().filter(email__iexact=email).exists():
        raise InvitationError(_("An invitation for this email address is still open."))
    invitation = Invitation.objects.create(
        email=email, roles=roles, invited_by=invited_by, first_name=first_name.strip(), language=language
    )
    # robust: a broker that is down must not undo the saved invitation; the periodic
    # send_unsent_invitations task mails it later.
    transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation.pk), robust=True)
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    """Mail the invitation link unless it was already sent or can no longer be used."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.sent_at or invitation.status != Invitation.Status.OPEN:
            return
        link = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
        mail.send(
            template="invitation",
            to=invitation.email,
            language=invitation.language,
            context={"invitation": invitation, "accept_path": link, "valid_days": settings.INVITATION_VALID_DAYS},
        )
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])


# Leaves the on-commit task a minute before the periodic task steps in.
UNSENT_GRACE = timezone.timedelta(minutes=1)


def invitation_send_unsent() -> int:
    """Mail open invitations whose mail was never sent; returns how many were sent."""
    cutoff = timezone.now() - UNSENT_GRACE
    unsent = Invitation.objects.open().filter(sent_at__isnull=True, created_at__lt=cutoff)
    count = 0
    for invitation in unsent:
        invitation_send(invitation=invitation)
        count += 1
    return count


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.OPEN:
        raise InvitationError(_("This invitation can no longer be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def invitation_check(*, invitation: Invitation) -> None:
    """Raise InvitationError with the reason when the invitation cannot be accepted."""
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationError(_("This invitation has already been used. Log in with your email address."))
    if status == Invitation.Status.REVOKED:
        raise InvitationError(_("This invitation has been revoked. Ask Werkzaak for a new one."))
    if status == Invitation.Status.EXPIRED:
        raise InvitationError(str(INVITATION_EXPIRED))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, first_name: str, last_name: str, password: str) -> User:
    """Create the account with its roles and a verified email address; the link then stops working.

    Raises InvitationError when the invitation is used, revoked or expired, and
    ValidationError when the password is too weak.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    invitation_check(invitation=invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("There is already an account with this email address."))
    user = User(
        email=invitation.email, first_name=first_name.strip(), last_name=last_name.strip(), language=invitation.language
    )
    validate_password(password, user)  # raises ValidationError with the reasons
    user.set_password(password)
    user.save()
    user_set_roles(user=user, roles=invitation.roles)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


# --- Privacy: anonymising an account, forgetting old invitations (called by mentorwijs.privacy) ---

# The first name of an erased account, and of an erased person (mentorwijs.privacy).
ERASED_FIRST_NAME = "Verwijderd"


def erased_account_email(user: User) -> str:
    """Unique (the account's id) and on the reserved .invalid domain (RFC 2606): never deliverable."""
    return f"verwijderd-{user.pk}@verwijderd.invalid"


def user_is_anonymised(user: User) -> bool:
    return user.email == erased_account_email(user) and not user.is_active


def live_sessions_by_user() -> dict[str, list[str]]:
    """The keys of the live sessions per user id (a string, as the session stores it). A session
    row does not say whose it is, so each is decoded, once: erasing many accounts in one go (the
    retention task) passes this to user_sessions_end instead of decoding every session per account."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    by_user = defaultdict(list)
    live = Session.objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    for key, data in live.iterator():
        user_id = store.decode(data).get(SESSION_KEY)
        if user_id is not None:
            by_user[user_id].append(key)
    return by_user


def user_sessions_end(*, user: User, sessions: dict[str, list[str]] | None = None) -> int:
    """End every session of the user, in the database and in the cache. `sessions` is what
    live_sessions_by_user returned (read now when not given); the user's keys leave it. Returns how
    many ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = (live_sessions_by_user() if sessions is None else sessions).pop(str(user.pk), [])
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def account_erased_notice_queue(*, user: User) -> None:
    """Queue, on commit, the notice to the account's own address that the account is erased. Call it
    before anonymising: the address, first name and language are read now. Nothing is sent when the
    erasure rolls back; robust: a broker that is down logs the error and does not undo the erasure
    (the notice is then lost: no row may keep the address)."""
    kwargs = {"email": user.email, "first_name": user.first_name, "language": user.language}
    transaction.on_commit(lambda: send_account_erased_notice.delay(**kwargs), robust=True)


def account_erased_notice_send(*, email: str, first_name: str, language: str) -> None:
    mail.send(template="account_erased", to=email, language=language, context={"name": first_name})


@transaction.atomic
def user_anonymise(*, user: User, sessions: dict[str, list[str]] | None = None) -> dict[str, int]:
    """Make an account anonymous in place: it stays (runs given, certifications, the lineage and
    every "by" point at it) but names no one and opens nothing.

    Side effects: names "Verwijderd" / "account #<id>", the address a placeholder on .invalid,
    no usable password, inactive, no superuser flag, no roles; its email addresses (allauth), second
    factors (TOTP, passkeys, recovery codes) and sessions deleted; invitations to its address lose the
    address and the first name. `sessions`: see user_sessions_end. Returns counts per kind."""
    user = User.objects.select_for_update().get(pk=user.pk)
    old_email = user.email
    user.first_name = ERASED_FIRST_NAME
    user.last_name = f"account #{user.pk}"
    user.email = erased_account_email(user)
    user.set_unusable_password()
    user.is_active = False
    user.is_superuser = False
    user.save(update_fields=["first_name", "last_name", "email", "password", "is_active", "is_superuser"])
    user.groups.clear()
    user.__dict__.pop("held_roles", None)
    invitations = Invitation.objects.filter(Q(email__iexact=old_email) | Q(accepted_user=user)).exclude(email="")
    return {
        "email_addresses": EmailAddress.objects.filter(user=user).delete()[0],
        "second_factors": Authenticator.objects.filter(user=user).delete()[0],
        "sessions": user_sessions_end(user=user, sessions=sessions),
        "invitations": invitations.update(email="", first_name=""),
    }


def invitations_lapsed(*, before) -> QuerySet:
    """Invitations never used: revoked before `before`, or (never revoked) expired before it."""
    valid = timezone.timedelta(days=settings.INVITATION_VALID_DAYS)
    return Invitation.objects.filter(accepted_at__isnull=True).filter(
        Q(revoked_at__lt=before) | Q(revoked_at__isnull=True, created_at__lt=before - valid)
    )


def invitations_accepted_with_address(*, before) -> QuerySet:
    """Invitations accepted before `before` that still hold the address and the first name."""
    return Invitation.objects.filter(accepted_at__lt=before).exclude(email="", first_name="")


@transaction.atomic
def invitations_forget(*, before) -> tuple[list[int], list[int]]:
    """Delete invitations that lapsed (revoked or expired) before `before`, and empty the address
    and first name of those accepted before it (the account holds both; who invited whom stays).
    Returns (ids deleted, ids emptied)."""
    deleted = list(invitations_lapsed(before=before).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=deleted).delete()
    emptied = list(invitations_accepted_with_address(before=before).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=emptied).update(email="", first_name="")
    return deleted, emptied
