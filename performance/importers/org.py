"""``org`` CSV: organisation, directorate, team, team_type — the organisation's structure."""

from dataclasses import dataclass

from django.utils.text import slugify

from performance.importers.base import Cells, Counts, CsvKind, Lookups, Outcome
from services.models import Directorate, Organisation, Team


@dataclass(frozen=True)
class OrgRow:
    organisation: str
    directorate: str
    team: str
    team_type: str


def unique_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:90] or "organisation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


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
        orgs = {o.name: o for o in Organisation.objects.all()}
        slugs = set(Organisation.objects.values_list("slug", flat=True))
        directorates = {(d.organisation_id, d.name): d for d in Directorate.objects.all()}
        teams = {(t.directorate_id, t.name): t for t in Team.objects.all()}
        seen_orgs, seen_dirs = set(), set()
        for row in rows:
            organisation = orgs.get(row.organisation)
            if organisation is None:
                organisation = Organisation(
                    name=row.organisation, slug=unique_slug(row.organisation, slugs)
                )
                organisation.full_clean()
                organisation._history_user = user
                organisation.save()
                orgs[row.organisation] = organisation
                counts["organisations"].add("created")
            elif organisation.pk not in seen_orgs:
                counts["organisations"].add("unchanged")
            seen_orgs.add(organisation.pk)

            directorate = directorates.get((organisation.pk, row.directorate))
            if directorate is None:
                directorate = Directorate(organisation=organisation, name=row.directorate)
                directorate.full_clean()
                directorate._history_user = user
                directorate.save()
                directorates[(organisation.pk, row.directorate)] = directorate
                counts["directorates"].add("created")
            elif directorate.pk not in seen_dirs:
                counts["directorates"].add("unchanged")
            seen_dirs.add(directorate.pk)

            team = teams.get((directorate.pk, row.team))
            if team is None:
                team = Team(directorate=directorate, name=row.team, team_type=row.team_type)
                outcome = "created"
            elif team.team_type != row.team_type:
                team.team_type = row.team_type
                outcome = "updated"
            else:
                counts["teams"].add("unchanged")
                continue
            team.full_clean()
            team._history_user = user
            team.save()
            teams[(directorate.pk, row.team)] = team
            counts["teams"].add(outcome)
        return Outcome(self.name, len(rows), counts["teams"], details=counts)
