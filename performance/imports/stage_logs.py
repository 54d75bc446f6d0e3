"""``stage_logs`` CSV: service, stage, period_start, period_end, completed,
median_process_hours."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from performance.flow.actions import LogEntry, logs_record
from performance.imports.base import Cells, Counts, CsvKind, Lookups, Outcome, places_of
from performance.models import StageLog
from services.models import Stage


@dataclass(frozen=True)
class StageLogRow:
    stage: Stage
    period_start: date
    period_end: date
    completed: int
    median_process_hours: Decimal


class StageLogsKind(CsvKind):
    name = "stage_logs"
    columns = [
        "service",
        "stage",
        "period_start",
        "period_end",
        "completed",
        "median_process_hours",
    ]
    example = {
        "service": "apply-for-a-grant",
        "stage": "Apply",
        "period_start": "2026-03-02",
        "period_end": "2026-03-08",
        "completed": "120",
        "median_process_hours": "3.5",
    }

    def parse(self, cells: Cells, lookups: Lookups) -> StageLogRow | None:
        service = lookups.service(cells)
        stage = lookups.stage(cells, service) if service else None
        start, end = cells.period()
        completed = cells.whole("completed")
        hours = cells.decimal(
            "median_process_hours",
            maximum=Decimal(99_999),
            places=places_of(StageLog, "median_process_hours"),
        )
        if cells.failed:
            return None
        return StageLogRow(stage, start, end, completed, hours)

    def service_id(self, row: StageLogRow) -> int:
        return row.stage.service_id

    def keys(self, row: StageLogRow) -> list[tuple[str, tuple]]:
        return [("stage and period", (row.stage.pk, row.period_start, row.period_end))]

    def apply(self, rows: list[StageLogRow], user, run) -> Outcome:
        entries = [
            LogEntry(
                row.stage,
                row.period_start,
                row.period_end,
                {"completed": row.completed, "median_process_hours": row.median_process_hours},
            )
            for row in rows
        ]
        counts = Counts()
        for _, outcome in logs_record(entries, user=user):
            counts.add(outcome)
        return Outcome(self.name, len(rows), counts)
