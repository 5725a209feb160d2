"""Print the current two-factor code of the demo accounts (local use only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mentorwijs.accounts.two_factor import current_totp_code

from .seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo accounts (every role needs two-factor authentication)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only for local use (DEBUG=true).")
        code = current_totp_code(DEMO_TOTP_SECRET)
        self.stdout.write(f"Two-factor code for every demo account (staf@, opleider@, trainer@, ambassadeur@): {code}")
