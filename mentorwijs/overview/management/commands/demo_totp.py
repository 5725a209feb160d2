"""Print the current two-factor code of the demo staff and master trainer (local use only)."""

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from .seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current TOTP code for the demo accounts that need two-factor authentication."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Only for local use (DEBUG=true).")
        counters = list(yield_hotp_counters_from_time())
        counter = counters[len(counters) // 2]  # the current period
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
        self.stdout.write(f"Two-factor code for staf@ and opleider@werkzaak.example: {code}")
