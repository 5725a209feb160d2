"""Read paths of the team pages: accounts with their roles and whether two-factor is set up."""

from collections.abc import Callable

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


# What an account still takes part in elsewhere (the runs it gives, say), for the page that asks
# before deactivating it: an app above accounts registers a source from its AppConfig.ready, which
# gives (text, url) pairs for one account; accounts imports none of them.
ACCOUNT_COMMITMENTS: list[Callable[[User], list[tuple[str, str]]]] = []


def register_account_commitments(source: Callable[[User], list[tuple[str, str]]]) -> None:
    if source not in ACCOUNT_COMMITMENTS:
        ACCOUNT_COMMITMENTS.append(source)


def commitments_of(user: User) -> list[tuple[str, str]]:
    """What the account still takes part in, as (text, url) pairs, from every registered source."""
    return [commitment for source in ACCOUNT_COMMITMENTS for commitment in source(user)]
