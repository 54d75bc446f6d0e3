from django.core.management.base import BaseCommand

from performance.tasks import refresh_all_summaries


class Command(BaseCommand):
    help = "Recompute every service's cached roll-ups now (the nightly task does the same)."

    def handle(self, *args, **options) -> None:
        stored = refresh_all_summaries()
        self.stdout.write(f"Refreshed {stored} roll-ups.")
