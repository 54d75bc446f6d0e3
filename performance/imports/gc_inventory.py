"""The Government of Canada Service Inventory (CONTRACTS.md section 4).

Reads the published files — ``si_2024.csv`` (services), ``ss_2024.csv`` (service standards),
``rbpo.csv`` (programme spending), ``org_var.csv`` (every name and code of an organisation
with the id ``rbpo.csv`` uses) and ``service_data_dict.json`` (codes and their labels) — and
loads them as organisations (in CAD), programmes (directorates, each with a delivery team),
services with their online journey stages, channel volumes and standards for every fiscal
year in the files, and programme spending joined by organisation id and allocated to
services. What the data itself gets wrong is recorded as data-quality findings beside the
figures. One transaction; run it again and everything reports unchanged; run a newer
snapshot and values update in place.
"""

import csv
import io
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import partial
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from performance.imports import record
from performance.imports.actions import Finding, findings_record
from performance.imports.base import (
    STRUCTURE,
    Counts,
    ImportRejected,
    RowError,
    decode,
    lock_everything,
)
from performance.imports.measurements import MeasurementRow, MeasurementsKind
from performance.imports.upsert import Planned, plan, save
from performance.models import CostLine, DataQualityFinding, ImportRun, Metric
from servicelead import numbers
from servicelead.text import one_line
from services.actions import journeys_replace, records_add, records_change, records_remove
from services.models import Directorate, Organisation, Service, Stage, Team

FILES = {
    "inventory": "si_2024.csv",
    "standards": "ss_2024.csv",
    "spending": "rbpo.csv",
    "organisations": "org_var.csv",
    "dictionary": "service_data_dict.json",
}
SOURCE = "gc_inventory"  # the findings this import records
CURRENCY = "CAD"
Kind = DataQualityFinding.Kind

STAGES = [
    ("os_account_registration", "Account registration"),
    ("os_authentication", "Authentication"),
    ("os_application", "Application"),
    ("os_decision", "Decision"),
    ("os_issuance", "Issuance"),
    ("os_issue_resolution_feedback", "Issue resolution and feedback"),
]
STAGE_NAMES = {name for _, name in STAGES}
YES_NO = {"Y": True, "N": False}
# What the inventory says of each service, kept as it says it on every import.
SERVICE_FIELDS = [
    "name",
    "organisation_id",
    "kind",
    "purpose",
    "serves",
    "automated_decision_system",
    "automated_decision_description",
]

# Inventory volume columns -> our channels (columns sharing a channel are added together).
VOLUMES = [
    ("num_applications_online", "digital"),
    ("num_applications_by_phone", "phone"),
    ("num_applications_in_person", "in_person"),
    ("num_applications_by_mail", "paper"),
    ("num_applications_by_fax", "paper"),
    ("num_applications_by_email", "other"),
    ("num_applications_by_other", "other"),
]
FEEDBACK_CHANNELS = {
    "EML": "other",
    "FAX": "paper",
    "ONL": "digital",
    "OTH": "other",
    "PERSON": "in_person",
    "POST": "paper",
    "TEL": "phone",
}
NOT_GIVEN = {"", "NA", "ND", "N/A"}
CENT = Decimal("0.01")


@dataclass
class GcOutcome:
    counts: dict[str, Counts] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    findings: Counter = field(default_factory=Counter)  # by kind's label
    removed: Counter = field(default_factory=Counter)
    run: ImportRun | None = None

    def count(self, kind: str) -> Counts:
        return self.counts.setdefault(kind, Counts())


def number(raw: str) -> Decimal | None:
    """A published number, or None for "not given" (NA, ND or empty): never zero."""
    text = (raw or "").strip().replace(",", "")
    if text.upper() in NOT_GIVEN:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def visible(text: str) -> str:
    """Text without the invisible format characters the files carry (zero-width spaces
    before some names, which sort them last), stripped."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


def name_of(text: str) -> str:
    """A name as the product shows it: visible, and on one line (a few names in the files
    hold line breaks)."""
    return one_line(visible(text))


def codes(raw: str) -> list[str]:
    """A multi-valued code cell, e.g. "GNC,RES", as its codes."""
    return [code.strip() for code in (raw or "").split(",") if code.strip()]


def fiscal_year(raw: str) -> tuple[date, date] | None:
    """ "2023-2024" -> 1 April 2023 to 31 March 2024."""
    match = re.fullmatch(r"(\d{4})-(\d{4})", (raw or "").strip())
    if not match:
        return None
    return date(int(match[1]), 4, 1), date(int(match[2]), 3, 31)


def spending_year(raw: str) -> str:
    """ "2023-2024" -> "FY 2023-24", as rbpo.csv writes it."""
    start, end = raw.split("-")
    return f"FY {start}-{end[2:]}"


def read_csv(data: bytes, name: str) -> list[dict[str, str]]:
    """The rows of a published CSV; each row also gives its first line in the file as
    ``"_line"`` (quoted cells may span lines)."""
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for row in reader:
            cells = {k.strip().lstrip("\ufeff"): (v or "") for k, v in row.items() if k}
            cells["_line"] = str(line + 1)
            line = reader.line_num
            rows.append(cells)
    except csv.Error as error:
        raise ImportRejected([RowError(0, "", f"{name} cannot be read as CSV: {error}")]) from None
    return rows


def where(name: str, row: dict) -> str:
    return f"{FILES[name]} line {row['_line']}"


def short_year(fiscal: str) -> str:
    """ "2023-2024" -> "2023-24"."""
    start, end = fiscal.split("-")
    return f"{start}-{end[2:]}"


@dataclass
class Labels:
    """English labels of the data dictionary's codes."""

    choices: dict[str, dict[str, str]]

    @classmethod
    def from_json(cls, data: bytes | None) -> "Labels":
        if not data:
            return cls({})
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImportRejected(
                [RowError(0, "", f"the data dictionary is not JSON: {error}")]
            ) from None
        choices: dict[str, dict[str, str]] = {}
        for resource in document.get("resources", []):
            for column in resource.get("fields", []):
                found = column.get("choices")
                if isinstance(found, dict):
                    choices.setdefault(column["id"], {}).update(
                        {
                            code: (label.get("en") if isinstance(label, dict) else str(label))
                            for code, label in found.items()
                        }
                    )
        return cls(choices)

    def of(self, column: str, code: str) -> str:
        return self.choices.get(column, {}).get(code) or code


def read_files(folder: Path) -> dict[str, bytes]:
    found = {}
    for key, name in FILES.items():
        path = folder / name
        if path.exists():
            found[key] = path.read_bytes()
        elif key != "dictionary":
            raise ImportRejected([RowError(0, "", f"{name} is missing from {folder}")])
    return found


def organisation_ids(rows: list[dict]) -> dict[str, str]:
    """Every name variant and code of an organisation (``org_var.csv``) → its id."""
    if rows and not {"org_name_variant", "org_id"} <= rows[0].keys():
        raise ImportRejected(
            [
                RowError(
                    0, "", f"{FILES['organisations']} needs the columns org_name_variant, org_id"
                )
            ]
        )
    return {
        r["org_name_variant"].strip(): r["org_id"].strip()
        for r in rows
        if r["org_name_variant"].strip() and r["org_id"].strip()
    }


def import_gc_inventory(
    files: dict[str, bytes],
    *,
    user=None,
    source: str = "command",
    progress: Callable[[str], None] = lambda message: None,
    run: ImportRun | None = None,
) -> GcOutcome:
    """Import the inventory, all or nothing, and record the run."""
    run = run or ImportRun(
        kind="gc_inventory", source=source, user=user, file_name="GC Service Inventory"
    )
    try:
        progress("Reading the files")
        labels = Labels.from_json(files.get("dictionary"))
        inventory = read_csv(files["inventory"], FILES["inventory"])
        standards = read_csv(files["standards"], FILES["standards"]) if "standards" in files else []
        spending = read_csv(files["spending"], FILES["spending"]) if "spending" in files else []
        if spending and "organisations" not in files:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "",
                        f"{FILES['spending']} needs {FILES['organisations']} beside it: spending "
                        "is joined to organisations by id, never by name",
                    )
                ]
            )
        org_ids = (
            organisation_ids(read_csv(files["organisations"], FILES["organisations"]))
            if "organisations" in files
            else {}
        )
        missing = [
            c
            for c in (
                "service_id",
                "owner_org",
                "owner_org_title",
                "program_id",
                "fiscal_yr",
                "service_name_en",
            )
            if inventory and c not in inventory[0]
        ]
        if not inventory or missing:
            raise ImportRejected(
                [
                    RowError(
                        0,
                        "",
                        f"{FILES['inventory']} lacks the columns: "
                        f"{', '.join(missing) or 'every one (it is empty)'}",
                    )
                ]
            )
        with transaction.atomic():
            # Two imports of the inventory at once would create the same rows: one waits.
            lock_everything(STRUCTURE)
            record.run_begun(run)
            outcome = GcLoad(labels, run, user, progress).load(
                inventory, standards, spending, org_ids
            )
    except ImportRejected as rejected:
        record.run_rejected(run, rejected.errors)
        raise
    total = Counts()
    for counts in outcome.counts.values():
        total.created += counts.created
        total.updated += counts.updated
        total.unchanged += counts.unchanged
    summary = {
        "details": {kind: vars(c) for kind, c in outcome.counts.items()},
        "skipped": dict(outcome.skipped),
        "findings": dict(outcome.findings),
        "notes": [f"{n} skipped: {reason}" for reason, n in outcome.skipped.items()]
        + [f"{n} data-quality findings: {kind}" for kind, n in outcome.findings.items()]
        + [f"{n} {what} removed" for what, n in outcome.removed.items() if n],
    }
    record.run_ended(
        run,
        outcome=ImportRun.Outcome.APPLIED,
        **vars(total),
        rows=len(inventory),
        summary=summary,
    )
    outcome.run = run
    return outcome


def _published_spending(spending) -> tuple[dict, dict]:
    """The spending lines by (organisation id, programme, fiscal year), and the names of the
    organisations publishing each (programme, fiscal year)."""
    published: dict[tuple[str, str, str], dict] = {}
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in spending:
        key = (
            row.get("organization_id", "").strip(),
            row.get("program_id", "").strip(),
            row.get("fy_ef", "").strip(),
        )
        published[key] = row
        owners[key[1:]].add(row.get("organization", "").strip())
    return published, owners


def _allocation(code: str, service_rows: list[dict]) -> tuple[list[Decimal], str]:
    """How a programme's spending is split across its services in a year: by their total
    applications, or equally where none are given; and the words that say so."""
    weights = [number(r.get("num_applications_total", "")) or Decimal(0) for r in service_rows]
    equal = not any(weights)
    if equal:
        weights = [Decimal(1)] * len(service_rows)
    driver = f"Share of programme {code} actual spending " + (
        "split equally (no applications given)" if equal else "by total applications"
    )
    return weights, driver


class GcLoad:
    def __init__(self, labels: Labels, run: ImportRun, user, progress) -> None:
        self.labels, self.run, self.user, self.progress = labels, run, user, progress
        self.outcome = GcOutcome()
        self.findings: list[Finding] = []

    def skip(self, reason: str, n: int = 1) -> None:
        self.outcome.skipped[reason] += n

    def find(self, service: Service, kind: str, subject: str, message: str, **extra) -> None:
        self.findings.append(Finding(service.pk, kind, subject, message, **extra))

    # --- the whole load, in order --------------------------------------------------------

    def load(self, inventory, standards, spending, org_ids) -> GcOutcome:
        rows = self.inventory_rows(inventory)
        latest = self.latest(rows)
        organisations = self.organisations(latest)
        programmes = self.programmes(rows, organisations)
        services = self.services(latest, organisations)
        self.stages(latest, services, programmes)
        self.reused_ids(rows, services)
        unfinished = self.unfinished_years(rows, spending, services)
        self.volumes(rows, services)
        self.standards(standards, services, rows)
        self.spending(spending, rows, services, programmes, organisations, org_ids, unfinished)
        self.staff(spending, organisations, org_ids)
        counts = findings_record(
            source=SOURCE,
            findings=self.findings,
            service_ids=[s.pk for s in services.values()],
            run=self.run,
        )
        self.outcome.count("data-quality findings").created += counts["created"]
        self.outcome.count("data-quality findings").updated += counts["updated"]
        self.outcome.count("data-quality findings").unchanged += counts["unchanged"]
        self.outcome.removed["data-quality findings"] += counts["removed"]
        labels = dict(Kind.choices)
        self.outcome.findings.update(Counter(labels[f.kind] for f in self.findings))
        self.run.services.set(s.pk for s in services.values())
        return self.outcome

    def inventory_rows(self, inventory: list[dict]) -> list[dict]:
        """Every row that names a service, an organisation and a fiscal year."""
        kept = []
        for row in inventory:
            if not row.get("service_id", "").strip() or not row.get("owner_org", "").strip():
                self.skip("inventory row without a service_id or owner_org")
            elif fiscal_year(row.get("fiscal_yr", "")) is None:
                self.skip("inventory row without a fiscal year written YYYY-YYYY")
            else:
                row["service_id"] = row["service_id"].strip()
                row["fiscal_yr"] = row["fiscal_yr"].strip()
                kept.append(row)
        return kept

    def latest(self, rows: list[dict]) -> list[dict]:
        """One row per service_id, its latest fiscal year: the service's descriptive fields."""
        latest: dict[str, dict] = {}
        for row in rows:
            kept = latest.get(row["service_id"])
            if kept is None or row["fiscal_yr"] > kept["fiscal_yr"]:
                latest[row["service_id"]] = row
        self.progress(f"{len(latest)} services in the inventory")
        return list(latest.values())

    def reused_ids(self, rows: list[dict], services: dict[str, Service]) -> None:
        """A service id under two organisations, or twice in one fiscal year."""
        seen: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            seen[row["service_id"]].append(row)
        for service_id, found in seen.items():
            owners = sorted({r["owner_org"].strip() for r in found})
            years = Counter(r["fiscal_yr"] for r in found)
            twice = sorted(year for year, n in years.items() if n > 1)
            if len(owners) > 1 or twice:
                what = (
                    f"under {len(owners)} organisations ({', '.join(owners)})"
                    if len(owners) > 1
                    else f"twice in {', '.join(short_year(y) for y in twice)}"
                )
                self.find(
                    services[service_id],
                    Kind.SERVICE_ID_REUSED,
                    f"service {service_id}",
                    f"Service id {service_id} is used {what}; the latest row's figures are "
                    "kept for each year.",
                    location="; ".join(where("inventory", r) for r in found)[:200],
                )

    def unfinished_years(self, rows, spending, services) -> set[str]:
        """Fiscal years that had not ended when the data was published: rbpo.csv gives
        planned but no actual spending for them (or they end after today)."""
        actuals: dict[str, bool] = defaultdict(bool)
        for row in spending:
            actuals[row.get("fy_ef", "").strip()] |= (
                number(row.get("actual_spending", "")) is not None
            )
        today = timezone.localdate()
        unfinished = {
            row["fiscal_yr"]
            for row in rows
            if fiscal_year(row["fiscal_yr"])[1] >= today
            or (
                spending_year(row["fiscal_yr"]) in actuals
                and not actuals[spending_year(row["fiscal_yr"])]
            )
        }
        for row in rows:
            if row["fiscal_yr"] in unfinished:
                year = short_year(row["fiscal_yr"])
                self.find(
                    services[row["service_id"]],
                    Kind.PERIOD_NOT_ENDED,
                    f"fiscal year {year}",
                    f"Fiscal year {year} had not ended when the data was published (its "
                    "spending has no actuals yet): its volumes may be partial.",
                    location=where("inventory", row),
                    period=fiscal_year(row["fiscal_yr"]),
                )
        return unfinished

    def organisations(self, rows: list[dict]) -> dict[str, Organisation]:
        counts = self.outcome.count("organisations")
        wanted = {}
        for row in rows:
            code = row["owner_org"].strip()
            wanted.setdefault(code, name_of(row["owner_org_title"].split(" | ")[0]) or code)
        by_slug = {o.slug: o for o in Organisation.objects.all()}
        by_name = {o.name: o for o in by_slug.values()}
        result, create, update = {}, [], []
        for code, name in sorted(wanted.items()):
            slug = slugify(code)[:100] or "organisation"
            organisation = by_slug.get(slug) or by_name.get(name)
            if organisation is None:
                organisation = Organisation(
                    name=name, slug=slug, kind=Organisation.Kind.DEPARTMENT, currency=CURRENCY
                )
                create.append(organisation)
                counts.add("created")
            elif (organisation.name != name and name not in by_name) or (
                organisation.currency != CURRENCY
            ):
                if name not in by_name:
                    organisation.name = name
                organisation.currency = CURRENCY
                update.append(organisation)
                counts.add("updated")
            else:
                counts.add("unchanged")
            result[code] = organisation
        records_add(create, user=self.user)
        records_change(update, ["name", "currency"], user=self.user)
        self.progress(f"Organisations: {vars(counts)}")
        return result

    def programme_names(self, row: dict) -> dict[str, str]:
        """Each programme code of a row with its English name (quotes stripped)."""
        found = codes(row.get("program_id", ""))
        names = re.findall(r"'([^']*)'", row.get("program_name_en", ""))
        if len(names) != len(found):
            names = [row.get("program_name_en", "").strip().strip("'\"")] * len(found)
        return {
            code: (
                self.labels.of("program_id", code)
                if code in self.labels.choices.get("program_id", {})
                else None
            )
            or name_of(name)
            or code
            for code, name in zip(found, names, strict=True)
        }

    def programmes(self, rows, organisations) -> dict[tuple[int, str], Team]:
        """Each programme becomes a directorate with one delivery team; keyed by
        (organisation id, programme code), giving the team."""
        dir_counts, team_counts = self.outcome.count("directorates"), self.outcome.count("teams")
        wanted: dict[tuple[int, str], str] = {}
        for row in rows:
            organisation = organisations[row["owner_org"].strip()]
            for code, name in self.programme_names(row).items():
                wanted.setdefault((organisation.pk, code), name[:250])
            if not codes(row.get("program_id", "")):
                self.skip("service without a programme (its stages have no owning team)")
        existing = {(d.organisation_id, d.code): d for d in Directorate.objects.exclude(code="")}
        names_taken = defaultdict(set)
        for d in Directorate.objects.all():
            names_taken[d.organisation_id].add(d.name)
        teams = {t.directorate_id: t for t in Team.objects.filter(name__endswith=" delivery")}
        new_directorates = []
        for (org_id, code), name in sorted(wanted.items()):
            if (org_id, code) in existing:
                dir_counts.add("unchanged")
                continue
            unique = name if name not in names_taken[org_id] else f"{name} ({code})"
            names_taken[org_id].add(unique)
            existing[(org_id, code)] = Directorate(organisation_id=org_id, code=code, name=unique)
            new_directorates.append(existing[(org_id, code)])
            dir_counts.add("created")
        records_add(new_directorates, user=self.user)
        result, new_teams = {}, []
        for key in sorted(wanted):
            directorate = existing[key]
            team = teams.get(directorate.pk)
            if team is None:
                team = Team(
                    directorate=directorate,
                    name=f"{directorate.name[:280]} delivery",
                    team_type=Team.TeamType.OPERATIONS,
                )
                new_teams.append(team)
                team_counts.add("created")
            else:
                team_counts.add("unchanged")
                team.directorate = directorate
            result[key] = team
        records_add(new_teams, user=self.user)
        self.progress(f"Programmes: {vars(dir_counts)}")
        return result

    def services(self, rows, organisations) -> dict[str, Service]:
        counts = self.outcome.count("services")
        existing = {s.slug: s for s in Service.objects.filter(slug__startswith="gc-")}
        planned, result = Planned(counts=counts), {}
        for row in rows:
            slug = f"gc-{slugify(row['service_id'])}"[:100]
            scope = set(codes(row.get("service_scope", "")))
            groups = [
                self.labels.of("client_target_groups", c)
                for c in codes(row.get("client_target_groups", ""))
            ]
            types = [self.labels.of("service_type", c) for c in codes(row.get("service_type", ""))]
            serves = "; ".join(
                part
                for part in [
                    f"Clients: {', '.join(groups)}" if groups else "",
                    f"Service type: {', '.join(types)}" if types else "",
                ]
                if part
            )
            values = {
                "name": name_of(row.get("service_name_en") or row["service_id"])[:300].rstrip(),
                "organisation_id": organisations[row["owner_org"].strip()].pk,
                "kind": Service.Kind.TRANSACTIONAL if "EXTERN" in scope else Service.Kind.INTERNAL,
                "purpose": visible(row.get("service_description_en", "")),
                "serves": serves,
                "automated_decision_system": YES_NO.get(
                    row.get("automated_decision_system", "").strip().upper()
                ),
                "automated_decision_description": visible(
                    row.get("automated_decision_system_description_en", "")
                ),
            }
            result[row["service_id"]] = planned.take(
                existing.get(slug),
                values,
                partial(Service, slug=slug, phase=Service.Phase.LIVE, **values),
            )
        save(planned, SERVICE_FIELDS, user=self.user)
        self.progress(f"Services: {vars(counts)}")
        return result

    def stages(self, rows, services, programmes) -> None:
        counts = self.outcome.count("stages")
        current: dict[int, list[Stage]] = defaultdict(list)
        for stage in Stage.objects.filter(service__in=services.values()).order_by("position"):
            current[stage.service_id].append(stage)
        journeys = {}
        for row in rows:
            service = services[row["service_id"]]
            programme = codes(row.get("program_id", ""))
            team = programmes.get((service.organisation_id, programme[0])) if programme else None
            feedback = sorted(
                {
                    FEEDBACK_CHANNELS[c]
                    for c in codes(row.get("client_feedback_channel", ""))
                    if c in FEEDBACK_CHANNELS
                }
            )
            wanted = {
                name: row.get(column, "").strip().upper() == "Y"
                for column, name in STAGES
                if row.get(column, "").strip().upper() in {"Y", "N"}
            }
            have = {stage.name: stage for stage in current[service.pk]}
            journey = []
            for name, online in wanted.items():
                stage = have.get(name) or Stage(name=name)
                stage.position, stage.online, stage.team = len(journey) + 1, online, team
                stage.channels = (
                    feedback
                    if name == "Issue resolution and feedback"
                    else (["digital"] if online else [])
                )
                journey.append(stage)
            # Stages of the inventory's it no longer gives go; stages added by hand stay after.
            gone = [
                s for s in current[service.pk] if s.name in STAGE_NAMES and s.name not in wanted
            ]
            others = [s for s in current[service.pk] if s.name not in STAGE_NAMES]
            for stage in others:
                stage.position = len(journey) + 1
                journey.append(stage)
            journeys[service.pk] = (journey, gone)
        done = journeys_replace(journeys, user=self.user)
        counts.add("created", len(done["created"]))
        counts.add("updated", len(done["updated"]) + len(done["removed"]))
        counts.add("unchanged", len(done["unchanged"]))
        self.progress(f"Stages: {vars(counts)}")

    def volumes(self, rows, services) -> None:
        """Channel volumes of every fiscal year, each in its own year."""
        measurement_rows: dict[tuple, MeasurementRow] = {}
        for row in rows:
            period = fiscal_year(row["fiscal_yr"])
            service = services[row["service_id"]]
            by_channel: dict[str, Decimal] = {}
            for column, channel in VOLUMES:
                value = number(row.get(column, ""))
                if value is None:
                    continue
                if value < 0:
                    self.skip(f"negative {column}")
                    continue
                by_channel[channel] = by_channel.get(channel, Decimal(0)) + value
            wanted = [("transactions", value, channel) for channel, value in by_channel.items()]
            contacts = number(row.get("num_phone_enquiries", ""))
            if contacts is not None and contacts >= 0:
                wanted.append(("contacts", contacts, ""))
            for key, value, channel in wanted:
                # A service id given twice in a year (a finding says so): the later row wins.
                measurement_rows[(service.pk, key, period, channel)] = MeasurementRow(
                    service, key, *period, value, channel
                )
        self._measure(list(measurement_rows.values()))

    def _measure(self, measurement_rows: list[MeasurementRow]) -> None:
        if not measurement_rows:
            return
        outcome = MeasurementsKind().apply(measurement_rows, self.user, self.run)
        counts = self.outcome.count("measurements")
        counts.created += outcome.counts.created
        counts.updated += outcome.counts.updated
        counts.unchanged += outcome.counts.unchanged
        self.progress(f"Measurements so far: {vars(counts)}")

    def standards(self, standards: list[dict], services: dict[str, Service], rows) -> None:
        """Each standard of each service: a service-defined metric (higher is better, target
        from ``target``; a target of 0 published with ``target_met`` NA is no target),
        measured by ``performance`` for each fiscal year, each in its own year."""
        by_year: dict[tuple[str, str, str], dict] = {}
        for row in standards:
            service_id, key = (
                row.get("service_id", "").strip(),
                row.get("service_standard_id", "").strip(),
            )
            if service_id not in services:
                self.skip("service standard for a service not in the inventory")
                continue
            if not key or fiscal_year(row.get("fiscal_yr", "")) is None:
                self.skip("service standard without an id or a fiscal year")
                continue
            # Standard ids are shared between services: a standard is (service, id).
            by_year[(service_id, key, row["fiscal_yr"].strip())] = row
        latest: dict[tuple[str, str], dict] = {}
        for (service_id, key, _year), row in sorted(by_year.items()):
            latest[(service_id, key)] = row  # the latest year names it and sets its target
        volumes = {
            (r["service_id"], r["fiscal_yr"])
            for r in rows
            if any(number(r.get(column, "")) is not None for column, _ in VOLUMES)
        }
        counts = self.outcome.count("metrics")
        existing = {
            (m.service_id, m.key): m
            for m in Metric.objects.filter(
                service__in=services.values(), key__startswith="standard-"
            )
        }
        planned = Planned(counts=counts)
        for (service_id, key), row in latest.items():
            service = services[service_id]
            metric_key = f"standard-{slugify(key)}"[:80]
            values = {
                "name": name_of(
                    row.get("service_standard_en") or row.get("service_standard_fr") or metric_key
                )[:200].rstrip(),
                "unit": "share meeting the standard",
                "higher_is_better": True,
                "target": self.target(row, service, key),
            }
            planned.take(
                existing.get((service.pk, metric_key)),
                values,
                partial(Metric, service=service, key=metric_key, **values),
            )
        measured = []
        for (service_id, key, year), row in by_year.items():
            service = services[service_id]
            performance = number(row.get("performance", ""))
            self.check_standard(row, service, key, year, (service_id, year) in volumes)
            if performance is None:
                self.skip("service standard without a performance figure (metric kept)")
                continue
            metric_key = f"standard-{slugify(key)}"[:80]
            measured.append(
                MeasurementRow(service, metric_key, *fiscal_year(year), performance, "")
            )
        save(planned, ["name", "unit", "higher_is_better", "target"], user=self.user)
        self.progress(f"Standards: {vars(counts)}")
        self._measure(measured)

    def target(self, row: dict, service: Service, key: str) -> Decimal | None:
        target = number(row.get("target", ""))
        if target == 0 and row.get("target_met", "").strip().upper() in NOT_GIVEN:
            return None  # published as 0 with target_met NA: there is no target
        if target is not None and target > 1:
            self.find(
                service,
                Kind.TARGET_AS_PERCENTAGE,
                f"standard {key} target",
                f"Standard {key} gives its target as {target}: read as {target / 100} "
                "(a share, like every other target).",
                location=where("standards", row),
            )
            return target / 100
        return target

    def check_standard(self, row, service, key, year, service_has_volumes: bool) -> None:
        """Findings about one standard in one year, from its own figures."""
        period, short = fiscal_year(year), short_year(year)
        performance = number(row.get("performance", ""))
        meeting, total = (
            number(row.get("volume_meeting_target", "")),
            number(row.get("total_volume", "")),
        )
        location = where("standards", row)
        if (performance is not None and performance > 1) or (
            meeting is not None and total is not None and meeting > total
        ):
            self.find(
                service,
                Kind.PERFORMANCE_OVER_100,
                f"standard {key} {short}",
                f"Standard {key} in {short}: performance {row.get('performance') or '–'} with "
                f"{row.get('volume_meeting_target') or '–'} of {row.get('total_volume') or '–'} "
                "meeting the target: more than all of them. Kept as published.",
                location=location,
                period=period,
                metric_key=f"standard-{slugify(key)}"[:80],
            )
        target = number(row.get("target", ""))
        met = row.get("target_met", "").strip().upper()
        share = target / 100 if target and target > 1 else target
        if (
            performance is not None
            and share
            and met in {"Y", "N"}
            and ((performance >= share) != (met == "Y"))
        ):
            self.find(
                service,
                Kind.TARGET_MET_CONTRADICTS,
                f"standard {key} {short} target met",
                f"Standard {key} in {short}: published as target "
                f"{'met' if met == 'Y' else 'not met'}, but performance {performance} "
                f"against target {target} says otherwise.",
                location=location,
                period=period,
                metric_key=f"standard-{slugify(key)}"[:80],
            )
        if total and not service_has_volumes:
            self.find(
                service,
                Kind.STANDARD_VOLUME_WITHOUT_SERVICE_VOLUME,
                f"standard {key} {short} volume",
                f"Standard {key} in {short} counts {numbers.number(total)} cases, but the service "
                "gives no volumes for that year.",
                location=location,
                period=period,
            )

    def staff(self, spending, organisations, org_ids) -> None:
        """Each organisation's staff numbers: its programmes' actual FTEs summed, in the
        latest fiscal year that gives any (joined on the organisation id, as spending is)."""
        years: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for row in spending:
            ftes = number(row.get("actual_ftes", ""))
            if ftes is not None:
                years[row.get("organization_id", "").strip()][row.get("fy_ef", "").strip()] += ftes
        changed = []
        for code, organisation in organisations.items():
            by_year = years.get(org_ids.get(code) or "")
            if not by_year:
                continue
            fte = by_year[max(by_year)].quantize(Decimal("0.01"))  # "FY 2023-24" sorts by year
            if fte >= 0 and organisation.staff_fte != fte:
                organisation.staff_fte = fte
                changed.append(organisation)
        records_change(changed, ["staff_fte"], user=self.user)
        self.outcome.count("organisations' staff numbers").updated += len(changed)

    # The join of spending to services: each way a published line can fail to join is a
    # finding of its own, said where it happens.
    def spending(  # noqa: C901
        self, spending, rows, services, programmes, organisations, org_ids, unfinished
    ) -> None:
        """Programme spending for each year, joined on (organisation id, programme, fiscal
        year) — never on names — and allocated across the organisation's services of the
        programme that year in proportion to their total applications (equally where none
        are given). Negative actuals are kept as published."""
        counts = self.outcome.count("cost lines")
        published, owners = _published_spending(spending)
        members: dict[tuple[str, str, str], dict[str, dict]] = defaultdict(dict)
        for row in rows:
            for code in codes(row.get("program_id", "")):
                # keyed by service: a service id given twice in a year counts once
                members[(row["owner_org"].strip(), code, row["fiscal_yr"])][row["service_id"]] = row
        wanted = {}
        for (org_code, code, year), by_service in sorted(members.items()):
            service_rows = list(by_service.values())
            organisation = organisations[org_code]
            org_id = org_ids.get(org_code)
            fy, short = spending_year(year), short_year(year)
            row = published.get((org_id, code, fy)) if org_id else None
            actual = number(row.get("actual_spending", "")) if row else None
            if actual is None:
                if year in unfinished and row is not None:
                    continue  # the year's actuals are not out yet; a finding says so
                elsewhere = sorted(owners.get((code, fy), set()))
                for service_row in service_rows:
                    self.unjoined(
                        services[service_row["service_id"]],
                        organisation,
                        code,
                        year,
                        row,
                        elsewhere,
                        service_row,
                    )
                continue
            if actual < 0:
                for service_row in service_rows:
                    self.find(
                        services[service_row["service_id"]],
                        Kind.NEGATIVE_SPENDING,
                        f"programme {code} {short}",
                        f"Programme {code}'s actual spending in {short} is negative "
                        f"({numbers.money(actual, CURRENCY)}); kept as published.",
                        location=f"{FILES['spending']} line {row['_line']}",
                        period=fiscal_year(year),
                    )
            weights, driver = _allocation(code, service_rows)
            team = programmes[(organisation.pk, code)]
            for service_row, amount in zip(service_rows, split(actual, weights), strict=True):
                key = (
                    services[service_row["service_id"]].pk,
                    *fiscal_year(year),
                    team.directorate.pk,
                )
                wanted[key] = (amount, driver, organisation, team.directorate)
        existing = {
            (c.service_id, c.period_start, c.period_end, c.directorate_id): c
            for c in CostLine.objects.filter(
                service__in=services.values(),
                currency=CURRENCY,
                allocated=True,
                category=CostLine.Category.PROGRAMME,
            )
        }
        planned = plan(
            list(wanted.items()),
            existing,
            key=lambda item: item[0],
            values=lambda item: (item[1][0], item[1][1]),
            build=lambda item: CostLine(
                service_id=item[0][0],
                period_start=item[0][1],
                period_end=item[0][2],
                amount=item[1][0],
                currency=CURRENCY,
                category=CostLine.Category.PROGRAMME,
                spend=CostLine.Spend.RUN,
                organisation=item[1][2],
                directorate=item[1][3],
                allocated=True,
                allocation_driver=item[1][1],
                import_run=self.run,
            ),
            fields=["amount", "allocation_driver"],
            stamp={"import_run": self.run},
        )
        # Spending an earlier import gave and the files no longer do (e.g. another
        # organisation's, once joined by name) goes.
        gone = [line for key, line in existing.items() if key not in wanted]
        records_remove(gone, user=self.user)
        self.outcome.removed["cost lines"] += len(gone)
        records_add(planned.create, user=self.user)
        records_change(
            planned.update, ["amount", "allocation_driver", "import_run"], user=self.user
        )
        for outcome in ("created", "updated", "unchanged"):
            counts.add(outcome, getattr(planned.counts, outcome))
        self.progress(f"Cost lines: {vars(counts)}")

    def unjoined(self, service, organisation, code, year, row, elsewhere, service_row) -> None:
        """A programme the service reports with no spending of its own organisation's."""
        short = short_year(year)
        others = [name for name in elsewhere if row is None or name != row.get("organization")]
        if row is None and others:
            kind = Kind.PROGRAMME_OF_ANOTHER_ORGANISATION
            message = (
                f"Programme {code} has no {short} spending for {organisation.name}; rbpo.csv "
                f"gives it under {', '.join(others)}. No spending allocated: another "
                "organisation's money is never given to this service."
            )
        else:
            kind = Kind.PROGRAMME_WITHOUT_SPENDING
            message = (
                f"Programme {code} has no {short} actual spending published for "
                f"{organisation.name}"
                f"{'' if row else ' (or the organisation is not in org_var.csv)'}; "
                "no spending allocated."
            )
        self.find(
            service,
            kind,
            f"programme {code} {short}",
            message,
            location=where("inventory", service_row),
            period=fiscal_year(year),
        )


def split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Shares of ``total`` in proportion to ``weights``, in cents, adding up exactly."""
    if total < 0:
        return [-share for share in split(-total, weights)]
    total = total.quantize(CENT)
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    left = int((total - sum(shares)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[:left]:
        shares[i] += CENT
    return shares
