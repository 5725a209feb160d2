"""The four roles. Each is a Group named by its value; one person may hold several."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Werkzaak staff")
    MASTER_TRAINER = "master_trainer", _("Master trainer")
    TRAINER = "trainer", _("Trainer")
    AMBASSADOR = "ambassador", _("Ambassador")


# Roles that must set up two-factor authentication before they can use anything else: every role,
# since every role sees other people's personal data (issue 14).
TWO_FACTOR_ROLES = frozenset(Role)

# Roles whose accounts only a superuser erases, deactivates or reactivates (as only a superuser
# changes another user's password or roles): staff see everyone's data and master trainers certify
# trainers, so one staff member must not be able to remove, lock out or bring back such an account.
SUPERUSER_MANAGED_ROLES = frozenset({Role.STAFF, Role.MASTER_TRAINER})


def role_labels(roles) -> list[str]:
    """The labels of these role values, in the order of Role."""
    return [str(role.label) for role in Role if role in roles]
