"""``handoffs`` CSV: service, from_stage, to_stage, period_start, period_end, handed_over,
returned, median_wait_hours."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from performance.flow.actions import LogEntry, handoffs_make, logs_record
from performance.imports.base import Cells, Counts, CsvKind, Lookups, Outcome, places_of
from performance.models import Handoff, HandoffLog


@dataclass(frozen=True)
class HandoffRow:
    handoff: Handoff
    period_start: date
    period_end: date
    handed_over: int
    returned: int
    median_wait_hours: Decimal


class HandoffsKind(CsvKind):
    name = "handoffs"
    columns = [
        "service",
        "from_stage",
        "to_stage",
        "period_start",
        "period_end",
        "handed_over",
        "returned",
        "median_wait_hours",
    ]
    example = {
        "service": "apply-for-a-grant",
        "from_stage": "Apply",
        "to_stage": "Check",
        "period_start": "2026-03-02",
        "period_end": "2026-03-08",
        "handed_over": "120",
        "returned": "6",
        "median_wait_hours": "18",
    }

    def __init__(self) -> None:
        self._handoffs: dict[int, dict] = {}

    def _journey(self, lookups: Lookups, service) -> dict:
        if service.pk not in self._handoffs:
            stages = list(lookups.stages_of(service).values())
            self._handoffs[service.pk] = handoffs_make({service.pk: stages})
        return self._handoffs[service.pk]

    def parse(self, cells: Cells, lookups: Lookups) -> HandoffRow | None:
        service = lookups.service(cells)
        giver = lookups.stage(cells, service, "from_stage") if service else None
        taker = lookups.stage(cells, service, "to_stage") if service else None
        start, end = cells.period()
        handed = cells.whole("handed_over")
        returned = cells.whole("returned")
        wait = cells.decimal(
            "median_wait_hours",
            maximum=Decimal(99_999),
            places=places_of(HandoffLog, "median_wait_hours"),
        )
        if handed is not None and returned is not None and returned > handed:
            cells.error("returned", f"{returned} is more than the {handed} handed over")
        handoff = None
        if giver and taker:
            handoff = self._journey(lookups, service).get((giver.pk, taker.pk))
            if handoff is None:
                cells.error(
                    "to_stage",
                    f'"{taker.name}" does not follow "{giver.name}" in {service.slug}\'s journey; '
                    "hand-offs run between consecutive stages",
                )
        if cells.failed:
            return None
        return HandoffRow(handoff, start, end, handed, returned, wait)

    def service_id(self, row: HandoffRow) -> int:
        return row.handoff.service_id

    def keys(self, row: HandoffRow) -> list[tuple[str, tuple]]:
        return [("hand-off and period", (row.handoff.pk, row.period_start, row.period_end))]

    def apply(self, rows: list[HandoffRow], user, run) -> Outcome:
        entries = [
            LogEntry(
                row.handoff,
                row.period_start,
                row.period_end,
                {
                    "handed_over": row.handed_over,
                    "returned": row.returned,
                    "median_wait_hours": row.median_wait_hours,
                },
            )
            for row in rows
        ]
        counts = Counts()
        for _, outcome in logs_record(entries, user=user):
            counts.add(outcome)
        return Outcome(self.name, len(rows), counts)
