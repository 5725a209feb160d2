"""The accounts' part of an account holder's export and erasure (mentorwijs.personal_data, registered
in AccountsConfig.ready): the account and its roles, sign-in addresses, second factors (never a
secret or the password) and the invitation that brought them in; the erasure anonymises the account
in place (services.user_anonymise)."""

from django.db.models import Q

from mentorwijs.personal_data import AccountErasure, AuditRedaction, Erased, PersonalData, iso, name

from .models import Invitation, User
from .roles import role_labels
from .services import user_anonymise


def account_row(user: User) -> dict:
    """An account's own fields; never its password."""
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(user.held_roles),  # the roles held; a superuser's staff powers show below
        "role_labels": role_labels(user.held_roles),
        "language": user.language,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
    }


def _invitation(user: User) -> dict | None:
    invitation = Invitation.objects.filter(accepted_user=user).select_related("invited_by").first()
    if invitation is None:
        return None
    return {
        "email": invitation.email,
        "first_name": invitation.first_name,
        "roles": list(invitation.roles),
        "invited_by": name(invitation.invited_by),
        "created_at": iso(invitation.created_at),
        "accepted_at": iso(invitation.accepted_at),
    }


def account_query(queryset, brief: bool):
    if brief:
        return queryset.prefetch_related("groups")
    return queryset.prefetch_related("groups", "emailaddress_set", "authenticator_set")


def account_export(user: User, brief: bool) -> dict:
    if brief:
        return {"account": account_row(user)}
    return {
        "account": account_row(user),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in sorted(user.emailaddress_set.all(), key=lambda address: address.pk)
        ],
        # What kind of second factor and when it was used; never its secret.
        "second_factors": [
            {
                "type": authenticator.type,
                "type_label": str(authenticator.get_type_display()),
                "name": (authenticator.data or {}).get("name", ""),
                "created_at": iso(authenticator.created_at),
                "last_used_at": iso(authenticator.last_used_at),
            }
            for authenticator in sorted(user.authenticator_set.all(), key=lambda authenticator: authenticator.pk)
        ],
        "invitation": _invitation(user),
    }


def account_erase(erasure: AccountErasure) -> Erased:
    """user_anonymise; the audit trail of the account (every field) and of its invitations (address,
    first name) is cleaned by privacy."""
    user = erasure.user
    # Read before the address changes: the invitations to it lose their address in the audit trail too.
    invitation_ids = list(
        Invitation.objects.filter(Q(email__iexact=erasure.email) | Q(accepted_user=user)).values_list("pk", flat=True)
    )
    counts = user_anonymise(user=user, sessions=erasure.sessions)
    return Erased(
        counts=counts,
        audit=[
            AuditRedaction(User, [user.pk], None),
            AuditRedaction(Invitation, invitation_ids, ["email", "first_name"]),
        ],
    )


PART = PersonalData(
    key="accounts", account_query=account_query, account_export=account_export, account_erase=account_erase
)
