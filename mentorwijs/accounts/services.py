"""State changes for accounts: invitations; roles, access, two-factor and names of accounts (the team
pages); anonymising an account (privacy).

Who changes an account (issue 14, kept by issue 15): staff change trainers' and ambassadors'
accounts; only a superuser changes one that holds the staff or master trainer role (or is a
superuser's), and only a superuser gives those roles. Nobody deactivates themselves or takes away
their own staff role. Everyone corrects their own name."""

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
from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.outbox.sender import Outbox

from .models import Invitation, InvitationMail, User
from .roles import SUPERUSER_MANAGED_ROLES, Role
from .tasks import send_account_erased_notice, send_invitation
from .tokens import invitation_token


class InvitationError(Exception):
    """An invitation cannot be made or used; the message is fit for the user."""


class AccountExists(InvitationError):
    """The address already has an account: `user`, to lead the inviter to it."""

    def __init__(self, message, *, user):
        super().__init__(message)
        self.user = user


class AccountError(Exception):
    """An account cannot be changed so, or not by this user; the message is fit for the user."""


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
def invitation_create(*, email: str, roles, invited_by: User | None, first_name: str = "", language: str = "nl"):
    """Record an invitation and mail its link after commit (Celery task send_invitation).
    `invited_by` is None for one made on the command line (manage.py createstaff). Raises
    AccountExists when the address has an account, InvitationError for other refusals."""
    email = email.strip().lower()
    roles = [Role(r).value for r in roles]
    if not roles:
        raise InvitationError(_("Choose at least one role."))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        raise AccountExists(_("There is already an account with this email address."), user=existing)
    if Invitation.objects.open().filter(email__iexact=email).exists():
        raise InvitationError(_("An invitation for this email address is still open."))
    invitation = Invitation.objects.create(
        email=email, roles=roles, invited_by=invited_by, first_name=first_name.strip(), language=language
    )
    # robust: a broker that is down must not undo the saved invitation; the periodic
    # send_unsent_invitations task mails it later.
    transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation.pk), robust=True)
    return invitation


# --- The invitation's mail, through the one outbox (mentorwijs.outbox.sender) ---


def _invitation_mail_build(row: InvitationMail):
    invitation = row.invitation
    link = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return mail.build_message(
        template="invitation",
        to=invitation.email,
        language=invitation.language,
        context={"invitation": invitation, "accept_path": link, "valid_days": settings.INVITATION_VALID_DAYS},
    )


def _invitation_unsent(row: InvitationMail) -> bool:
    """Just before sending: the invitation still waits for its mail and can be used."""
    invitation = row.invitation
    return invitation.sent_at is None and bool(invitation.email) and invitation.status == Invitation.Status.OPEN


def _invitation_sent(row: InvitationMail) -> None:
    Invitation.objects.filter(pk=row.invitation_id).update(sent_at=timezone.now())


def _invitation_queue(pk: int) -> None:
    invitation_id = InvitationMail.objects.filter(pk=pk).values_list("invitation_id", flat=True).first()
    if invitation_id is not None:
        send_invitation.delay(invitation_id=invitation_id)


INVITATIONS = Outbox(
    model=InvitationMail,
    name="invitation",
    message_id_prefix="accounts-invitation",
    build=_invitation_mail_build,
    queue=_invitation_queue,
    related=("invitation",),
    still_relevant=_invitation_unsent,
    on_sent=_invitation_sent,
)


def _invitation_mail_row(invitation: Invitation, *, again: bool = False) -> InvitationMail | None:
    """The invitation's mail row to send (locked invitation): the one waiting or being sent, else a new
    one due now when it has none yet or (`again`) when staff send it once more. None when there is
    nothing to send: no new row after a failed or cancelled one unless `again`."""
    rows = invitation.mails.order_by("-pk")
    waiting = rows.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).first()
    if waiting is not None:
        if again and waiting.status == MessageStatus.PENDING:
            InvitationMail.objects.filter(pk=waiting.pk).update(due_at=timezone.now())  # no back-off now
        return waiting
    if again or not rows.exists():
        return InvitationMail.objects.create(invitation=invitation, due_at=timezone.now())
    return None


def invitation_send(*, invitation: Invitation) -> None:
    """Mail the invitation link unless it was already sent or can no longer be used: the invitation's
    mail row (made now when it has none) goes through the outbox INVITATIONS, which sends holding no
    lock, retries a temporary error later (send_unsent_invitations) and notes sent_at on the
    invitation with the row marked sent."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.sent_at or invitation.status != Invitation.Status.OPEN:
            return
        row = _invitation_mail_row(invitation)
    if row is not None:
        INVITATIONS.send(row.pk)


def invitation_link(invitation: Invitation) -> str:
    """The absolute address of the invitation's acceptance page (on settings.SITE_URL, as in mails)."""
    path = reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return settings.SITE_URL.rstrip("/") + path


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by: User | None) -> Invitation:
    """Mail an open invitation again (after commit), or make a fresh one in place of an expired one
    (with the same address, name, roles and language, invited by `by`). Returns the invitation that
    is mailed. Raises InvitationError for one accepted or revoked, AccountExists when the address got
    an account meanwhile."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    status = invitation.status
    if status == Invitation.Status.OPEN:
        invitation.sent_at = None
        invitation.save(update_fields=["sent_at"])
        _invitation_mail_row(invitation, again=True)
        transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation.pk), robust=True)
        return invitation
    if status == Invitation.Status.EXPIRED:
        return invitation_create(
            email=invitation.email,
            roles=invitation.roles,
            invited_by=by,
            first_name=invitation.first_name,
            language=invitation.language,
        )
    raise InvitationError(_("This invitation was used or revoked: it cannot be sent again."))


# Leaves the on-commit task a minute before the periodic task steps in.
UNSENT_GRACE = timezone.timedelta(minutes=1)


def invitation_send_unsent() -> int:
    """Mail open invitations whose mail was never sent (a lost task, a temporary error whose back-off
    is over, a row a dead worker left sending: handed back first); returns how many were tried."""
    INVITATIONS.sweep()
    cutoff = timezone.now() - UNSENT_GRACE
    unsent = Invitation.objects.open().filter(sent_at__isnull=True, created_at__lt=cutoff)
    count = 0
    for invitation in unsent:
        invitation_send(invitation=invitation)
        count += 1
    return count


# An open invitation still unsent this long after it was made counts as failed (the page of mail events).
UNSENT_FAILED_AFTER = timezone.timedelta(minutes=15)


def invitations_unsent_too_long() -> QuerySet:
    """Open invitations whose mail has not left UNSENT_FAILED_AFTER after they were made."""
    return Invitation.objects.open().filter(sent_at__isnull=True, created_at__lt=timezone.now() - UNSENT_FAILED_AFTER)


@transaction.atomic
def invitation_send_again(*, pk: int) -> bool:
    """Queue the mail of an open, unsent invitation now (send_invitation, on commit); a mail that
    failed gets a new row. True when it was queued; False when it was sent meanwhile or can no longer
    be used. Sending stays once: one row of an invitation waits at a time, and the outbox claims it."""
    invitation = Invitation.objects.select_for_update().get(pk=pk)
    if invitation.sent_at or invitation.status != Invitation.Status.OPEN:
        return False
    _invitation_mail_row(invitation, again=True)
    transaction.on_commit(lambda: send_invitation.delay(invitation_id=pk), robust=True)
    return True


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


# --- The team pages: roles, access, two-factor and names of accounts ---


def account_change_refusal(*, user: User, by: User) -> str | None:
    """Why `by` may not change `user`'s roles, access, two-factor or name; None when they may."""
    if not (by.is_active and Role.STAFF in by.roles):
        return _("Only Werkzaak staff manage accounts.")
    if user.managed_by_superusers_only and not by.is_superuser:
        return _("Only a superuser changes the account of staff, a master trainer or a superuser.")
    return None


def _check_may_change(*, user: User, by: User) -> None:
    reason = account_change_refusal(user=user, by=by)
    if reason:
        raise AccountError(reason)


def _locked(user: User) -> User:
    return User.objects.select_for_update().prefetch_related("groups").get(pk=user.pk)


@transaction.atomic
def user_change_roles(*, user: User, roles, by: User) -> User:
    """Give the account exactly these roles. Recorded by the audit trail (the groups); the holder's
    sessions that lose a role end (SessionPolicyMiddleware). Raises AccountError."""
    user = _locked(user)
    new = frozenset(Role(role).value for role in roles)
    if user.pk == by.pk and Role.STAFF in user.held_roles and Role.STAFF not in new:
        raise AccountError(_("You cannot take away your own staff role. Ask a superuser."))
    _check_may_change(user=user, by=by)
    if (new - user.held_roles) & SUPERUSER_MANAGED_ROLES and not by.is_superuser:
        raise AccountError(_("Only a superuser gives the staff or master trainer role."))
    user_set_roles(user=user, roles=[role for role in Role.values if role in new])
    return user


def user_deactivate_refusal(*, user: User, by: User) -> str | None:
    """Why `by` may not deactivate `user` now; None when they may (the confirmation page asks first)."""
    if user.pk == by.pk:
        return _("You cannot deactivate your own account.")
    reason = account_change_refusal(user=user, by=by)
    if reason:
        return reason
    if not user.is_active:
        return _("This account is already deactivated.")
    return None


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> int:
    """Lock the account: it can no longer log in, and its sessions end now; its roles stay. Returns
    how many sessions ended. Raises AccountError (user_deactivate_refusal)."""
    user = _locked(user)
    reason = user_deactivate_refusal(user=user, by=by)
    if reason:
        raise AccountError(reason)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user_sessions_end(user=user)


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> None:
    user = _locked(user)
    _check_may_change(user=user, by=by)
    if user.is_active:
        raise AccountError(_("This account is already active."))
    user.is_active = True
    user.save(update_fields=["is_active"])


def user_two_factor_reset_refusal(*, user: User, by: User) -> str | None:
    """Why `by` may not reset `user`'s two-factor now; None when they may (the confirmation page asks first)."""
    reason = account_change_refusal(user=user, by=by)
    if reason:
        return reason
    if not Authenticator.objects.filter(user=user).exists():
        return _("This account has no two-factor authentication set up.")
    return None


@transaction.atomic
def user_two_factor_reset(*, user: User, by: User) -> int:
    """Delete the account's second factors (authenticator app, passkeys, recovery codes) and end its
    sessions: at the next login its holder sets two-factor up again (RequireTwoFactorMiddleware).
    An entry in the audit trail records who did it. Returns how many factors were deleted."""
    from auditlog.models import LogEntry

    user = _locked(user)
    reason = user_two_factor_reset_refusal(user=user, by=by)
    if reason:
        raise AccountError(reason)
    deleted = Authenticator.objects.filter(user=user).delete()[0]
    user_sessions_end(user=user)
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=by,
        changes={"two_factor": [_("set up"), _("reset")]},
    )
    return deleted


@transaction.atomic
def user_rename(*, user: User, first_name: str, last_name: str, by: User) -> None:
    """Correct the account's name: the holder their own, staff as for any change of the account."""
    user = _locked(user)
    if user.pk != by.pk:
        _check_may_change(user=user, by=by)
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])


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
    address and the first name, their mail rows the send errors. `sessions`: see user_sessions_end.
    Returns counts per kind."""
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
    # A send error of their mail may quote the address.
    InvitationMail.objects.filter(invitation__in=invitations).exclude(last_error="").update(last_error="")
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
