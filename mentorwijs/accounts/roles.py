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


def role_labels(roles) -> list[str]:
    """The labels of these role values, in the order of Role."""
    return [str(role.label) for role in Role if role in roles]
