"""What every CSV import shares: read the file, check the header, parse every row, report
every bad row as ``line N, column C: reason``, then apply all rows in one transaction or none.

Each kind (``org``, ``services``, ``stages``, ``stage_logs``, ``handoffs``, ``measurements``,
``costs``) is a module beside this one with a ``CsvKind`` subclass. The command, the upload
page and the API all run the same pipeline through ``run_import``.
"""

import csv
import difflib
import io
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from performance.imports import record
from performance.imports.actions import Finding, findings_record
from performance.models import DataQualityFinding, ImportRun
from performance.windows import EARLIEST, LATEST
from servicelead.text import has_line_break
from services.access import services_led_by
from services.models import Directorate, Organisation, Service, Stage, Team
from services.queries import is_org_admin, visible_services

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    column: str
    reason: str
    unit: str = "line"  # "item" for rows sent as JSON

    def __str__(self) -> str:
        if self.line == 0:
            return f"the file: {self.reason}"
        where = f"{self.unit} {self.line}"
        if self.column:
            where += f", {'field' if self.unit == 'item' else 'column'} {self.column}"
        return f"{where}: {self.reason}"


class ImportRejected(Exception):
    """The file, or some of its rows, cannot be imported; nothing was changed."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in the file")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str, n: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + n)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class Outcome:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    rows: int
    counts: Counts
    details: dict[str, Counts] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    run: ImportRun | None = None


def closest(name: str, candidates) -> str:
    """ " (did you mean “X”?)" when a candidate is close to ``name``, else ""."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f' (did you mean "{matches[0]}"?)' if matches else ""


def decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise ImportRejected([RowError(0, "", "this is not a CSV file: it holds binary data")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [
                RowError(
                    0,
                    "",
                    f"the file is not UTF-8 text (byte {error.start + 1} cannot be read); "
                    'save it as "CSV UTF-8" and try again',
                )
            ]
        ) from None
    nul = text.find("\x00")
    if nul >= 0:  # past the first 8 KB: one stray byte in a text file, named where it is
        line = text.count("\n", 0, nul) + 1
        raise ImportRejected(
            [RowError(line, "", "holds a NUL character, which no CSV cell may hold: remove it")]
        )
    return text


def not_ended(service_id: int, what: str, start: date, end: date) -> Finding:
    """A finding for a record of a period that had not ended when it was imported."""
    return Finding(
        service_id,
        DataQualityFinding.Kind.PERIOD_NOT_ENDED,
        f"{what} {start} to {end}",
        f"{what} for {start} to {end} was imported on {timezone.localdate()}, before the "
        "period ended: it may be partial.",
        period=(start, end),
    )


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: 2.370 has 2, 100 has none."""
    return max(0, -int(value.normalize().as_tuple().exponent))


def places_of(model, field: str) -> int:
    """How many decimal places a model's field stores: the one home of each precision."""
    return model._meta.get_field(field).decimal_places


class Cells:
    """One row's cells, read and checked column by column; problems collect in ``errors``."""

    def __init__(
        self, line: int, values: dict[str, str], errors: list[RowError], unit: str = "line"
    ) -> None:
        self.line, self.values, self.errors, self.unit = line, values, errors, unit
        self.failed = False

    def error(self, column: str, reason: str) -> None:
        self.failed = True
        self.errors.append(RowError(self.line, column, reason, self.unit))

    def text(
        self, column: str, *, required: bool = True, max_length: int = 300, lines: bool = False
    ) -> str:
        """A cell of text; a name (``lines`` False) on one line."""
        value = self.values.get(column, "")
        if required and not value:
            self.error(column, "is empty; it is needed")
        elif len(value) > max_length:
            self.error(column, f"is longer than {max_length} characters")
        elif not lines and has_line_break(value):
            self.error(column, "holds a line break; write it on one line")
        return value

    def whole(self, column: str, *, maximum: int = 10**12) -> int | None:
        raw = self.values.get(column, "")
        try:
            value = int(raw.replace(",", ""))
        except ValueError:
            self.error(column, f'"{raw}" is not a whole number')
            return None
        if value < 0:
            self.error(column, f"{value} is negative; it must be 0 or more")
            return None
        if value > maximum:
            self.error(column, f"{value} is implausibly large")
            return None
        return value

    def decimal(
        self,
        column: str,
        *,
        minimum: Decimal | None = Decimal(0),
        maximum: Decimal | None = Decimal(10**12),
        places: int,
        required: bool = True,
    ) -> Decimal | None:
        """A number with at most ``places`` decimal places (what is stored): a more precise
        value is refused, never rounded."""
        raw = self.values.get(column, "")
        if not raw and not required:
            return None
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            self.error(column, f'"{raw}" is not a number')
            return None
        if not value.is_finite():
            self.error(column, f'"{raw}" is not a number')
            return None
        if minimum is not None and value < minimum:
            self.error(column, f"{raw} is below {minimum}; it must be {minimum} or more")
            return None
        if maximum is not None and value > maximum:
            self.error(column, f"{raw} is above {maximum}; it must be {maximum} or less")
            return None
        if decimal_places(value) > places:
            self.error(
                column,
                f"{raw} has {decimal_places(value)} decimal places; at most {places} are kept, "
                "so give it to that precision",
            )
            return None
        return value

    def iso_date(self, column: str) -> date | None:
        raw = self.values.get(column, "")
        try:
            if not ISO_DATE.fullmatch(raw):
                raise ValueError(raw)
            day = date.fromisoformat(raw)
        except ValueError:
            self.error(column, f'"{raw}" is not a date written YYYY-MM-DD')
            return None
        if not EARLIEST <= day <= LATEST:
            self.error(
                column,
                f"{raw} is outside the years this records ({EARLIEST.year} to {LATEST.year})",
            )
            return None
        return day

    def period(self) -> tuple[date | None, date | None]:
        start, end = self.iso_date("period_start"), self.iso_date("period_end")
        if start and end and end < start:
            self.error("period_end", f"{end} is before the period starts ({start})")
        return start, end

    def choice(self, column: str, choices, *, required: bool = True) -> str:
        value = self.values.get(column, "")
        if not value and not required:
            return ""
        if value not in choices:
            options = ", ".join(choices)
            self.error(column, f'"{value}" is not one of: {options}{closest(value, choices)}')
        return value

    def yes_no(self, column: str) -> bool | None:
        value = self.values.get(column, "").lower()
        if not value:
            return None
        if value not in {"yes", "no"}:
            self.error(column, f'"{self.values[column]}" is not yes or no')
            return None
        return value == "yes"


class Lookups:
    """Organisation, directorate, team, service and stage look-ups for one import, loaded once,
    with the closest existing name offered when a name is unknown."""

    def __init__(self, user: AbstractBaseUser | None) -> None:
        self.user = user
        self._services: dict[str, Service] | None = None
        self._orgs: dict[str, Organisation] | None = None
        self._directorates: dict[tuple[int, str], Directorate] | None = None
        self._teams: dict[tuple[int, str], Team] | None = None
        self._stages: dict[int, dict[str, Stage]] = {}
        self.may_change: set[int] | None = None  # service ids; None: any
        self.may_see: set[int] | None = None
        if user is not None and not is_org_admin(user):
            self.may_change = set(services_led_by(user).values_list("pk", flat=True))
            self.may_see = set(visible_services(user).values_list("pk", flat=True))

    @property
    def services(self) -> dict[str, Service]:
        if self._services is None:
            self._services = {s.slug: s for s in Service.objects.all()}
        return self._services

    def _may_change(self, service_id: int) -> bool:
        return self.may_change is None or service_id in self.may_change

    @property
    def organisations(self) -> dict[str, Organisation]:
        if self._orgs is None:
            self._orgs = {o.name: o for o in Organisation.objects.all()}
        return self._orgs

    def service(self, cells: Cells, column: str = "service") -> Service | None:
        slug = cells.values.get(column, "")
        service = self.services.get(slug)
        if service is None or (self.may_see is not None and service.pk not in self.may_see):
            # A service the user may not see is unknown to them, and never suggested.
            importable = [s for s, found in self.services.items() if self._may_change(found.pk)]
            cells.error(column, f'unknown service "{slug}"{closest(slug, importable)}')
            return None
        if not self._may_change(service.pk):
            cells.error(column, f'you do not lead "{slug}", so you cannot import data for it')
            return None
        return service

    def organisation(self, cells: Cells, column: str = "organisation") -> Organisation | None:
        name = cells.values.get(column, "")
        organisation = self.organisations.get(name)
        if organisation is None:
            cells.error(column, f'unknown organisation "{name}"{closest(name, self.organisations)}')
        return organisation

    def directorate(self, cells: Cells, organisation: Organisation) -> Directorate | None:
        if self._directorates is None:
            self._directorates = {(d.organisation_id, d.name): d for d in Directorate.objects.all()}
        name = cells.values.get("directorate", "")
        directorate = self._directorates.get((organisation.pk, name))
        if directorate is None:
            names = [n for (org, n) in self._directorates if org == organisation.pk]
            cells.error(
                "directorate",
                f'unknown directorate "{name}" in {organisation.name}{closest(name, names)}',
            )
        return directorate

    def team(self, cells: Cells, directorate: Directorate) -> Team | None:
        if self._teams is None:
            self._teams = {(t.directorate_id, t.name): t for t in Team.objects.all()}
        name = cells.values.get("team", "")
        team = self._teams.get((directorate.pk, name))
        if team is None:
            names = [n for (d, n) in self._teams if d == directorate.pk]
            cells.error(
                "team", f'unknown team "{name}" in {directorate.name}{closest(name, names)}'
            )
        return team

    def stages_of(self, service: Service) -> dict[str, Stage]:
        if service.pk not in self._stages:
            self._stages[service.pk] = {s.name: s for s in service.stages.order_by("position")}
        return self._stages[service.pk]

    def stage(self, cells: Cells, service: Service, column: str = "stage") -> Stage | None:
        name = cells.values.get(column, "")
        stages = self.stages_of(service)
        stage = stages.get(name)
        if stage is None:
            cells.error(column, f'unknown stage "{name}" of {service.slug}{closest(name, stages)}')
        return stage


class CsvKind:
    """One kind of CSV: its columns, how a row is read, and how the rows are applied."""

    name: str = ""
    columns: list[str] = []
    optional: list[str] = []
    admin_only: bool = False
    example: dict[str, str] = {}

    def parse(self, cells: Cells, lookups: Lookups):
        """Read one row into a plain object, or record errors on ``cells``."""
        raise NotImplementedError

    def keys(self, parsed) -> list[tuple[str, tuple]]:
        """What must be unique within one file, each as (what it is, key): usually the natural
        key and period. Two rows with one key in one file are an error."""
        raise NotImplementedError

    def apply(self, rows: list, user, run: ImportRun | None) -> Outcome:
        """Write every parsed row (inside the caller's transaction)."""
        raise NotImplementedError

    def findings(self, rows: list) -> tuple[list[Finding], set[str]]:
        """What is questionable in the rows though valid (a period not yet ended, volumes
        that contradict each other), and the subjects the rows are about: findings about
        those subjects from earlier imports of this kind are replaced."""
        return [], set()

    def service_id(self, parsed) -> int | None:
        """The service a parsed row is about, for each service's import history."""
        service = getattr(parsed, "service", None)
        return service.pk if isinstance(service, Service) else None


def _header(reader, kind: CsvKind) -> list[str]:
    """The file's column names, checked against the kind's: every problem at once."""
    try:
        header = next(reader)
    except StopIteration:
        raise ImportRejected(
            [RowError(1, "", "the file is empty; it needs a header row")]
        ) from None
    except csv.Error as error:
        raise ImportRejected([RowError(1, "", f"the header cannot be read: {error}")]) from None
    header = [name.strip().lstrip("\ufeff") for name in header]
    known = set(kind.columns) | set(kind.optional)
    missing = [c for c in kind.columns if c not in header]
    unknown = [c for c in header if c not in known]
    problems = []
    if missing:
        problems.append(
            RowError(
                1, "", f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}"
            )
        )
    if unknown:
        problems.append(
            RowError(
                1,
                "",
                f"unknown column{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(unknown)}; a {kind.name} file has "
                f"{', '.join(kind.columns + kind.optional)}",
            )
        )
    repeated = sorted(c for c, n in Counter(header).items() if n > 1)  # linear in the columns
    if repeated:
        problems.append(RowError(1, "", f"repeated column: {', '.join(repeated)}"))
    if problems:
        raise ImportRejected(problems)
    return header


def read_rows(text: str, kind: CsvKind) -> list[tuple[int, dict[str, str]]]:
    """Rows as (line number, {column: stripped value}); the header is checked first."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(reader, kind)
    rows, errors = [], []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines (trailing ones especially) are fine
            if len(values) != len(header):
                errors.append(
                    RowError(start, "", f"has {len(values)} cells; the header has {len(header)}")
                )
                continue
            rows.append((start, {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as error:
        errors.append(RowError(line + 1, "", f"cannot be read as CSV: {error}"))
    if errors:
        raise ImportRejected(errors)
    return rows


def run_import(
    kind: CsvKind,
    data: bytes,
    *,
    user: AbstractBaseUser | None,
    source: str,
    file_name: str = "",
    dry_run: bool = False,
    run: ImportRun | None = None,
) -> Outcome:
    """Import a CSV file: read it, then run its rows through ``run_rows``. ``run``: an
    import already on record (a confirmed upload running in the background)."""
    run = run or ImportRun(kind=kind.name, source=source, file_name=file_name[:300], user=user)
    try:
        rows = read_rows(decode(data), kind)
    except ImportRejected as rejected:
        record.run_rejected(run, rejected.errors)
        raise
    return run_rows(kind, rows, run=run, user=user, dry_run=dry_run)


def _parsed(kind: CsvKind, rows, lookups: Lookups, unit: str) -> list:
    """Every row parsed, or ImportRejected with every problem: a cell that cannot be read,
    or a row that repeats an earlier one."""
    errors: list[RowError] = []
    parsed, seen = [], {}
    for line, values in rows:
        cells = Cells(line, values, errors, unit)
        item = kind.parse(cells, lookups)
        if cells.failed or item is None:
            continue
        repeats = [(what, seen[key]) for what, key in kind.keys(item) if key in seen]
        if repeats:
            what, first = repeats[0]
            errors.append(
                RowError(
                    line, "", f"repeats {unit} {first} (the same {what}); give each once", unit
                )
            )
            continue
        for _, key in kind.keys(item):
            seen[key] = line
        parsed.append(item)
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([RowError(0, "", "there are no rows to import")])
    return parsed


def _applied(kind: CsvKind, parsed: list, user, run: ImportRun | None) -> Outcome:
    """Apply the parsed rows and record the data-quality findings they raise (``run`` is
    None for a dry run, which the caller rolls back)."""
    outcome = kind.apply(parsed, user, run)
    found, subjects = kind.findings(parsed)
    if found:
        outcome.notes.append(
            f"{len(found)} data-quality finding{'s' if len(found) != 1 else ''}: "
            + "; ".join(f.message.rstrip(".") for f in found[:5])
            + ("; …" if len(found) > 5 else ".")
        )
    if subjects or found:
        findings_record(
            source=f"csv:{kind.name}",
            findings=found,
            service_ids={pk for pk in map(kind.service_id, parsed) if pk is not None},
            subjects=subjects | {f.subject for f in found},
            run=run,
        )
    return outcome


def run_rows(
    kind: CsvKind,
    rows: list[tuple[int, dict[str, str]]],
    *,
    run: ImportRun,
    user: AbstractBaseUser | None,
    dry_run: bool = False,
    unit: str = "line",
) -> Outcome:
    """Parse → validate every row → apply in one transaction; record the run either way.

    Raises ImportRejected, with every problem found, when anything is wrong; nothing is then
    changed but the record of the rejected run.
    """
    try:
        if kind.admin_only and user is not None and not is_org_admin(user):
            raise ImportRejected([RowError(0, "", f"only org admins can import {kind.name} files")])
        parsed = _parsed(kind, rows, Lookups(user), unit)
        run.rows = len(parsed)
        with transaction.atomic():
            if not dry_run:
                one_at_a_time(kind, parsed)
                record.run_begun(run)
            outcome = _applied(kind, parsed, user, None if dry_run else run)
            if dry_run:
                transaction.set_rollback(True)
    except ImportRejected as rejected:
        record.run_rejected(run, rejected.errors)
        raise
    record.run_ended(
        run,
        outcome=ImportRun.Outcome.DRY_RUN if dry_run else ImportRun.Outcome.APPLIED,
        **vars(outcome.counts),
        summary={
            "details": {name: vars(c) for name, c in outcome.details.items()},
            "notes": outcome.notes,
        },
    )
    touched = {pk for pk in map(kind.service_id, parsed) if pk is not None}
    run.services.set(touched)
    outcome.run = run
    return outcome


# What imports that may write any organisation or service (org and service files, the GC
# inventory) share: one of them at a time.
STRUCTURE = "imports of the organisation or the service list"


def one_at_a_time(kind: CsvKind, parsed: list) -> None:
    """Inside the applying transaction, before anything is read: imports writing the same
    services' rows wait for each other, so two sending the same new rows at once end with
    those rows once (the second finds them there), never a unique-key failure. An import of
    the organisation or the service list waits for any other such import."""
    if kind.admin_only:
        lock_everything(STRUCTURE)
        return
    ids = sorted({pk for pk in map(kind.service_id, parsed) if pk is not None})
    list(Service.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))


def lock_everything(what: str) -> None:
    """A lock for the rest of the transaction that ``what`` share (PostgreSQL's advisory
    locks; SQLite lets one writer in at a time anyway)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(what.encode())
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
