from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    """Proof that a person was erased: who did it, when and why. Holds the person's id only, never
    the erased name or address (that would undo the erasure). `person_id` is a plain number, not a
    foreign key, so the record survives a later merge or deletion of the anonymised person row."""

    person_id = models.PositiveIntegerField(_("person id"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the retention task erased the person."),
    )
    reason = models.CharField(_("reason"), max_length=500)
    at = models.DateTimeField(_("erased at"), default=timezone.now)
    # How many rows of each kind were changed (numbers only), e.g. {"enrolments": 2, "subscribers": 1}.
    summary = models.JSONField(_("what was changed"), default=dict, blank=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"#{self.person_id} ({self.at:%Y-%m-%d})"
