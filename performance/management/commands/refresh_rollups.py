from django.core.management.base import BaseCommand, CommandParser

from performance.tasks import refresh_all_summaries


class Command(BaseCommand):
    help = (
        "Recompute every service's roll-ups now, as the nightly task does; with --behind-only, "
        "only those missing or behind their service's figures, as the task every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--behind-only", action="store_true")

    def handle(self, *args, behind_only: bool, **options) -> None:
        stored = refresh_all_summaries(behind_only=behind_only)
        self.stdout.write(f"Refreshed {stored} roll-ups.")
