from email import message_from_bytes, policy

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import MessageStatus


class OutboxMail(models.Model):
    """One service mail as a row of an outbox (mentorwijs.outbox.sender.Outbox claims, sends and
    retries it). Each kind of mail has its concrete model in its own app, with what the mail is about
    (which meeting, which certification, which invitation) and a Meta that inherits this one's."""

    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    due_at = models.DateTimeField(_("due at"))
    # Extra template context fixed at scheduling time (for example the old time of a moved meeting).
    context = models.JSONField(default=dict, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["status", "due_at"])]


class CaughtMail(models.Model):
    """A message the embedded default kept instead of sending, so a person can read it."""

    caught_at = models.DateTimeField(_("caught at"), default=timezone.now, db_index=True)
    from_email = models.CharField(_("from"), max_length=320)
    recipients = models.TextField(_("to"))
    subject = models.CharField(_("subject"), max_length=998)
    raw = models.BinaryField(_("message"))

    class Meta:
        verbose_name = _("caught mail")
        verbose_name_plural = _("caught mails")
        ordering = ["-caught_at", "-pk"]

    def __str__(self):
        return self.subject

    def parsed(self):
        return message_from_bytes(bytes(self.raw), policy=policy.default)

    def text_body(self) -> str:
        part = self.parsed().get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def html_body(self) -> str:
        part = self.parsed().get_body(preferencelist=("html",))
        return part.get_content() if part else ""

    def attachment_names(self) -> list[str]:
        return [part.get_filename() or "-" for part in self.parsed().iter_attachments()]
