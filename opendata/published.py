"""Open performance data: the figures of the services their leaders publish, for anyone.

What is published of a service: its name, organisation, purpose, who it serves, phase and
whether it uses an automated decision system; and, for each fiscal year (April to March) with
data, its transactions, digital take-up, completion rate, user satisfaction, cost per
transaction (in its currency), programme spending, service standards (target, performance,
met) and how recent its data is. Never its people, teams' notes, friction, decisions or
anything of a restricted or unpublished service.

The same figures are offered in the GC Service Inventory's files (``si_2024.csv``,
``ss_2024.csv``, ``rbpo.csv``, ``org_var.csv``) where they fit, so another organisation can
load them with ``import_gc_inventory``: transactions by channel, phone enquiries, service
standards, and programme spending in Canadian dollars (the import reads spending as CAD; other
currencies' spending stays in the service's own downloads). Each service is its own programme
in them, so its spending comes back to it whole. Importing the files into an empty database
gives every figure they carry back exactly, year by year.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from performance.figures.metrics import Summary, summaries
from performance.imports.gc_inventory import CURRENCY, STAGES, VOLUMES, spending_year
from performance.models import CostLine, Measurement, Metric
from performance.windows import Window
from servicelead.calendar import FINANCIAL_YEAR_STARTS, add_months, financial_year_of
from servicelead.exports import SafeWriter, csv_safe
from services.models import Service

STANDARD = "standard-"
# Our channels -> the inventory's columns (assisted digital, and transactions given with no
# channel, are carried as "other").
COLUMN_OF = {
    "digital": "num_applications_online",
    "phone": "num_applications_by_phone",
    "in_person": "num_applications_in_person",
    "paper": "num_applications_by_mail",
    "assisted_digital": "num_applications_by_other",
    "other": "num_applications_by_other",
    "": "num_applications_by_other",
}


def published_services() -> QuerySet[Service]:
    """What anyone may see: published services, never a restricted one."""
    return Service.objects.filter(published=True, restricted=False).select_related("organisation")


def fiscal_year_of(day: date) -> tuple[date, date]:
    start = date(financial_year_of(day), FINANCIAL_YEAR_STARTS, 1)
    return start, add_months(start, 12) - timedelta(days=1)


def fiscal_label(start: date) -> str:
    """ "2023-2024", as the inventory writes a fiscal year."""
    return f"{start.year}-{start.year + 1}"


def _within_a_year(start: date, end: date) -> tuple[date, date] | None:
    """The fiscal year a period lies wholly within, if it does."""
    year = fiscal_year_of(start)
    return year if end <= year[1] else None


@dataclass
class Standard:
    name: str
    target: Decimal | None
    performance: Decimal | None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.performance is None:
            return None
        return self.performance >= self.target


@dataclass
class Year:
    """A service's published figures for one fiscal year."""

    window: Window
    summary: Summary
    standards: list[Standard] = field(default_factory=list)

    @property
    def label(self) -> str:
        return fiscal_label(self.window.start)

    @property
    def standards_met(self) -> tuple[int, int]:
        judged = [s.met for s in self.standards if s.met is not None]
        return sum(judged), len(judged)

    def row(self) -> dict:
        s, met = self.summary, self.standards_met
        return {
            "fiscal_year": self.label,
            "transactions": s.outcomes.transactions,
            "digital_take_up": s.outcomes.digital_take_up,
            "completion_rate": s.outcomes.completion_rate,
            "user_satisfaction": s.outcomes.user_satisfaction,
            "cost_per_transaction": s.cost_per_transaction,
            "programme_spending": s.costs.programme,
            "currency": s.costs.currency,
            "standards_met": met[0] if met[1] else None,
            "standards_with_target": met[1],
        }


def standards_of(summary: Summary) -> list[Standard]:
    """The service standards among a summary's KPIs."""
    return [
        Standard(k.name, k.target, k.value) for k in summary.kpis if k.metric.startswith(STANDARD)
    ]


def data_up_to(years: list[Year]) -> date | None:
    """The end of the latest period measured in these years."""
    ends = [y.summary.outcomes.last_period_end for y in years]
    return max((end for end in ends if end), default=None)


def years_of(service: Service) -> list[Year]:
    """Each fiscal year in which the service has a measurement or a cost line wholly within
    it, oldest first, with its figures."""
    starts = set()
    for model, path in ((Measurement, "metric__service"), (CostLine, "service")):
        periods = model.objects.filter(**{path: service}).values_list("period_start", "period_end")
        for start, end in periods.distinct():
            year = _within_a_year(start, end)
            if year:
                starts.add(year)
    years = []
    for start, end in sorted(starts):
        window = Window(start, end)
        summary = summaries([service], window)[service.pk]
        standards = standards_of(summary)
        if summary.reporting or standards:
            years.append(Year(window, summary, standards))
    return years


FIGURE_COLUMNS = [
    "fiscal_year",
    "transactions",
    "digital_take_up",
    "completion_rate",
    "user_satisfaction",
    "cost_per_transaction",
    "programme_spending",
    "currency",
    "standards_met",
    "standards_with_target",
]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"  # "1000", "0.8": never "1E+3" or trailing zeros
    return str(value)


def figures_csv(service: Service, years: list[Year]) -> str:
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["service", *FIGURE_COLUMNS])
    for year in years:
        writer.writerow([service.slug, *(_cell(v) for v in year.row().values())])
    return out.getvalue()


def figures_json(service: Service, years: list[Year]) -> dict:
    last = data_up_to(years)
    return {
        "service": service.slug,
        "name": service.name,
        "organisation": service.organisation.name,
        "purpose": service.purpose,
        "serves": service.serves,
        "phase": service.phase,
        "automated_decision_system": service.automated_decision_system,
        "data_up_to": last.isoformat() if last else None,
        "years": [
            {
                **{
                    k: _cell(v) or None
                    for k, v in year.row().items()
                    if k != "standards_with_target"
                },
                "standards_with_target": year.row()["standards_with_target"],
                "standards": [
                    {
                        "name": s.name,
                        "target": _cell(s.target) or None,
                        "performance": _cell(s.performance) or None,
                        "met": s.met,
                    }
                    for s in year.standards
                ],
            }
            for year in years
        ],
    }


# --- The GC Service Inventory's files ---------------------------------------------------------

SI_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_name_en",
    "service_description_en",
    "owner_org",
    "owner_org_title",
    "program_id",
    "program_name_en",
    "service_scope",
    "automated_decision_system",
    "automated_decision_system_description_en",
    *[column for column, _ in STAGES],
    *dict.fromkeys(column for column, _ in VOLUMES),
    "num_applications_total",
    "num_phone_enquiries",
]
SS_COLUMNS = [
    "fiscal_yr",
    "service_id",
    "service_standard_id",
    "service_standard_en",
    "target",
    "performance",
    "target_met",
]
RBPO_COLUMNS = [
    "fy_ef",
    "organization_id",
    "organization",
    "program_id",
    "actual_spending",
    "actual_ftes",
]
ORG_VAR_COLUMNS = ["org_name_variant", "org_id"]


def inventory_id(service: Service) -> str:
    """The service's id in the inventory: its own where it came from one."""
    return service.slug[3:] if service.slug.startswith("gc-") else service.slug


def programme_of(service: Service) -> str:
    return f"SL-{inventory_id(service)}"


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def _write(columns: list[str], rows: list[dict]) -> str:
    """A file of the inventory, every text cell defused as every export's is (a name that
    begins like a formula is published with an apostrophe before it)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {k: csv_safe(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows
    )
    return out.getvalue()


def _standard_row(service, year, key, name, target, value=None) -> dict:
    if target is None:
        met = "NA"
    elif value is None:
        met = "N" if target == 0 else ""  # a target of 0 with NA would read as no target
    else:
        met = "Y" if value >= target else "N"
    return {
        "fiscal_yr": fiscal_label(year[0]),
        "service_id": inventory_id(service),
        "service_standard_id": key[len(STANDARD) :],
        "service_standard_en": name,
        "target": _cell(target),
        "performance": _cell(value),
        "target_met": met,
    }


def _yearly_measurements(ids: list[int]) -> tuple[dict, dict]:
    """Each service's volumes by fiscal year and inventory column, and its standards'
    figures by fiscal year; a period that is not within one fiscal year is left out."""
    volumes: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    standards: dict[tuple, list] = defaultdict(list)
    for service_id, key, name, target, start, end, channel, value in Measurement.objects.filter(
        metric__service_id__in=ids
    ).values_list(
        "metric__service_id",
        "metric__key",
        "metric__name",
        "metric__target",
        "period_start",
        "period_end",
        "channel",
        "value",
    ):
        year = _within_a_year(start, end)
        if year is None:
            continue
        if key == "transactions":
            volumes[service_id, year][COLUMN_OF.get(channel, COLUMN_OF["other"])] += value
        elif key == "contacts":
            volumes[service_id, year]["num_phone_enquiries"] += value
        elif key.startswith(STANDARD):
            standards[service_id, year, key].append((name, target, value))
    return volumes, standards


def _yearly_spending(ids: list[int]) -> dict[tuple, Decimal]:
    """Each service's programme spending (in the inventory's currency) by fiscal year."""
    spending: dict[tuple, Decimal] = defaultdict(Decimal)
    lines = CostLine.objects.filter(
        service_id__in=ids, currency=CURRENCY, category=CostLine.Category.PROGRAMME
    ).values_list("service_id", "period_start", "period_end", "amount")
    for service_id, start, end, amount in lines:
        year = _within_a_year(start, end)
        if year is not None:
            spending[service_id, year] += amount
    return spending


def _inventory_row(service: Service, year, counted: dict) -> dict:
    """The service's line of ``si_2024.csv`` for one fiscal year."""
    organisation = service.organisation
    stages = {stage.name: stage for stage in service.stages.all()}
    channels = {c: v for c, v in counted.items() if c != "num_phone_enquiries"}
    return {
        "fiscal_yr": fiscal_label(year[0]),
        "service_id": inventory_id(service),
        "service_name_en": service.name,
        "service_description_en": service.purpose,
        "owner_org": organisation.slug,
        "owner_org_title": organisation.name,
        "program_id": programme_of(service),
        "program_name_en": f"Spending of {service.name}",
        "service_scope": "EXTERN" if service.kind == Service.Kind.TRANSACTIONAL else "",
        "automated_decision_system": _yes_no(service.automated_decision_system),
        "automated_decision_system_description_en": service.automated_decision_description,
        **{
            column: (("Y" if stages[name].online else "N") if name in stages else "")
            for column, name in STAGES
        },
        **{column: _cell(value) for column, value in channels.items()},
        "num_applications_total": _cell(sum(channels.values())) if channels else "",
        "num_phone_enquiries": _cell(counted.get("num_phone_enquiries")),
    }


def _spending_row(service: Service, year, amount: Decimal) -> dict:
    """The service's line of ``rbpo.csv`` for one fiscal year."""
    return {
        "fy_ef": spending_year(fiscal_label(year[0])),
        "organization_id": service.organisation.slug,
        "organization": service.organisation.name,
        "program_id": programme_of(service),
        "actual_spending": _cell(amount),
        "actual_ftes": "",
    }


def _standard_rows(service: Service, standards: dict, metrics: list, years: list) -> list[dict]:
    """The service's lines of ``ss_2024.csv``: one a year for each standard measured once in
    it (one figure a year is what the inventory holds), and a standard with no figure yet
    with its target, in the latest year."""
    rows, measured = [], set()
    for (pk, year, key), found in sorted(standards.items()):
        if pk != service.pk or len(found) != 1:
            continue
        name, target, value = found[0]
        rows.append(_standard_row(service, year, key, name, target, value))
        measured.add(key)
    for key, name, target in metrics:
        if key not in measured and years:
            rows.append(_standard_row(service, years[-1], key, name, target))
    return rows


def gc_files(services: QuerySet[Service]) -> dict[str, str]:
    """The published services' figures as the GC Service Inventory's four files, by name."""
    services = list(services.prefetch_related("stages").order_by("slug"))
    ids = [s.pk for s in services]
    volumes, standards = _yearly_measurements(ids)
    spending = _yearly_spending(ids)
    standard_metrics: dict[int, list] = defaultdict(list)
    for row in (
        Metric.objects.filter(service_id__in=ids, key__startswith=STANDARD)
        .order_by("key")
        .values_list("service_id", "key", "name", "target")
    ):
        standard_metrics[row[0]].append(row[1:])
    inventory, service_standards, programmes, organisations = [], [], [], {}
    for service in services:
        slug = service.organisation.slug
        organisations[slug] = {"org_name_variant": slug, "org_id": slug}
        years = sorted(
            {year for (pk, year) in volumes if pk == service.pk}
            | {year for (pk, year, _) in standards if pk == service.pk}
            | {year for (pk, year) in spending if pk == service.pk}
        )
        for year in years:
            inventory.append(_inventory_row(service, year, volumes.get((service.pk, year), {})))
            if (service.pk, year) in spending:
                programmes.append(_spending_row(service, year, spending[service.pk, year]))
        metrics = standard_metrics.get(service.pk, [])
        service_standards += _standard_rows(service, standards, metrics, years)
    return {
        "si_2024.csv": _write(SI_COLUMNS, inventory),
        "ss_2024.csv": _write(SS_COLUMNS, service_standards),
        "rbpo.csv": _write(RBPO_COLUMNS, programmes),
        "org_var.csv": _write(ORG_VAR_COLUMNS, list(organisations.values())),
    }
