import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.outbox.models import OutboxMail

from .roles import SUPERUSER_MANAGED_ROLES, TWO_FACTOR_ROLES, Role, role_labels


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in: Werkzaak staff, master trainers, trainers and ambassadors."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["first_name", "last_name", "email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique")]

    def __str__(self):
        return self.get_full_name() or self.email

    @cached_property
    def held_roles(self) -> frozenset[str]:
        """The role values this user holds as groups; one query, or none after
        prefetch_related('groups'). The roles form shows and changes these."""
        valid = set(Role.values)
        return frozenset(g.name for g in self.groups.all() if g.name in valid)

    @property
    def roles(self) -> frozenset[str]:
        """The roles this user acts in: the roles held, and staff for a superuser (issue 15: a
        superuser without a role must never half-work, so it is staff everywhere)."""
        if self.is_superuser:
            return self.held_roles | {Role.STAFF}
        return self.held_roles

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)

    @property
    def held_role_labels(self) -> list[str]:
        return role_labels(self.held_roles)

    # Labels of the audit trail's entries that name no field (the privacy audit page shows them).
    audit_labels = {"two_factor": _("two-factor authentication")}

    def has_perm(self, perm, obj=None) -> bool:
        """Django lets an active superuser pass every permission; the project's own (the rules of each
        app's rules.py) a superuser passes as staff instead (issue 15): else it is offered a trainer's
        certification and an ambassador's profile, and sees pages its roles then cannot fill."""
        if self.is_active and self.is_superuser and rules.perm_exists(perm):
            return rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @property
    def is_staff(self) -> bool:
        """Access to the Django admin: superusers only, as a last resort (issue 15); staff do their
        work on the app's own pages. Django and allauth read this flag."""
        return self.is_superuser

    @property
    def managed_by_superusers_only(self) -> bool:
        """Only a superuser erases, deactivates or reactivates this account: a superuser's or one with
        a role of SUPERUSER_MANAGED_ROLES (staff, master trainer)."""
        return self.is_superuser or bool(self.roles & SUPERUSER_MANAGED_ROLES)

    @property
    def requires_two_factor(self) -> bool:
        return self.is_superuser or bool(self.roles & TWO_FACTOR_ROLES)

    @cached_property
    def has_two_factor(self) -> bool:
        """An authenticator (TOTP) is set up; one query, or none for the user of a session (the
        authentication backend loads it with the user)."""
        from allauth.mfa.utils import is_mfa_enabled

        return is_mfa_enabled(self)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        cutoff = timezone.now() - timezone.timedelta(days=settings.INVITATION_VALID_DAYS)
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, created_at__gt=cutoff)


class Invitation(models.Model):
    """Staff invite an internal user by email with one or more roles; the link works once."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        EXPIRED = "expired", _("Expired")
        REVOKED = "revoked", _("Revoked")

    # The colour of a status on the team pages: waiting blue, used green, the rest grey.
    STATUS_BADGES = {Status.OPEN: "primary", Status.ACCEPTED: "success"}

    email = models.EmailField(_("email address"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations_sent",
        help_text=_("Empty for an invitation made on the command line (manage.py createstaff)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return self.email

    @property
    def expires_at(self):
        return self.created_at + timezone.timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if timezone.now() >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.OPEN

    def get_status_display(self):
        return self.Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def can_be_sent_again(self) -> bool:
        """Open (mailed again) or expired (renewed): services.invitation_resend refuses the rest."""
        return self.status in (self.Status.OPEN, self.Status.EXPIRED)

    @property
    def status_badge(self) -> str:
        return self.STATUS_BADGES.get(self.status, "secondary")

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)

    @property
    def held_role_labels(self) -> list[str]:
        return role_labels(self.held_roles)

    # Labels of the audit trail's entries that name no field (the privacy audit page shows them).
    audit_labels = {"two_factor": _("two-factor authentication")}


class InvitationMail(OutboxMail):
    """The mail of an invitation as a row of accounts' outbox (services.INVITATIONS): claimed, sent
    holding no lock, retried. Made when the mail is first sent; mailing an invitation again makes a
    new row, so the new mail has a Message-ID of its own (mail programs drop a message whose
    Message-ID they have seen). At most one row of an invitation is waiting or being sent."""

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="mails"
    )

    class Meta(OutboxMail.Meta):
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation"],
                condition=models.Q(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]),
                name="invitation_mail_one_open",
            )
        ]
