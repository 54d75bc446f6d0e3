"""The benchmarks in one run: page times at two portfolio sizes, then the import benchmark."""

import json
import os
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from performance.management.commands.benchmark_pages import TRIVIAL

DEMO_SERVICES = 12  # seed_demo's own services; --scale adds the rest


class Command(BaseCommand):
    help = (
        "Benchmark: build a database for each portfolio size (seed_demo --scale, kept for the "
        "next run) with every roll-up computed, run benchmark_pages at each size, warm and "
        "with a write to the service before each request, beside a trivial page, then run "
        "benchmark_import. Prints figures, ratios and growth; asserts nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--sizes", default="20,2000,20000", help="Services in each database.")
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--import-rows", type=int, default=1_000_000)
        parser.add_argument(
            "--fresh", action="store_true", help="Rebuild the databases even if they exist."
        )

    def handle(self, *args, sizes: str, repeat: int, import_rows: int, fresh: bool, **options):
        try:
            counts = sorted(int(size) for size in sizes.split(","))
        except ValueError:
            raise CommandError(
                f"--sizes must be whole numbers, like 20,2000; got {sizes!r}"
            ) from None
        if counts[0] < DEMO_SERVICES:
            raise CommandError(f"The smallest size is {DEMO_SERVICES}: the demo's own services.")
        self.stdout.write(_machine())
        results = {}
        for count in counts:
            url = self._database(count, fresh=fresh)
            results[count] = {
                written: self._pages(url, repeat=repeat, after_write=written)
                for written in (False, True)
            }
        self._report(counts, results)
        self.stdout.write("\nImport benchmark (benchmark_import):")
        self.stdout.flush()
        _manage(self._url(counts[0]), "benchmark_import", "--rows", str(import_rows))

    def _url(self, count: int) -> str:
        """Where the database of ``count`` services lives, beside the configured one."""
        if connection.vendor == "postgresql":
            base = urlsplit(os.environ["DATABASE_URL"])
            name = f"{base.path.lstrip('/')}_bench_{count}"
            return urlunsplit(base._replace(path=f"/{name}"))
        return f"sqlite:///var/bench-{count}.sqlite3"

    def _database(self, count: int, *, fresh: bool) -> str:
        url = self._url(count)
        if connection.vendor == "postgresql":
            self._create_postgresql(url, fresh=fresh)
        elif fresh:
            (settings.BASE_DIR / "var" / f"bench-{count}.sqlite3").unlink(missing_ok=True)
        _manage(url, "migrate", "--no-input", "-v0")
        have = _manage(url, "shell", "-v0", "-c", _COUNT, capture=True).split()
        if int(have[-1]) >= count:
            self.stdout.write(f"{count:,} services: using the database built before ({url}).")
            _manage(url, "refresh_rollups", "--behind-only", env={"REDIS_URL": ""})
            return url
        self.stdout.write(f"{count:,} services: seed_demo --scale {count - DEMO_SERVICES} ...")
        self.stdout.flush()
        started = time.perf_counter()
        # Without a worker, seed_demo computes the roll-ups itself once it has seeded.
        _manage(url, "seed_demo", "--scale", str(count - DEMO_SERVICES), env={"REDIS_URL": ""})
        self.stdout.write(f"  seeded with roll-ups in {time.perf_counter() - started:,.0f} s")
        return url

    def _create_postgresql(self, url: str, *, fresh: bool) -> None:
        import psycopg
        from psycopg import sql

        name = urlsplit(url).path.lstrip("/")
        maintenance = urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))
        database = sql.Identifier(name)
        with psycopg.connect(maintenance, autocommit=True) as admin:
            if fresh:
                admin.execute(sql.SQL("drop database if exists {}").format(database))
            if not admin.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
                admin.execute(sql.SQL("create database {}").format(database))

    def _pages(self, url: str, *, repeat: int, after_write: bool) -> dict:
        command = ["benchmark_pages", "--json", "--repeat", str(repeat)]
        command += ["--after-write"] * after_write
        output = _manage(url, *command, capture=True)
        return json.loads(output.strip().splitlines()[-1])

    def _report(self, counts: list[int], results: dict) -> None:
        small, large = counts[0], counts[-1]
        for written in (False, True):
            first = results[small][written]
            self.stdout.write(
                f"\n{'Each request right after a write to the service' if written else 'Warm'}"
                f": p50/p95 ms over {first['repeat']} requests, database {first['database']}"
            )
            header = "".join(f"{f'{n:,} services':>34}" for n in counts)
            self.stdout.write(f"{'page':20}{header}{'p95 growth':>12}")
            subheader = "".join(
                f"{'p50':>8}{'p95':>8}{'vs trivial':>11}{'queries':>7}" for _ in counts
            )
            self.stdout.write(f"{'':20}{subheader}")
            for page in first["pages"]:
                cells = ""
                for n in counts:
                    figures = results[n][written]["pages"]
                    row = figures[page]
                    ratio = row["p95"] / figures[TRIVIAL]["p95"]
                    cells += (
                        f"{row['p50']:>8.1f}{row['p95']:>8.1f}{ratio:>10.1f}x{row['queries']:>7}"
                    )
                growth = (
                    results[large][written]["pages"][page]["p95"]
                    / results[small][written]["pages"][page]["p95"]
                )
                self.stdout.write(f"{page:20}{cells}{growth:>11.2f}x")


_COUNT = "from services.models import Service; print(Service.objects.count())"


def _manage(url: str, *command: str, capture: bool = False, env: dict | None = None) -> str:
    """Run a management command of ours against the database at ``url``."""
    env = os.environ | {"DATABASE_URL": url, "DEBUG": os.environ.get("DEBUG", "1")} | (env or {})
    finished = subprocess.run(  # noqa: S603 - our own interpreter and commands
        [sys.executable, "manage.py", *command],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )
    return finished.stdout or ""


def _machine() -> str:
    import platform

    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)
        database = f"PostgreSQL {major}.{minor}"
    else:
        database = f"SQLite {connection.Database.sqlite_version}"
    return (
        f"Machine: {platform.machine()}, {cores} cores, {memory:.0f} GiB; "
        f"Python {platform.python_version()}; {database}"
    )
