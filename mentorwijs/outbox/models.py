from email import message_from_bytes, policy

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
