"""``measurements`` CSV: service, metric, period_start, period_end, value[, channel].

The same rows arrive through the JSON API (``POST /api/v1/services/{slug}/measurements``),
which builds them into this importer's rows and runs the same pipeline.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from performance.imports.actions import Finding, measurements_write
from performance.imports.base import (
    Cells,
    Counts,
    CsvKind,
    Lookups,
    Outcome,
    closest,
    not_ended,
    places_of,
)
from performance.models import Channel, DataQualityFinding, Measurement, Metric
from services.actions import records_add
from services.models import Service

CHANNELS = Channel.values
Kind = DataQualityFinding.Kind
COUNTS = {"transactions", "started", "contacts", "failure_demand_contacts"}
VALUE_PLACES = places_of(Measurement, "value")
RANGES = {
    "completion_rate": (Decimal(0), Decimal(1)),
    "user_satisfaction": (Decimal(0), Decimal(100)),
}


@dataclass(frozen=True)
class MeasurementRow:
    service: Service
    metric: str
    period_start: date
    period_end: date
    value: Decimal
    channel: str


class MeasurementsKind(CsvKind):
    name = "measurements"
    columns = ["service", "metric", "period_start", "period_end", "value"]
    optional = ["channel"]
    example = {
        "service": "apply-for-a-grant",
        "metric": "transactions",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "value": "1250",
        "channel": "digital",
    }

    def __init__(self) -> None:
        self._known: dict[int, set[str]] | None = None

    def known_keys(self, service: Service) -> set[str]:
        """The standard metric keys and the service's own, loaded once per import."""
        if self._known is None:
            self._known = {}
            for service_id, key in Metric.objects.values_list("service_id", "key"):
                self._known.setdefault(service_id, set(Metric.STANDARD)).add(key)
        return self._known.setdefault(service.pk, set(Metric.STANDARD))

    def parse(self, cells: Cells, lookups: Lookups) -> MeasurementRow | None:
        service = lookups.service(cells)
        key = cells.values.get("metric", "")
        if service is not None:
            known = self.known_keys(service)
            if key not in known:
                cells.error(
                    "metric",
                    f'unknown metric "{key}" for {service.slug}{closest(key, known)}; the '
                    f"standard metrics are {', '.join(Metric.STANDARD)}",
                )
        start, end = cells.period()
        if key in COUNTS:
            whole = cells.whole("value")
            value = None if whole is None else Decimal(whole)
        elif key in RANGES:
            low, high = RANGES[key]
            value = cells.decimal("value", minimum=low, maximum=high, places=VALUE_PLACES)
        else:
            value = cells.decimal("value", minimum=Decimal(-(10**12)), places=VALUE_PLACES)
        channel = cells.choice("channel", CHANNELS, required=False)
        if cells.failed:
            return None
        return MeasurementRow(service, key, start, end, value, channel)

    def findings(self, rows: list[MeasurementRow]) -> tuple[list[Finding], set[str]]:
        """A period that had not ended when it was imported; more transactions completed
        than started, or more failure-demand contacts than contacts, in one period."""
        today = timezone.localdate()
        found, subjects = [], set()
        totals: dict[tuple, Decimal] = defaultdict(Decimal)
        for r in rows:
            period = f"{r.period_start} to {r.period_end}"
            subjects.add(f"{r.metric} {period}")
            totals[(r.service.pk, r.metric, r.period_start, r.period_end)] += r.value
            if r.period_end > today:
                found.append(not_ended(r.service.pk, r.metric, r.period_start, r.period_end))
        for (service_id, metric, start, end), value in totals.items():
            whole = {"transactions": "started", "failure_demand_contacts": "contacts"}.get(metric)
            total = totals.get((service_id, whole, start, end)) if whole else None
            if total is not None:
                subjects.add(f"volumes {start} to {end}")  # both in this file: checked again
            if total is not None and value > total:
                found.append(
                    Finding(
                        service_id,
                        Kind.VOLUMES_CONTRADICT,
                        f"volumes {start} to {end}",
                        f"{start} to {end}: {value:,} {metric} but only {total:,} {whole}.",
                        period=(start, end),
                    )
                )
        return found, subjects

    def keys(self, row: MeasurementRow) -> list[tuple[str, tuple]]:
        return [
            (
                "service, metric, period and channel",
                (row.service.pk, row.metric, row.period_start, row.period_end, row.channel),
            )
        ]

    def apply(self, rows: list[MeasurementRow], user, run) -> Outcome:
        metrics = ensure_metrics({(r.service.pk, r.metric) for r in rows}, user)
        metric_of = {pair: metric.pk for pair, metric in metrics.items()}
        starts = [r.period_start for r in rows]
        existing = {
            (metric_id, start, end, channel): (pk, value)
            for pk, metric_id, start, end, channel, value in Measurement.objects.filter(
                metric_id__in=metric_of.values(),
                period_start__gte=min(starts),
                period_start__lte=max(starts),
            ).values_list("pk", "metric_id", "period_start", "period_end", "channel", "value")
        }
        run_id, user_id, now = (
            (run.pk if run else None),
            (user.pk if user else None),
            timezone.now(),
        )
        counts = Counts()
        new, changed = [], []
        for r in rows:
            key = (metric_of[(r.service.pk, r.metric)], r.period_start, r.period_end, r.channel)
            found = existing.get(key)
            if found is None:
                new.append((*key, r.value))
                counts.created += 1
            elif found[1] == r.value:
                counts.unchanged += 1
            else:
                changed.append(
                    Measurement(
                        pk=found[0],
                        metric_id=key[0],  # not written: it says whose figures change
                        value=r.value,
                        import_run_id=run_id,
                        recorded_by_id=user_id,
                        updated_at=now,
                    )
                )
                counts.updated += 1
        measurements_write([row + (run_id, user_id, now) for row in new], changed)
        return Outcome(self.name, len(rows), counts)


def ensure_metrics(pairs: set[tuple[int, str]], user) -> dict[tuple[int, str], Metric]:
    """The metrics named, creating the standard ones a service does not have yet."""
    service_ids = {service_id for service_id, _ in pairs}
    metrics = {(m.service_id, m.key): m for m in Metric.objects.filter(service_id__in=service_ids)}
    missing = []
    for service_id, key in pairs - metrics.keys():
        name, unit, higher, _, _ = Metric.STANDARD[key]
        missing.append(
            Metric(service_id=service_id, key=key, name=name, unit=unit, higher_is_better=higher)
        )
    if missing:
        records_add(missing, user=user)
        metrics = {
            (m.service_id, m.key): m for m in Metric.objects.filter(service_id__in=service_ids)
        }
    return metrics
