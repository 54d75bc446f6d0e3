"""Where each service's data lies (its latest period and the financial years it has data in),
kept as ``DataExtent`` rows, and the window a page opens on because of it."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db.models import (
    F,
    Max,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from performance.models import (
    CostLine,
    DataExtent,
    Measurement,
)
from performance.windows import (
    DataSpan,
    presets,
    window_from,
)
from servicelead.calendar import financial_year_of
from services import versions


def store_extents(service_ids: list[int]) -> None:
    current = versions.versions(service_ids)  # read first: a write meanwhile leaves it behind
    DataExtent.objects.bulk_create(
        [
            DataExtent(
                service_id=pk,
                version=current[pk],
                last_period_end=last,
                financial_years=",".join(map(str, years)),
            )
            for pk, (last, years) in data_extents(service_ids).items()
        ],
        update_conflicts=True,
        unique_fields=["service"],
        update_fields=["version", "last_period_end", "financial_years"],
        batch_size=1000,
    )


def data_span(services) -> DataSpan:
    """Where the data of ``services`` lies: the latest period end that at least half of those
    with data have reached (one service reporting early, or a year still in progress, does
    not move everyone's window), and the financial years that have data. From the stored
    extents: for a few services named in a list, one query, bringing theirs up to date first
    if a write left them behind; for a queryset of any size, five, computing only a few that
    are missing (the worker brings those behind up to date with their roll-ups)."""
    if not isinstance(services, QuerySet):
        return _span_of_few([getattr(s, "pk", s) for s in services])
    missing = services.filter(data_extent__isnull=True)
    ids = list(missing.values_list("pk", flat=True)[: settings.ROLLUP_INLINE_LIMIT + 1])
    if ids and len(ids) <= settings.ROLLUP_INLINE_LIMIT:
        store_extents(ids)
    extents = DataExtent.objects.filter(service__in=services)
    dated = extents.filter(last_period_end__isnull=False)
    count = dated.count()
    latest = None
    if count:
        latest = dated.order_by("last_period_end").values_list("last_period_end", flat=True)[
            (count - 1) // 2
        ]
    years: set[int] = set()
    given = extents.exclude(financial_years="").values_list("financial_years", flat=True)
    for text in given.distinct():
        years.update(int(y) for y in text.split(","))
    return DataSpan(latest=latest, financial_years=sorted(years))


def _span_of_few(ids: list[int]) -> DataSpan:
    def read():
        return {
            row["service_id"]: row
            for row in DataExtent.objects.filter(service_id__in=ids).values(
                "service_id",
                "version",
                "last_period_end",
                "financial_years",
                current=F("service__figures_version__version"),
            )
        }

    found = read()
    behind = [
        pk for pk in ids if pk not in found or found[pk]["version"] < (found[pk]["current"] or 0)
    ]
    if behind:
        store_extents(behind)
        found = read()
    lasts = sorted(r["last_period_end"] for r in found.values() if r["last_period_end"])
    years = {int(y) for r in found.values() for y in r["financial_years"].split(",") if y}
    return DataSpan(
        latest=lasts[(len(lasts) - 1) // 2] if lasts else None, financial_years=sorted(years)
    )


def window_for(params, services) -> dict:
    """The window a page's query string asks for (by default the latest data of
    ``services``, the ones in view), its problems, and the presets to offer."""
    today = timezone.localdate()
    span = data_span(services)
    window, problems = window_from(params, today, span)
    return {"window": window, "window_problems": problems, "presets": presets(today, span)}


def data_extents(service_ids: list[int]) -> dict[int, tuple[date | None, list[int]]]:
    """Where each service's data (measurements and cost lines) lies: the end of its latest
    period and the financial years (by start year) it has data in. Four queries."""
    measured = Measurement.objects.filter(metric__service_id__in=service_ids)
    costed = CostLine.objects.filter(service_id__in=service_ids)
    last: dict[int, date] = {}
    years: dict[int, set[int]] = defaultdict(set)
    for records, service in [(measured, "metric__service_id"), (costed, "service_id")]:
        for service_id, end in (
            records.values_list(service).annotate(last=Max("period_end")).order_by()
        ):
            last[service_id] = max(end, last.get(service_id, end))
        for service_id, month in (
            records.annotate(month=TruncMonth("period_start"))
            .values_list(service, "month")
            .distinct()
            .order_by()
        ):
            years[service_id].add(financial_year_of(month))
    return {pk: (last.get(pk), sorted(years.get(pk, ()))) for pk in service_ids}
