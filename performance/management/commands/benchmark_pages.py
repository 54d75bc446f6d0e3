"""Server time and query count of the main pages, each against a trivial signed-in page."""

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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Benchmark: request the portfolio, a service dashboard, its flow view and its decision "
        "log N times each as an org admin, beside a trivial signed-in page, and print p50 and "
        "p95 server time, the ratio to the trivial page, and each page's query count. Prints "
        "figures; asserts nothing. Run it on seed_demo --scale data to see how pages scale."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--service", default="home-improvement-grant")
        parser.add_argument(
            "--cold", action="store_true", help="Clear the cache before each request."
        )

    def handle(self, *args, repeat: int, service: str, cold: bool, **options) -> None:
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
            "trivial (profile)": "/profile/",
            "portfolio": "/portfolio/",
            "dashboard": f"/services/{service}/dashboard/",
            "flow": f"/services/{service}/flow/",
            "decision log": f"/services/{service}/decisions/",
        }
        self.stdout.write(
            f"{Service.objects.count():,} services, database {connection.vendor}, "
            f"{repeat} requests a page{', cache cleared each time' if cold else ''}"
        )
        self.stdout.write(f"{'page':20}{'p50 ms':>10}{'p95 ms':>10}{'p95 ratio':>11}{'queries':>9}")
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
                results[name] = (statistics.median(times), percentile(times, 0.95), queries)
        trivial_p95 = results["trivial (profile)"][1]
        for name, (p50, p95, queries) in results.items():
            self.stdout.write(
                f"{name:20}{p50:>10.1f}{p95:>10.1f}{p95 / trivial_p95:>10.1f}x{queries:>9}"
            )
