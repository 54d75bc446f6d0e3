"""``stage_logs`` CSV: service, stage, period_start, period_end, completed,
median_process_hours."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from performance.importers import upsert
from performance.importers.base import Cells, CsvKind, Lookups, Outcome, places_of
from performance.models import StageLog
from services.models import Stage

FIELDS = ["completed", "median_process_hours"]


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
        existing = {
            (log.stage_id, log.period_start, log.period_end): log
            for log in StageLog.objects.filter(stage__in={r.stage.pk for r in rows})
        }
        planned = upsert.plan(
            rows,
            existing,
            key=lambda r: (r.stage.pk, r.period_start, r.period_end),
            values=lambda r: (r.completed, r.median_process_hours),
            build=lambda r: StageLog(
                stage=r.stage,
                period_start=r.period_start,
                period_end=r.period_end,
                completed=r.completed,
                median_process_hours=r.median_process_hours,
                logged_by=user,
            ),
            fields=FIELDS,
        )
        upsert.save(StageLog, planned, FIELDS, user=user)
        return Outcome(self.name, len(rows), planned.counts)
