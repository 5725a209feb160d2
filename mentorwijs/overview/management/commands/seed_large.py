"""National-scale data for the page benchmark (bench/pages): a freshly migrated database only."""

import time

from django.core.management.base import BaseCommand, CommandError

from mentorwijs.overview.large_data import seed_large


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with national-scale invented data (issue 7): 2,000 trainers, "
        "3,000 runs, 40,000 persons, 60,000 outreach contacts, 100,000 subscribers at --scale 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="multiply every figure by this (e.g. 0.01)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (the same seed gives the same data)")

    def handle(self, *args, scale, seed, **options):
        started = time.monotonic()

        def progress(step):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {step} done after {time.monotonic() - started:.1f} s")

        try:
            counts = seed_large(scale=scale, seed=seed, progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Created at scale {scale:g} in {time.monotonic() - started:.1f} s:")
        self.stdout.write(str(counts))
