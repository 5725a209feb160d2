"""Read paths of the team pages: accounts with their roles and whether two-factor is set up."""

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, Q

from .models import Invitation, User

# The kinds of authenticator that make two-factor "set up" (recovery codes alone do not).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def team_accounts():
    """Every account with its groups (prefetched) and `two_factor_set_up`, by name: one query for the
    accounts and one for their groups, whatever the number of accounts."""
    second_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS)
    return (
        User.objects.prefetch_related("groups")
        .annotate(two_factor_set_up=Exists(second_factor))
        .order_by("first_name", "last_name", "email", "pk")
    )


def team_account(pk: int) -> User:
    """One account as the account page shows it (raises User.DoesNotExist)."""
    return team_accounts().get(pk=pk)


def invitations_of(user: User):
    """The invitations to the account's address and the one it accepted, newest first."""
    mine = Q(accepted_user=user) | Q(email__iexact=user.email)
    return Invitation.objects.filter(mine).select_related("invited_by").order_by("-created_at")
