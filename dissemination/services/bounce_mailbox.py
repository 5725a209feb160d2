"""Read the bounce mailbox (settings.BOUNCE_MAILBOX_URL) and record its bounces, complaints and
unsubscribes by mail. Beat runs it every few minutes (task dissemination.read_bounce_mailbox) when a
mailbox is configured; `manage.py read_bounces` runs it by hand.

maildir:///path (tests, local use) or imaps://user:password@host[:port]/FOLDER (production).
A report (a DSN or an ARF complaint) is deleted once recorded: the MailEvent keeps what matters.
A mail to the List-Unsubscribe mailto (settings.UNSUBSCRIBE_MAILTO, delivered to this mailbox) has
the subject "unsubscribe-<token>": its subscriber is unsubscribed and the mail deleted.
Any other mail stays for a person and is skipped on the next run, so a second run does nothing:
in a Maildir it is marked as read; over IMAP it gets the private keyword $MentorwijsDone (not
\\Seen, which a person reading the mailbox sets too, and which would hide unread reports).
Two runs side by side record a report once: mail_event_record ignores a repeat.
"""

import email
import email.policy
import imaplib
import logging
import mailbox
import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core import signing

from ..enums import ConsentSource
from ..tokens import read_unsubscribe_token
from .bounces import bounce_reports, mail_event_record
from .subscriptions import subscriber_unsubscribe

logger = logging.getLogger(__name__)

# The subject the List-Unsubscribe mailto sets (dissemination/newsletter_mail.py); a client may add "Re:".
UNSUBSCRIBE_SUBJECT = re.compile(r"(?:^|\s|:)unsubscribe-([\w.:%-]+)", re.IGNORECASE)
# The IMAP keyword on mail this reader has read and left for a person.
DONE_KEYWORD = "$MentorwijsDone"


class BounceMailboxError(Exception):
    """The mailbox cannot be read: a wrong URL, a missing folder, a refused login."""


def unsubscribe_token_of(raw: bytes) -> str:
    """The token in an "unsubscribe-<token>" subject, or ""."""
    subject = str(email.message_from_bytes(raw, policy=email.policy.default).get("Subject", ""))
    match = UNSUBSCRIBE_SUBJECT.search(subject.strip())
    return unquote(match.group(1)) if match else ""


def bounce_mailbox_read(*, url: str = "") -> dict[str, int]:
    """Read the mailbox at `url` (default settings.BOUNCE_MAILBOX_URL) once: record every report,
    honour every unsubscribe by mail, delete both, leave the rest marked. Returns the counts
    (read, reports, recorded, unsubscribes, other). Raises BounceMailboxError."""
    url = url or settings.BOUNCE_MAILBOX_URL
    if not url:
        raise BounceMailboxError("Set BOUNCE_MAILBOX_URL (maildir:///path or imaps://user:password@host/INBOX).")
    reader = _Reader()
    parts = urlsplit(url)
    if parts.scheme == "maildir":
        reader.read_maildir(unquote(parts.path))
    elif parts.scheme == "imaps":
        reader.read_imap(parts)
    else:
        raise BounceMailboxError(f"Unknown mailbox scheme {parts.scheme!r}: use maildir:// or imaps://.")
    return reader.counts


class _Reader:
    def __init__(self):
        self.counts = {"read": 0, "reports": 0, "recorded": 0, "unsubscribes": 0, "other": 0}

    def unsubscribe(self, raw: bytes) -> bool:
        """Honour an "unsubscribe-<token>" mail; True when the token was valid (the mail is done)."""
        token = unsubscribe_token_of(raw)
        if not token:
            return False
        try:
            subscriber = read_unsubscribe_token(token)
        except signing.BadSignature:
            logger.info("unsubscribe mail with an invalid token left in the mailbox")
            return False
        subscriber_unsubscribe(subscriber=subscriber, source=ConsentSource.UNSUBSCRIBE)
        self.counts["unsubscribes"] += 1
        return True

    def process(self, raw: bytes) -> bool:
        """Record what one message reports; True when it was a bounce or complaint report or an
        unsubscribe by mail (the message can go)."""
        self.counts["read"] += 1
        reports = bounce_reports(raw)
        if not reports:
            if self.unsubscribe(raw):
                return True
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
            raise BounceMailboxError(f"Cannot open the Maildir {path}: {error}") from error
        for key in keys:
            try:
                message = box.get_message(key)
            except KeyError:
                continue  # a run beside this one took it
            if "S" in message.get_flags():
                continue  # read before and left: not a report
            if self.process(box.get_bytes(key)):
                box.discard(key)
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
            raise BounceMailboxError(f"Cannot log in to the bounce mailbox at {parts.hostname}: {error}") from error
        try:
            connection.select(folder)
            _status, data = connection.uid("SEARCH", None, "UNKEYWORD", DONE_KEYWORD, "UNDELETED")
            for uid in data[0].split():
                _status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
                if raw is None:
                    continue
                if self.process(raw):
                    connection.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
                else:
                    connection.uid("STORE", uid, "+FLAGS", f"({DONE_KEYWORD})")
            connection.expunge()
        finally:
            connection.logout()
