from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureRecord(models.Model):
    """Proof that a person or an account was erased: who did it, when and why. Holds the id only,
    never the erased name or address (that would undo the erasure). `person_id` and `user_id` are
    plain numbers, not foreign keys, so the record survives a later merge or deletion of the
    anonymised row. Exactly one of them is set."""

    person_id = models.PositiveIntegerField(_("person id"), null=True, blank=True, db_index=True)
    user_id = models.PositiveIntegerField(_("account id"), null=True, blank=True, db_index=True)
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
        constraints = [
            models.CheckConstraint(
                condition=Q(person_id__isnull=False, user_id__isnull=True)
                | Q(person_id__isnull=True, user_id__isnull=False),
                name="erasure_record_person_or_account",
            )
        ]

    def __str__(self):
        subject = f"#{self.person_id}" if self.person_id is not None else f"account #{self.user_id}"
        return f"{subject} ({self.at:%Y-%m-%d})"


class RetentionRun(models.Model):
    """One run of the nightly retention task: when, and how many rows each rule changed. The
    processing register shows the latest run and the year's totals per rule. Numbers only."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # {rule key: rows changed}; a rule that failed is missing and named in `failed`.
    counts = models.JSONField(_("rows changed per rule"), default=dict, blank=True)
    failed = models.JSONField(_("rules that failed"), default=list, blank=True)
    # {rule key: rows that raised an error}, for the rules that go row by row; the log names each row.
    rows_failed = models.JSONField(_("rows that failed per rule"), default=dict, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"
