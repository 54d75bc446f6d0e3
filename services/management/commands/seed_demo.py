import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = (
        "Load the demo organisation (idempotent). With --scale N, also generate a portfolio "
        "of N services with proportionate teams and stages, for benchmarks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=int, default=0, metavar="N", help="Generate N more services."
        )

    def handle(self, *args, scale: int, **options) -> None:
        if scale < 0:
            raise CommandError("--scale must be zero or more.")
        # Each app seeds its own part, in INSTALLED_APPS order (services, then decisions,
        # then performance), so later apps build on what earlier ones made.
        started = time.perf_counter()
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(config.name) and find_spec(module_name):
                for line in import_module(module_name).seed(scale=scale):
                    self.stdout.write(line)
        seeded = time.perf_counter()
        self.stdout.write(f"Seeded in {seeded - started:.0f} s.")
        # The seed's writes raised the versions of the services they changed: the worker
        # recomputes their figures (without one, that happened as they were written).
        if scale and connection.vendor == "postgresql":
            # Millions of rows just arrived (and, without a worker, their roll-ups): plan
            # queries on them with fresh statistics, not whenever autovacuum comes round.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready ({time.perf_counter() - seeded:.0f} s more).")
        )
