from django.core.mail.backends.base import BaseEmailBackend

from .models import CaughtMail


class OutboxBackend(BaseEmailBackend):
    """Keeps every outgoing message in the database instead of sending it (local use)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            CaughtMail.objects.create(
                from_email=message.from_email,
                recipients=", ".join(message.recipients()),
                subject=message.subject,
                raw=message.message().as_bytes(linesep="\r\n"),
            )
        return len(email_messages)
