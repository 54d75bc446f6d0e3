"""``stages`` CSV: service, position, stage, organisation, directorate, team[, online]."""

from dataclasses import dataclass

from performance.importers.base import Cells, Counts, CsvKind, Lookups, Outcome
from services.actions import service_access_sync
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
        counts = Counts()
        notes = []
        by_service: dict[int, list[StageRow]] = {}
        for row in rows:
            by_service.setdefault(row.service.pk, []).append(row)
        for service_id, service_rows in by_service.items():
            positions = [r.position for r in service_rows]
            current = {s.name: s for s in Stage.objects.filter(service_id=service_id)}
            before = {s.pk: (s.position, s.team_id, s.online) for s in current.values()}
            # Move every stage aside, then place the file's stages; stages the file does not
            # name keep their order after them.
            for stage in current.values():
                Stage.objects.filter(pk=stage.pk).update(position=stage.position + 1000)
            named = {r.name for r in service_rows}
            untouched = sorted(
                (s for s in current.values() if s.name not in named), key=lambda s: s.position
            )
            last = max(positions)
            for offset, stage in enumerate(untouched, start=1):
                Stage.objects.filter(pk=stage.pk).update(position=last + offset)
            if untouched:
                notes.append(
                    f"{service_rows[0].service.slug}: {len(untouched)} stage(s) not in the file "
                    "kept, after the file's stages"
                )
            for row in sorted(service_rows, key=lambda r: r.position):
                stage = current.get(row.name) or Stage(service_id=service_id, name=row.name)
                stage.position, stage.team = row.position, row.team
                if row.online is not None:
                    stage.online = row.online
                stage.full_clean(validate_unique=False, validate_constraints=False)
                stage._history_user = user
                if stage.pk and before[stage.pk] == (stage.position, stage.team_id, stage.online):
                    Stage.objects.filter(pk=stage.pk).update(position=stage.position)
                    counts.add("unchanged")
                    continue
                counts.add("updated" if stage.pk else "created")
                stage.save()
        service_access_sync(service_ids=list(by_service))
        return Outcome(self.name, len(rows), counts, details={"stages": counts}, notes=notes)
