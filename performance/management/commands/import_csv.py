from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from performance.imports import KINDS, ImportRejected, run_import


class Command(BaseCommand):
    help = (
        "Import one CSV file of a kind in CONTRACTS.md section 2. All or nothing: any bad row "
        "rejects the whole file, and every bad row is reported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report; change nothing."
        )

    def handle(self, *args, kind: str, file: Path, dry_run: bool, **options) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            outcome = run_import(
                KINDS[kind](),
                data,
                user=None,
                source="command",
                file_name=file.name,
                dry_run=dry_run,
            )
        except ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Rejected {file.name}: {rejected}. Nothing was imported.") from None
        counts = outcome.counts
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {outcome.rows} {kind} row{'s' if outcome.rows != 1 else ''} from "
            f"{file.name}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged."
        )
        for name, detail in outcome.details.items():
            if name != kind:
                self.stdout.write(
                    f"  {name}: {detail.created} created, {detail.updated} updated, "
                    f"{detail.unchanged} unchanged"
                )
        for note in outcome.notes:
            self.stdout.write(f"  {note}")
