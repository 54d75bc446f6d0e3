"""Server time and query count of the main pages, each against a trivial signed-in page."""

import json as _json
import statistics
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings

from services.models import Service

TRIVIAL = "trivial (profile)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Benchmark: request the portfolio, a service dashboard, its flow view and its decision "
        "log N times each as an org admin, beside a trivial signed-in page, and print p50 and "
        "p95 server time, the ratio to the trivial page, and each page's query count. Prints "
        "figures; asserts nothing. Run it on seed_demo --scale data to see how pages scale, "
        "or use `benchmark` to compare two sizes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--service", default="home-improvement-grant")
        parser.add_argument(
            "--cold", action="store_true", help="Clear the cache before each request."
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args, repeat: int, service: str, cold: bool, json: bool, **options):
        results = measure(repeat=repeat, service=service, cold=cold)
        if json:
            self.stdout.write(_json.dumps(results))
            return
        self.stdout.write(
            f"{results['services']:,} services, database {results['database']}, "
            f"{repeat} requests a page{', cache cleared each time' if cold else ''}"
        )
        self.stdout.write(f"{'page':20}{'p50 ms':>10}{'p95 ms':>10}{'p95 ratio':>11}{'queries':>9}")
        trivial_p95 = results["pages"][TRIVIAL]["p95"]
        for name, page in results["pages"].items():
            self.stdout.write(
                f"{name:20}{page['p50']:>10.1f}{page['p95']:>10.1f}"
                f"{page['p95'] / trivial_p95:>10.1f}x{page['queries']:>9}"
            )


def measure(*, repeat: int, service: str, cold: bool) -> dict:
    """p50 and p95 milliseconds and the query count of each page, signed in as an org admin."""
    admin = (
        User.objects.filter(is_superuser=True).first()
        or User.objects.filter(groups__name="Org admins").first()
    )
    if admin is None:
        raise CommandError("No org admin to sign in as: run seed_demo first.")
    if not Service.objects.filter(slug=service).exists():
        raise CommandError(f"There is no service {service!r}.")
    client = Client()
    client.force_login(admin)
    pages = {
        TRIVIAL: "/profile/",
        "portfolio": "/portfolio/",
        "dashboard": f"/services/{service}/dashboard/",
        "flow": f"/services/{service}/flow/",
        "decision log": f"/services/{service}/decisions/",
    }
    results = {}
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for name, url in pages.items():
            client.get(url)  # warm up
            times, queries = [], 0
            for _ in range(repeat):
                if cold:
                    cache.clear()
                reset_queries()
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                queries = len(connection.queries)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            results[name] = {
                "p50": statistics.median(times),
                "p95": percentile(times, 0.95),
                "queries": queries,
            }
    return {
        "services": Service.objects.count(),
        "database": connection.vendor,
        "repeat": repeat,
        "cold": cold,
        "pages": results,
    }
