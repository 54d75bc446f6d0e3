"""The Government of Canada Service Inventory (CONTRACTS.md section 4).

Reads the published files — ``si_2024.csv`` (services), ``ss_2024.csv`` (service standards),
``rbpo.csv`` (programme spending) and ``service_data_dict.json`` (codes and their labels) —
and loads them as organisations, programmes (directorates, each with a delivery team),
services with their online journey stages, channel volumes, standards as metrics with
targets, and programme spending allocated to services. One transaction; run it again and
everything reports unchanged; run a newer snapshot and values update in place.
"""

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from performance.actions import service_changed
from performance.importers.base import Counts, ImportRejected, RowError, decode
from performance.importers.measurements import MeasurementRow, MeasurementsKind
from performance.importers.upsert import plan
from performance.models import CostLine, ImportRun, Metric
from services import versions
from services.models import Directorate, Organisation, Service, Stage, Team

FILES = {
    "inventory": "si_2024.csv",
    "standards": "ss_2024.csv",
    "spending": "rbpo.csv",
    "dictionary": "service_data_dict.json",
}

STAGES = [
    ("os_account_registration", "Account registration"),
    ("os_authentication", "Authentication"),
    ("os_application", "Application"),
    ("os_decision", "Decision"),
    ("os_issuance", "Issuance"),
    ("os_issue_resolution_feedback", "Issue resolution and feedback"),
]
STAGE_NAMES = {name for _, name in STAGES}

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
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return [
            {k.strip().lstrip("\ufeff"): (v or "") for k, v in row.items() if k} for row in reader
        ]
    except csv.Error as error:
        raise ImportRejected([RowError(0, "", f"{name} cannot be read as CSV: {error}")]) from None


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
            run.save()
            outcome = GcLoad(labels, run, user, progress).load(inventory, standards, spending)
    except ImportRejected as rejected:
        run.outcome = ImportRun.Outcome.REJECTED
        run.errors = [str(e) for e in rejected.errors]
        run.finished_at = timezone.now()
        run.save()
        raise
    run.outcome = ImportRun.Outcome.APPLIED
    total = Counts()
    for counts in outcome.counts.values():
        total.created += counts.created
        total.updated += counts.updated
        total.unchanged += counts.unchanged
    run.created, run.updated, run.unchanged = total.created, total.updated, total.unchanged
    run.rows = len(inventory)
    run.summary = {
        "details": {kind: vars(c) for kind, c in outcome.counts.items()},
        "skipped": dict(outcome.skipped),
        "notes": [f"{n} skipped: {reason}" for reason, n in outcome.skipped.items()],
    }
    run.finished_at = timezone.now()
    run.save()
    versions.bump_on_commit([versions.ALL])  # organisations and programmes changed too
    service_changed(run.services.values_list("pk", flat=True))
    outcome.run = run
    return outcome


class GcLoad:
    def __init__(self, labels: Labels, run: ImportRun, user, progress) -> None:
        self.labels, self.run, self.user, self.progress = labels, run, user, progress
        self.outcome = GcOutcome()

    def skip(self, reason: str, n: int = 1) -> None:
        self.outcome.skipped[reason] += n

    # --- the whole load, in order --------------------------------------------------------

    def load(self, inventory, standards, spending) -> GcOutcome:
        rows = self.latest_services(inventory)
        organisations = self.organisations(rows)
        programmes = self.programmes(rows, organisations)
        services = self.services(rows, organisations)
        self.stages(rows, services, programmes)
        self.volumes(rows, services)
        self.standards(standards, services)
        self.spending(spending, rows, services, programmes, organisations)
        self.run.services.set(s.pk for s in services.values())
        return self.outcome

    def latest_services(self, inventory: list[dict]) -> list[dict]:
        """One row per service_id: the latest fiscal year wins."""
        latest: dict[str, dict] = {}
        for row in inventory:
            service_id = row.get("service_id", "").strip()
            if not service_id or not row.get("owner_org", "").strip():
                self.skip("inventory row without a service_id or owner_org")
                continue
            if fiscal_year(row.get("fiscal_yr", "")) is None:
                self.skip("inventory row without a fiscal year written YYYY-YYYY")
                continue
            kept = latest.get(service_id)
            if kept is None or row["fiscal_yr"] > kept["fiscal_yr"]:
                if kept is not None:
                    self.skip("earlier fiscal year of a service (the latest is kept)")
                latest[service_id] = row
            else:
                self.skip("earlier fiscal year of a service (the latest is kept)")
        self.progress(f"{len(latest)} services in the inventory")
        return list(latest.values())

    def organisations(self, rows: list[dict]) -> dict[str, Organisation]:
        counts = self.outcome.count("organisations")
        wanted = {}
        for row in rows:
            code = row["owner_org"].strip()
            wanted.setdefault(code, row["owner_org_title"].split(" | ")[0].strip() or code)
        by_slug = {o.slug: o for o in Organisation.objects.all()}
        by_name = {o.name: o for o in by_slug.values()}
        result = {}
        for code, name in sorted(wanted.items()):
            slug = slugify(code)[:100] or "organisation"
            organisation = by_slug.get(slug) or by_name.get(name)
            if organisation is None:
                organisation = Organisation(name=name, slug=slug, kind=Organisation.Kind.DEPARTMENT)
                organisation._history_user = self.user
                organisation.save()
                counts.add("created")
            elif organisation.name != name and name not in by_name:
                organisation.name = name
                organisation._history_user = self.user
                organisation.save()
                counts.add("updated")
            else:
                counts.add("unchanged")
            result[code] = organisation
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
            or name
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
        result = {}
        for (org_id, code), name in sorted(wanted.items()):
            directorate = existing.get((org_id, code))
            if directorate is None:
                unique = name if name not in names_taken[org_id] else f"{name} ({code})"
                directorate = Directorate(organisation_id=org_id, code=code, name=unique)
                directorate._history_user = self.user
                directorate.save()
                names_taken[org_id].add(unique)
                dir_counts.add("created")
            else:
                dir_counts.add("unchanged")
            team = teams.get(directorate.pk)
            if team is None:
                team = Team(
                    directorate=directorate,
                    name=f"{directorate.name[:280]} delivery",
                    team_type=Team.TeamType.OPERATIONS,
                )
                team._history_user = self.user
                team.save()
                team_counts.add("created")
            else:
                team_counts.add("unchanged")
            team.directorate = directorate
            result[(org_id, code)] = team
        self.progress(f"Programmes: {vars(dir_counts)}")
        return result

    def services(self, rows, organisations) -> dict[str, Service]:
        counts = self.outcome.count("services")
        existing = {s.slug: s for s in Service.objects.filter(slug__startswith="gc-")}
        fields = ["name", "organisation_id", "kind", "purpose", "serves"]
        create, update, result = [], [], {}
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
                "name": (row.get("service_name_en") or row["service_id"]).strip()[:300],
                "organisation_id": organisations[row["owner_org"].strip()].pk,
                "kind": Service.Kind.TRANSACTIONAL if "EXTERN" in scope else Service.Kind.INTERNAL,
                "purpose": row.get("service_description_en", "").strip(),
                "serves": serves,
            }
            service = existing.get(slug)
            if service is None:
                service = Service(slug=slug, phase=Service.Phase.LIVE, **values)
                create.append(service)
                counts.add("created")
            elif all(getattr(service, k) == v for k, v in values.items()):
                counts.add("unchanged")
            else:
                for name, value in values.items():
                    setattr(service, name, value)
                update.append(service)
                counts.add("updated")
            result[row["service_id"]] = service
        if create:
            bulk_create_with_history(create, Service, batch_size=500, default_user=self.user)
            created = {s.slug: s for s in Service.objects.filter(slug__in=[s.slug for s in create])}
            for key, service in result.items():
                if service.pk is None:
                    result[key] = created[service.slug]
        if update:
            bulk_update_with_history(
                update, Service, fields, batch_size=500, default_user=self.user
            )
        self.progress(f"Services: {vars(counts)}")
        return result

    def stages(self, rows, services, programmes) -> None:
        counts = self.outcome.count("stages")
        current: dict[int, dict[str, Stage]] = defaultdict(dict)
        for stage in Stage.objects.filter(service__in=services.values(), name__in=STAGE_NAMES):
            current[stage.service_id][stage.name] = stage
        create, update, fields = [], [], ["position", "online", "team", "channels"]
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
            wanted = [
                (name, row.get(column, "").strip().upper())
                for column, name in STAGES
                if row.get(column, "").strip().upper() in {"Y", "N"}
            ]
            have = current.get(service.pk, {})
            gone = [s for name, s in have.items() if name not in dict(wanted)]
            if gone:
                Stage.objects.filter(pk__in=[s.pk for s in gone]).delete()
                counts.add("updated", len(gone))
            changed, kept = [], []
            for position, (name, value) in enumerate(wanted, start=1):
                online = value == "Y"
                channels = (
                    feedback
                    if name == "Issue resolution and feedback"
                    else (["digital"] if online else [])
                )
                stage = have.get(name)
                if stage is None:
                    create.append(
                        Stage(
                            service=service,
                            position=position,
                            name=name,
                            online=online,
                            team=team,
                            channels=channels,
                        )
                    )
                    counts.add("created")
                elif (stage.position, stage.online, stage.team_id, stage.channels) == (
                    position,
                    online,
                    team.pk if team else None,
                    channels,
                ):
                    kept.append(stage)
                    counts.add("unchanged")
                else:
                    stage.position, stage.online, stage.team, stage.channels = (
                        position,
                        online,
                        team,
                        channels,
                    )
                    changed.append(stage)
                    counts.add("updated")
            if changed or gone:
                # Move the service's stages aside so positions can shift without a clash;
                # every kept stage is then written back at its place.
                Stage.objects.filter(service=service).update(position=F("position") + 100)
                update.extend(changed + kept)
        if update:
            bulk_update_with_history(update, Stage, fields, batch_size=1000, default_user=self.user)
        if create:
            bulk_create_with_history(create, Stage, batch_size=1000, default_user=self.user)
        self.progress(f"Stages: {vars(counts)}")

    def volumes(self, rows, services) -> None:
        measurement_rows = []
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
            for channel, value in by_channel.items():
                measurement_rows.append(
                    MeasurementRow(service, "transactions", *period, value, channel)
                )
            contacts = number(row.get("num_phone_enquiries", ""))
            if contacts is not None and contacts >= 0:
                measurement_rows.append(MeasurementRow(service, "contacts", *period, contacts, ""))
        self._measure(measurement_rows)

    def _measure(self, measurement_rows: list[MeasurementRow]) -> None:
        if not measurement_rows:
            return
        outcome = MeasurementsKind().apply(measurement_rows, self.user, self.run)
        counts = self.outcome.count("measurements")
        counts.created += outcome.counts.created
        counts.updated += outcome.counts.updated
        counts.unchanged += outcome.counts.unchanged
        self.progress(f"Measurements so far: {vars(counts)}")

    def standards(self, standards: list[dict], services: dict[str, Service]) -> None:
        """Each standard: a service-defined metric (higher is better, target from ``target``)
        measured by ``performance`` for the fiscal year."""
        latest: dict[str, dict] = {}
        for row in standards:
            key = row.get("service_standard_id", "").strip()
            if row.get("service_id", "").strip() not in services:
                self.skip("service standard for a service not in the inventory")
                continue
            if not key or fiscal_year(row.get("fiscal_yr", "")) is None:
                self.skip("service standard without an id or a fiscal year")
                continue
            if key not in latest or row["fiscal_yr"] > latest[key]["fiscal_yr"]:
                latest[key] = row
        counts = self.outcome.count("metrics")
        existing = {
            (m.service_id, m.key): m
            for m in Metric.objects.filter(
                service__in=services.values(), key__startswith="standard-"
            )
        }
        create, update, rows = [], [], []
        for key, row in latest.items():
            service = services[row["service_id"].strip()]
            metric_key = f"standard-{slugify(key)}"[:80]
            target = number(row.get("target", ""))
            if target is not None and target > 1:
                target = target / 100  # a few standards give the target as a percentage
            values = {
                "name": (
                    row.get("service_standard_en") or row.get("service_standard_fr") or metric_key
                ).strip()[:200],
                "unit": "share meeting the standard",
                "higher_is_better": True,
                "target": target,
            }
            metric = existing.get((service.pk, metric_key))
            if metric is None:
                create.append(Metric(service=service, key=metric_key, **values))
                counts.add("created")
            elif all(getattr(metric, k) == v for k, v in values.items()):
                counts.add("unchanged")
            else:
                for name, value in values.items():
                    setattr(metric, name, value)
                update.append(metric)
                counts.add("updated")
            performance = number(row.get("performance", ""))
            if performance is None:
                self.skip("service standard without a performance figure (metric kept)")
            else:
                rows.append(
                    MeasurementRow(
                        service, metric_key, *fiscal_year(row["fiscal_yr"]), performance, ""
                    )
                )
        if create:
            bulk_create_with_history(create, Metric, batch_size=1000, default_user=self.user)
        if update:
            bulk_update_with_history(
                update,
                Metric,
                ["name", "unit", "higher_is_better", "target"],
                batch_size=1000,
                default_user=self.user,
            )
        self.progress(f"Standards: {vars(counts)}")
        self._measure(rows)

    def spending(self, spending, rows, services, programmes, organisations) -> None:
        """Programme spending for the year, allocated across the programme's services in
        proportion to their total applications (equally where none are given)."""
        counts = self.outcome.count("cost lines")
        by_code: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in spending:
            by_code[(row.get("fy_ef", "").strip(), row.get("program_id", "").strip())].append(row)
        members: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
        for row in rows:
            for code in codes(row.get("program_id", "")):
                members[(row["owner_org"].strip(), code, row["fiscal_yr"])].append(row)
        wanted = {}
        for (org_code, code, year), service_rows in members.items():
            organisation = organisations[org_code]
            reported = by_code.get((spending_year(year), code), [])
            candidates = (
                reported
                if len(reported) < 2
                else [c for c in reported if c.get("organization", "").strip() == organisation.name]
            )
            if not reported:
                self.skip("programme with no spending row for the year")
                continue
            if len(candidates) != 1:
                self.skip(
                    "programme code reported by several organisations, none named like "
                    "the service's"
                )
                continue
            actual = number(candidates[0].get("actual_spending", ""))
            if actual is None or actual < 0:
                self.skip("programme without actual spending for the year")
                continue
            weights = [
                number(r.get("num_applications_total", "")) or Decimal(0) for r in service_rows
            ]
            equal = not any(weights)
            if equal:
                weights = [Decimal(1)] * len(service_rows)
            driver = f"Share of programme {code} actual spending " + (
                "split equally (no applications given)" if equal else "by total applications"
            )
            for row, amount in zip(service_rows, split(actual, weights), strict=True):
                team = programmes[(organisation.pk, code)]
                key = (services[row["service_id"]].pk, *fiscal_year(year), team.directorate.pk)
                wanted[key] = (amount, driver, organisation, team.directorate)
        existing = {
            (c.service_id, c.period_start, c.period_end, c.directorate_id): c
            for c in CostLine.objects.filter(
                service__in=services.values(),
                currency="CAD",
                allocated=True,
                category=CostLine.Category.OTHER,
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
                currency="CAD",
                category=CostLine.Category.OTHER,
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
        if planned.create:
            bulk_create_with_history(
                planned.create, CostLine, batch_size=1000, default_user=self.user
            )
        if planned.update:
            bulk_update_with_history(
                planned.update,
                CostLine,
                ["amount", "allocation_driver", "import_run"],
                batch_size=1000,
                default_user=self.user,
            )
        for outcome in ("created", "updated", "unchanged"):
            counts.add(outcome, getattr(planned.counts, outcome))
        self.progress(f"Cost lines: {vars(counts)}")


def split(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Shares of ``total`` in proportion to ``weights``, in cents, adding up exactly."""
    total = total.quantize(CENT)
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    shares = [r.quantize(CENT, rounding=ROUND_DOWN) for r in raw]
    left = int((total - sum(shares)) / CENT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in order[:left]:
        shares[i] += CENT
    return shares
