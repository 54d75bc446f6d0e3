"""``services`` CSV: service, name, organisation, phase, kind[, purpose][, leadership_model]."""

from dataclasses import dataclass

from django.utils.text import slugify

from performance.imports.base import Cells, Counts, CsvKind, Lookups, Outcome
from services.actions import records_add, records_change
from services.models import Organisation, Service


@dataclass(frozen=True)
class ServiceRow:
    slug: str
    name: str
    organisation: Organisation
    phase: str
    kind: str
    purpose: str | None
    leadership_model: str | None


class ServicesKind(CsvKind):
    name = "services"
    columns = ["service", "name", "organisation", "phase", "kind"]
    optional = ["purpose", "leadership_model"]
    admin_only = True
    example = {
        "service": "apply-for-a-grant",
        "name": "Apply for a grant",
        "organisation": "Department for Housing",
        "phase": "live",
        "kind": "transactional",
        "purpose": "Help people repair their homes",
        "leadership_model": "single",
    }

    def parse(self, cells: Cells, lookups: Lookups) -> ServiceRow | None:
        slug = cells.text("service", max_length=100)
        if slug and slugify(slug) != slug:
            cells.error("service", f'"{slug}" is not a slug (lower-case letters, digits, hyphens)')
        has_purpose = "purpose" in cells.values and cells.values["purpose"] != ""
        has_model = "leadership_model" in cells.values and cells.values["leadership_model"] != ""
        return ServiceRow(
            slug=slug,
            name=cells.text("name"),
            organisation=lookups.organisation(cells),
            phase=cells.choice("phase", Service.Phase.values),
            kind=cells.choice("kind", Service.Kind.values),
            purpose=cells.text("purpose", required=False, max_length=5000, lines=True)
            if has_purpose
            else None,
            leadership_model=(
                cells.choice("leadership_model", Service.LeadershipModel.values)
                if has_model
                else None
            ),
        )

    def keys(self, row: ServiceRow) -> list[tuple[str, tuple]]:
        return [("service", (row.slug,))]

    def apply(self, rows: list[ServiceRow], user, run) -> Outcome:
        counts = Counts()
        existing = {s.slug: s for s in Service.objects.filter(slug__in=[r.slug for r in rows])}
        create, changed, fields = [], [], set()
        for row in rows:
            service = existing.get(row.slug) or Service(slug=row.slug)
            wanted = {
                "name": row.name,
                "organisation_id": row.organisation.pk,
                "phase": row.phase,
                "kind": row.kind,
            }
            if row.purpose is not None:  # empty optional cells mean "not given"
                wanted["purpose"] = row.purpose
            if row.leadership_model is not None:
                wanted["leadership_model"] = row.leadership_model
            if service.pk and all(getattr(service, k) == v for k, v in wanted.items()):
                counts.add("unchanged")
                continue
            for name, value in wanted.items():
                setattr(service, name, value)
            service.full_clean()
            (changed if service.pk else create).append(service)
            fields.update(wanted)
            counts.add("updated" if service.pk else "created")
        records_add(create, user=user)
        records_change(changed, sorted(fields), user=user)
        return Outcome(self.name, len(rows), counts, details={"services": counts})
