"""``stages`` CSV: service, position, stage, organisation, directorate, team[, online]."""

from dataclasses import dataclass

from performance.imports.base import Cells, Counts, CsvKind, Lookups, Outcome
from services.actions import journeys_replace
from services.models import Service, Stage, Team


@dataclass(frozen=True)
class StageRow:
    service: Service
    position: int
    name: str
    team: Team
    online: bool | None


class StagesKind(CsvKind):
    name = "stages"
    columns = ["service", "position", "stage", "organisation", "directorate", "team"]
    optional = ["online"]
    example = {
        "service": "apply-for-a-grant",
        "position": "1",
        "stage": "Apply",
        "organisation": "Department for Housing",
        "directorate": "Digital",
        "team": "Apply digital team",
        "online": "yes",
    }

    def parse(self, cells: Cells, lookups: Lookups) -> StageRow | None:
        service = lookups.service(cells)
        position = cells.whole("position", maximum=200)
        if position == 0:
            cells.error("position", "positions start at 1")
        name = cells.text("stage", max_length=200)
        organisation = lookups.organisation(cells)
        directorate = lookups.directorate(cells, organisation) if organisation else None
        team = lookups.team(cells, directorate) if directorate else None
        online = cells.yes_no("online")
        if cells.failed:
            return None
        return StageRow(service, position, name, team, online)

    def keys(self, row: StageRow) -> list[tuple[str, tuple]]:
        return [
            ("service and stage", (row.service.pk, row.name)),
            ("service and position", (row.service.pk, "position", row.position)),
        ]

    def apply(self, rows: list[StageRow], user, run) -> Outcome:
        by_service: dict[int, list[StageRow]] = {}
        for row in rows:
            by_service.setdefault(row.service.pk, []).append(row)
        current: dict[int, dict[str, Stage]] = {service_id: {} for service_id in by_service}
        for stage in Stage.objects.filter(service_id__in=by_service).order_by("position"):
            current[stage.service_id][stage.name] = stage
        journeys, from_file, notes = {}, [], []
        for service_id, service_rows in by_service.items():
            have = current[service_id]
            journey = []
            for row in sorted(service_rows, key=lambda r: r.position):
                stage = have.get(row.name) or Stage(name=row.name)
                stage.position, stage.team = row.position, row.team
                if row.online is not None:
                    stage.online = row.online
                journey.append(stage)
            from_file.extend(journey)
            # Stages the file does not name keep their order, after the file's stages.
            named = {r.name for r in service_rows}
            untouched = [stage for name, stage in have.items() if name not in named]
            last = max(row.position for row in service_rows)
            for offset, stage in enumerate(untouched, start=1):
                stage.position = last + offset
            if untouched:
                notes.append(
                    f"{service_rows[0].service.slug}: {len(untouched)} stage(s) not in the file "
                    "kept, after the file's stages"
                )
            journeys[service_id] = (journey + untouched, [])
        done = journeys_replace(journeys, user=user)
        outcome_of = {id(s): outcome for outcome, stages in done.items() for s in stages}
        counts = Counts()
        for stage in from_file:
            counts.add(outcome_of[id(stage)])
        return Outcome(self.name, len(rows), counts, details={"stages": counts}, notes=notes)
