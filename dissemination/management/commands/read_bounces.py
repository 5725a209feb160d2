"""Read the bounce mailbox (settings.BOUNCE_MAILBOX_URL) and record its bounces and complaints.

maildir:///path (tests, local use) or imaps://user:password@host[:port]/FOLDER (production).
A report (a DSN or an ARF complaint) is deleted once recorded: the MailEvent keeps what matters.
Any other mail (for example a reply to the List-Unsubscribe mailto) stays, marked as read, and is
skipped on the next run: a second run does nothing.
"""

import imaplib
import mailbox
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dissemination.services.bounces import bounce_reports, mail_event_record


class Command(BaseCommand):
    help = "Record the bounces and complaints waiting in the bounce mailbox (BOUNCE_MAILBOX_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Mailbox to read instead of BOUNCE_MAILBOX_URL.")

    def handle(self, *args, url="", **options):
        url = url or settings.BOUNCE_MAILBOX_URL
        if not url:
            raise CommandError("Set BOUNCE_MAILBOX_URL (maildir:///path or imaps://user:password@host/INBOX).")
        self.counts = {"read": 0, "reports": 0, "recorded": 0, "other": 0}
        parts = urlsplit(url)
        if parts.scheme == "maildir":
            self.read_maildir(unquote(parts.path))
        elif parts.scheme == "imaps":
            self.read_imap(parts)
        else:
            raise CommandError(f"Unknown mailbox scheme {parts.scheme!r}: use maildir:// or imaps://.")
        counts = self.counts
        self.stdout.write(
            f"{counts['read']} messages read: {counts['reports']} reports, {counts['recorded']} events recorded, "
            f"{counts['other']} other messages left."
        )

    def process(self, raw: bytes) -> bool:
        """Record what one message reports; True when it was a bounce or complaint report."""
        self.counts["read"] += 1
        reports = bounce_reports(raw)
        if not reports:
            self.counts["other"] += 1
            return False
        self.counts["reports"] += 1
        for report in reports:
            event = mail_event_record(
                email=report.email, kind=report.kind, detail=report.detail, message_id=report.message_id
            )
            self.counts["recorded"] += event is not None
        return True

    def read_maildir(self, path: str):
        try:
            box = mailbox.Maildir(path, factory=None, create=False)
            keys = box.keys()
        except OSError as error:
            raise CommandError(f"Cannot open the Maildir {path}: {error}") from error
        for key in keys:
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue  # read before and left: not a report
            if self.process(box.get_bytes(key)):
                box.remove(key)
            else:
                message.set_subdir("cur")
                message.add_flag("S")
                box[key] = message

    def read_imap(self, parts):
        folder = unquote(parts.path.lstrip("/")) or "INBOX"
        try:
            connection = imaplib.IMAP4_SSL(parts.hostname, parts.port or 993, timeout=settings.EMAIL_TIMEOUT)
            connection.login(unquote(parts.username or ""), unquote(parts.password or ""))
        except (OSError, imaplib.IMAP4.error) as error:
            raise CommandError(f"Cannot log in to the bounce mailbox at {parts.hostname}: {error}") from error
        try:
            connection.select(folder)
            _status, data = connection.uid("SEARCH", None, "UNSEEN", "UNDELETED")
            for uid in data[0].split():
                _status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
                if raw is None:
                    continue
                if self.process(raw):
                    connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
                else:
                    connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            connection.expunge()
        finally:
            connection.logout()
