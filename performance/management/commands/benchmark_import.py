"""Import N measurement rows through the real pipeline and compare with PostgreSQL COPY."""

import csv
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from performance.imports import KINDS, run_import
from services.actions import record_put, records_put, records_remove
from services.models import Organisation, Service

CHANNELS = ["digital", "phone", "paper", "in_person", "assisted_digital"]


class Command(BaseCommand):
    help = (
        "Benchmark: import N measurement rows with import_csv's pipeline, then COPY the same "
        "rows into a bare table (PostgreSQL only), and print rows per second and the ratio. "
        "Creates bench-* services and removes them afterwards."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--services", type=int, default=100)
        parser.add_argument("--keep", action="store_true", help="Keep the imported rows.")

    def handle(self, *args, rows: int, services: int, keep: bool, **options) -> None:
        organisation, _ = record_put(
            Organisation,
            user=None,
            name="Benchmark organisation",
            values={"slug": "benchmark-organisation"},
        )
        slugs = [f"bench-{n:04d}" for n in range(services)]
        values = {"organisation": organisation, "kind": "transactional", "phase": "live"}
        records_put(
            Service, [({"slug": slug}, {"name": slug, **values}) for slug in slugs], user=None
        )
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "measurements.csv"
            self._write(path, rows, slugs)
            size = path.stat().st_size / 1024 / 1024
            self.stdout.write(f"{rows:,} rows, {size:,.0f} MB, database: {connection.vendor}")

            started = time.perf_counter()
            outcome = run_import(
                KINDS["measurements"](),
                path.read_bytes(),
                user=None,
                source="command",
                file_name="benchmark",
            )
            importer = time.perf_counter() - started
            self.stdout.write(
                f"importer: {importer:8.2f} s  {rows / importer:12,.0f} rows/s  "
                f"({outcome.counts.created:,} created)"
            )
            if connection.vendor == "postgresql":
                copy = self._copy(path)
                self.stdout.write(f"COPY:     {copy:8.2f} s  {rows / copy:12,.0f} rows/s")
                self.stdout.write(
                    f"ratio:    importer takes {importer / copy:.1f}x as long as COPY"
                )
            else:
                self.stdout.write("COPY comparison needs PostgreSQL (set DATABASE_URL).")
        if not keep:
            records_remove(Service.objects.filter(slug__in=slugs), user=None)

    def _write(self, path: Path, rows: int, slugs: list[str]) -> None:
        start = date(2000, 1, 1)
        per_day = len(slugs) * len(CHANNELS)
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["service", "metric", "period_start", "period_end", "value", "channel"])
            for n in range(rows):
                day = (start + timedelta(days=n // per_day)).isoformat()
                slug = slugs[(n // len(CHANNELS)) % len(slugs)]
                writer.writerow(
                    [slug, "transactions", day, day, n % 997, CHANNELS[n % len(CHANNELS)]]
                )

    def _copy(self, path: Path) -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE bench_copy (service text, metric text, period_start date, "
                "period_end date, value numeric, channel text)"
            )
            started = time.perf_counter()
            with (
                path.open("rb") as handle,
                cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
            elapsed = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_copy")
        return elapsed
