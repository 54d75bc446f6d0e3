from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from services import versions


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
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(config.name) and find_spec(module_name):
                for line in import_module(module_name).seed(scale=scale):
                    self.stdout.write(line)
        versions.changed_all()  # every service's cached figures are now out of date
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
