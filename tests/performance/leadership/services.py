"""Services built by hand to a maturity level, and their scorecards over the last year."""

from datetime import timedelta

from django.utils import timezone

from performance.figures.metrics import summaries
from performance.leadership.maturity import scorecards
from performance.leadership.proportionality import evidence_for
from performance.windows import Window
from tests.factories import (
    MetricFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    measure,
)

TODAY = timezone.localdate()


WINDOW = Window(TODAY - timedelta(days=364), TODAY)


LAST_MONTH = (TODAY - timedelta(days=40), TODAY - timedelta(days=10))


def cards(*services):
    found = summaries(list(services), WINDOW)
    return scorecards(found, evidence_for(found, WINDOW), TODAY)


def bronze(name):
    """A leader, one owned stage and a KPI with a target: Bronze, not assessed."""
    service = ServiceFactory(name=name)
    ServiceLeaderFactory(service=service)
    StageFactory(service=service)
    MetricFactory(service=service, key="days", name="Days", target=10, higher_is_better=False)
    measure(service, "days", LAST_MONTH, 9)
    return service
