"""Read the bounce mailbox once by hand (dissemination/services/bounce_mailbox.py says how); beat
does the same every few minutes when BOUNCE_MAILBOX_URL is set (task dissemination.read_bounce_mailbox)."""

from django.core.management.base import BaseCommand, CommandError

from dissemination.services.bounce_mailbox import BounceMailboxError, bounce_mailbox_read


class Command(BaseCommand):
    help = "Record the bounces, complaints and unsubscribes by mail waiting in the bounce mailbox (BOUNCE_MAILBOX_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="Mailbox to read instead of BOUNCE_MAILBOX_URL.")

    def handle(self, *args, url="", **options):
        try:
            counts = bounce_mailbox_read(url=url)
        except BounceMailboxError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{counts['read']} messages read: {counts['reports']} reports, {counts['recorded']} events recorded, "
            f"{counts['unsubscribes']} unsubscribes, {counts['other']} other messages left."
        )
