"""``costs`` CSV: service, period_start, period_end, amount, category, spend, organisation
[, directorate][, team][, currency]."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from performance.imports import upsert
from performance.imports.actions import Finding
from performance.imports.base import Cells, CsvKind, Lookups, Outcome, not_ended, places_of
from performance.models import CostLine
from services.models import Directorate, Organisation, Service, Team, site_currency

FIELDS = ["amount"]
CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class CostRow:
    service: Service
    period_start: date
    period_end: date
    amount: Decimal
    category: str
    spend: str
    organisation: Organisation
    directorate: Directorate | None
    team: Team | None
    currency: str

    @property
    def key(self) -> tuple:
        return (
            self.service.pk,
            self.period_start,
            self.period_end,
            self.category,
            self.spend,
            self.organisation.pk,
            self.directorate.pk if self.directorate else None,
            self.team.pk if self.team else None,
            self.currency,
        )


class CostsKind(CsvKind):
    name = "costs"
    columns = [
        "service",
        "period_start",
        "period_end",
        "amount",
        "category",
        "spend",
        "organisation",
    ]
    optional = ["directorate", "team", "currency"]
    example = {
        "service": "apply-for-a-grant",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "amount": "48250.00",
        "category": "staff",
        "spend": "run",
        "organisation": "Department for Housing",
        "directorate": "Operations",
        "team": "Casework",
        "currency": "GBP",
    }

    def parse(self, cells: Cells, lookups: Lookups) -> CostRow | None:
        service = lookups.service(cells)
        start, end = cells.period()
        category = cells.choice("category", CostLine.Category.values)
        programme = category == CostLine.Category.PROGRAMME
        amount = cells.decimal(
            "amount",
            # Programme spending is published as it was, recoveries and all.
            minimum=-Decimal(10**13) if programme else Decimal(0),
            maximum=Decimal(10**13),
            places=places_of(CostLine, "amount"),
        )
        spend = cells.choice("spend", CostLine.Spend.values)
        organisation = lookups.organisation(cells)
        directorate = team = None
        if cells.values.get("directorate") and organisation:
            directorate = lookups.directorate(cells, organisation)
        if cells.values.get("team"):
            if not cells.values.get("directorate"):
                cells.error("team", "a paying team needs its directorate too")
            elif directorate:
                team = lookups.team(cells, directorate)
        currency = (
            cells.values.get("currency")
            or (organisation.currency if organisation else site_currency())
        ).upper()
        if not CURRENCY.fullmatch(currency):
            cells.error(
                "currency",
                f'"{cells.values.get("currency")}" is not a three-letter currency code such as GBP',
            )
        if cells.failed:
            return None
        return CostRow(
            service, start, end, amount, category, spend, organisation, directorate, team, currency
        )

    def findings(self, rows: list[CostRow]) -> tuple[list[Finding], set[str]]:
        """Cost of a period that had not ended when it was imported."""
        today = timezone.localdate()
        found, subjects = [], set()
        for r in rows:
            what = f"{r.category} {r.spend} cost paid by {r.organisation.name}"
            subjects.add(f"{what} {r.period_start} to {r.period_end}")
            if r.period_end > today:
                found.append(not_ended(r.service.pk, what, r.period_start, r.period_end))
        return found, subjects

    def keys(self, row: CostRow) -> list[tuple[str, tuple]]:
        return [("service, period, category, spend, payer and currency", row.key)]

    def apply(self, rows: list[CostRow], user, run) -> Outcome:
        existing = {
            (
                c.service_id,
                c.period_start,
                c.period_end,
                c.category,
                c.spend,
                c.organisation_id,
                c.directorate_id,
                c.team_id,
                c.currency,
            ): c
            for c in CostLine.objects.filter(service__in={r.service.pk for r in rows})
        }
        planned = upsert.plan(
            rows,
            existing,
            key=lambda r: r.key,
            values=lambda r: (r.amount,),
            build=lambda r: CostLine(
                service=r.service,
                period_start=r.period_start,
                period_end=r.period_end,
                amount=r.amount,
                currency=r.currency,
                category=r.category,
                spend=r.spend,
                organisation=r.organisation,
                directorate=r.directorate,
                team=r.team,
                import_run=run,
            ),
            fields=FIELDS,
            stamp={"import_run": run},
        )
        upsert.save(planned, [*FIELDS, "import_run"], user=user)
        return Outcome(self.name, len(rows), planned.counts)
