"""Server time and query count of the main pages, each against a trivial signed-in page."""

import json as _json
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from unittest.mock import patch

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from performance.flow.actions import handoff_log_record
from performance.models import Handoff
from servicelead.calendar import week_of
from services.models import Service

TRIVIAL = "trivial (profile)"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Benchmark: request the portfolio (as it opens, sorted by cost, filtered, page 7), the "
        "catalogue, the decision-rights coverage page, and a generated service's dashboard, "
        "flow view and decision log N times each as an org admin, beside a trivial signed-in "
        "page; print p50 and p95 server time, the ratio to the trivial page and each page's "
        "query count. With --after-write, a hand-off of the service is logged before each "
        "request (its roll-ups then behind, as before the worker catches up). Prints figures; "
        "asserts nothing. `benchmark` compares portfolio sizes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument(
            "--service", default="", help="Its slug (default: a generated service, or the demo's)."
        )
        parser.add_argument(
            "--after-write",
            action="store_true",
            help="Log a hand-off of the service before each request.",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args, repeat: int, service: str, after_write: bool, json: bool, **options):
        results = measure(repeat=repeat, slug=service, after_write=after_write)
        if json:
            self.stdout.write(_json.dumps(results))
            return
        self.stdout.write(
            f"{results['services']:,} services, database {results['database']}, service "
            f"{results['service']}, {repeat} requests a page"
            f"{', each after a write to the service' if after_write else ''}"
        )
        self.stdout.write(f"{'page':24}{'p50 ms':>10}{'p95 ms':>10}{'p95 ratio':>11}{'queries':>9}")
        trivial_p95 = results["pages"][TRIVIAL]["p95"]
        for name, page in results["pages"].items():
            self.stdout.write(
                f"{name:24}{page['p50']:>10.1f}{page['p95']:>10.1f}"
                f"{page['p95'] / trivial_p95:>10.1f}x{page['queries']:>9}"
            )


def _service(slug: str) -> Service:
    """The one named, else the middle generated service with a journey, else the demo's."""
    services = Service.objects.filter(stages__isnull=False).distinct()
    if slug:
        found = Service.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"There is no service {slug!r}.")
        return found
    generated = services.filter(slug__startswith="generated-", restricted=False).order_by("slug")
    count = generated.count()
    if count:
        return generated[count // 2]
    return services.get(slug="home-improvement-grant")


def _writer(service: Service):
    """A function that logs one hand-off of ``service`` for its last full week, with a new
    figure each time, through the action every write goes through; the roll-ups are not
    refreshed (as while the worker has yet to), so the next read finds them behind."""
    handoff = Handoff.objects.filter(service=service).order_by("from_stage__position").first()
    if handoff is None:
        raise CommandError(f"{service.slug} has no hand-offs to log.")
    start, end = week_of(timezone.localdate() - timedelta(days=7))
    counter = iter(range(1, 10**9))

    def write() -> None:
        with patch("performance.figures.rollups.enqueue"):
            handoff_log_record(
                handoff=handoff,
                user=None,
                period_start=start,
                period_end=end,
                handed_over=100 + next(counter),
                returned=1,
                median_wait_hours=Decimal(5),
            )

    return write


def measure(*, repeat: int, slug: str, after_write: bool) -> dict:
    """p50 and p95 milliseconds and the query count of each page, signed in as an org admin."""
    admin = (
        User.objects.filter(is_superuser=True).first()
        or User.objects.filter(groups__name="Org admins").first()
    )
    if admin is None:
        raise CommandError("No org admin to sign in as: run seed_demo first.")
    service = _service(slug)
    write = _writer(service) if after_write else None
    client = Client()
    client.force_login(admin)
    pages = {
        TRIVIAL: "/profile/",
        "portfolio": "/portfolio/",
        "portfolio by cost": "/portfolio/?sort=-total_cost",
        "portfolio filtered": f"/portfolio/?organisation={service.organisation.slug}&phase=live",
        "portfolio page 7": "/portfolio/?page=7",
        "catalogue": "/services/",
        "coverage": "/decision-rights/coverage/",
        "dashboard": f"/services/{service.slug}/dashboard/",
        "flow": f"/services/{service.slug}/flow/",
        "decision log": f"/services/{service.slug}/decisions/",
    }
    results = {}
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS]):
        for name, url in pages.items():
            client.get(url)  # warm up
            times, queries = [], 0
            for _ in range(repeat):
                if write:
                    write()
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
        "service": service.slug,
        "database": connection.vendor,
        "repeat": repeat,
        "after_write": after_write,
        "pages": results,
    }
