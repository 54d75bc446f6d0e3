from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from performance.imports.base import ImportRejected
from performance.imports.gc_inventory import import_gc_inventory, read_files


class Command(BaseCommand):
    help = (
        "Import the Government of Canada Service Inventory files in DIR (si_2024.csv, "
        "ss_2024.csv, rbpo.csv, org_var.csv and service_data_dict.json). Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)

    # Prints the outcome kind by kind, as CONTRACTS.md's commands section lists them.
    def handle(self, *args, dir: Path, **options) -> None:  # noqa: C901
        if not dir.is_dir():
            raise CommandError(f"{dir} is not a folder.")
        try:
            outcome = import_gc_inventory(
                read_files(dir),
                source="command",
                progress=lambda message: self.stderr.write(f"… {message}"),
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError("The inventory was not imported.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported the GC Service Inventory from {dir}."))
        self.stdout.write(f"{'':22}{'created':>10}{'updated':>10}{'unchanged':>10}")
        for kind, counts in outcome.counts.items():
            self.stdout.write(
                f"{kind:22}{counts.created:>10}{counts.updated:>10}{counts.unchanged:>10}"
            )
        if outcome.skipped:
            self.stdout.write("Skipped:")
            for reason, n in outcome.skipped.most_common():
                self.stdout.write(f"{n:>8}  {reason}")
        if outcome.findings:
            self.stdout.write("Data-quality findings (see the data-quality page):")
            for kind, n in outcome.findings.most_common():
                self.stdout.write(f"{n:>8}  {kind}")
        for what, n in outcome.removed.items():
            if n:
                self.stdout.write(f"Removed {n} {what} the files no longer give.")
