from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .registry import POLICIES_BY_KEY


class PolicyValue(models.Model):
    """The value of one period or limit (mentorwijs.policy.registry names the keys). Staff change
    it on a page (mentorwijs.policy.services); every change is in the audit trail."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        verbose_name = _("period or limit")
        verbose_name_plural = _("periods and limits")
        ordering = ["key"]
        constraints = [models.CheckConstraint(condition=Q(value__gte=1), name="policy_value_at_least_one")]

    def __str__(self):
        policy = POLICIES_BY_KEY.get(self.key)
        return f"{policy.label if policy else self.key}: {self.value}"
