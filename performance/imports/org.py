"""``org`` CSV: organisation, directorate, team, team_type — the organisation's structure."""

from dataclasses import dataclass

from performance.imports.base import Cells, Counts, CsvKind, Lookups, Outcome, closest
from services.actions import records_add, records_change
from services.models import Directorate, Organisation, Team
from services.structure import unique_slug


@dataclass(frozen=True)
class OrgRow:
    organisation: str
    directorate: str
    team: str
    team_type: str


class OrgKind(CsvKind):
    name = "org"
    columns = ["organisation", "directorate", "team", "team_type"]
    admin_only = True
    example = {
        "organisation": "Department for Housing",
        "directorate": "Operations",
        "team": "Casework",
        "team_type": "operations",
    }

    def parse(self, cells: Cells, lookups: Lookups) -> OrgRow:
        return OrgRow(
            organisation=cells.text("organisation", max_length=200),
            directorate=cells.text("directorate"),
            team=cells.text("team"),
            team_type=cells.choice("team_type", Team.TeamType.values),
        )

    def keys(self, row: OrgRow) -> list[tuple[str, tuple]]:
        return [("team", (row.organisation, row.directorate, row.team))]

    def apply(self, rows: list[OrgRow], user, run) -> Outcome:
        counts = {"organisations": Counts(), "directorates": Counts(), "teams": Counts()}
        notes: list[str] = []  # what is new, by name, with the existing name it may mean
        orgs = {o.name: o for o in Organisation.objects.all()}
        existing_orgs = list(orgs)
        slugs = set(Organisation.objects.values_list("slug", flat=True))
        new_orgs = []
        for name in dict.fromkeys(row.organisation for row in rows):
            if name in orgs:
                counts["organisations"].add("unchanged")
                continue
            orgs[name] = Organisation(name=name, slug=unique_slug(name, slugs))
            new_orgs.append(orgs[name])
            counts["organisations"].add("created")
            notes.append(f"New organisation “{name}”{closest(name, existing_orgs)}.")
        _create(new_orgs, user)

        directorates = {(d.organisation_id, d.name): d for d in Directorate.objects.all()}
        existing_directorates = list(directorates)
        org_names = {o.pk: name for name, o in orgs.items()}
        new_directorates = []
        for key in dict.fromkeys((orgs[r.organisation].pk, r.directorate) for r in rows):
            organisation_id, name = key
            if key in directorates:
                counts["directorates"].add("unchanged")
                continue
            directorates[key] = Directorate(organisation_id=organisation_id, name=name)
            new_directorates.append(directorates[key])
            counts["directorates"].add("created")
            siblings = [n for o, n in existing_directorates if o == organisation_id]
            where = org_names[organisation_id]
            notes.append(f"New directorate “{name}” in {where}{closest(name, siblings)}.")
        _create(new_directorates, user)

        teams = {(t.directorate_id, t.name): t for t in Team.objects.all()}
        new_teams, changed_teams = [], []
        for row in rows:
            directorate = directorates[(orgs[row.organisation].pk, row.directorate)]
            team = teams.get((directorate.pk, row.team))
            if team is None:
                new_teams.append(
                    Team(directorate=directorate, name=row.team, team_type=row.team_type)
                )
                counts["teams"].add("created")
            elif team.team_type != row.team_type:
                team.team_type = row.team_type
                team.full_clean()
                changed_teams.append(team)
                counts["teams"].add("updated")
            else:
                counts["teams"].add("unchanged")
        _create(new_teams, user)
        records_change(changed_teams, ["team_type"], user=user)
        return Outcome(self.name, len(rows), counts["teams"], details=counts, notes=notes)


def _create(records: list, user) -> None:
    for record in records:
        record.full_clean()
    records_add(records, user=user)
