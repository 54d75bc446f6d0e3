from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendata.published import gc_files, published_services


class Command(BaseCommand):
    help = (
        "Write the published services' figures as the GC Service Inventory's four files "
        "(si_2024.csv, ss_2024.csv, rbpo.csv, org_var.csv) into DIR, which import_gc_inventory "
        "loads as they are."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options) -> None:
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        directory.mkdir(parents=True, exist_ok=True)
        services = published_services()
        for name, text in gc_files(services).items():
            (directory / name).write_text(text, encoding="utf-8")
        self.stdout.write(
            f"Wrote the inventory's files of {services.count()} published services to {directory}."
        )
