"""Writes to flow logs, friction, change initiatives and data-quality findings."""

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from decisions.models import DecisionRight, HolderKind, Role
from performance.access import can_change_record
from performance.models import (
    ApiToken,
    Campaign,
    CapacityLog,
    ChangeInitiative,
    DataQualityFinding,
    FrictionPoint,
    Handoff,
    HandoffLog,
    Measurement,
    Metric,
    ReviewNarrative,
    Scenario,
    StageLog,
    TeamInteraction,
)
from performance.queries import journey_handoffs
from servicelead.bulk import copy_rows
from servicelead.conflicts import EditConflict, lock_unchanged, who
from servicelead.history import attribute
from services import versions
from services.actions import records_add, records_change
from services.models import Service, Stage, Team


def service_changed(service_ids) -> None:
    """The services' figures changed: their roll-ups are behind from this transaction's
    commit, and a worker is asked for fresh ones (``performance.figures.rollups``)."""
    versions.changed(service_ids)


@transaction.atomic
def rows_copy(model, fields: tuple[str, ...], rows: list[tuple]) -> int:
    """Append many period rows (measurements; the generated portfolio's logs and costs) as
    fast as the database allows, with no history entry each: the import run they name is
    their record. ``fields`` starts with the row's service or the record it belongs to (a
    metric, stage or hand-off). Returns how many."""
    if not rows:
        return 0
    owner = model._meta.get_field(fields[0].removesuffix("_id")).related_model
    ids = {row[0] for row in rows}
    if owner is not Service:
        ids = set(owner.objects.filter(pk__in=ids).values_list("service_id", flat=True))
    count = copy_rows(model, fields, rows)
    service_changed(ids)
    return count


MEASUREMENT_COLUMNS = (  # a new measurement's columns, in the order ``rows_copy`` takes them
    "metric_id",
    "period_start",
    "period_end",
    "channel",
    "value",
    "import_run_id",
    "recorded_by_id",
    "updated_at",
)


@transaction.atomic
def measurements_write(new: list[tuple], changed: list[Measurement]) -> None:
    """Add ``new`` measurements (rows of ``MEASUREMENT_COLUMNS``) and save the value of
    ``changed`` ones. Measurements are many: each records the import run and user that last
    set it instead of a history entry of its own (the run is the audit record). Each changed
    one names its ``metric_id``."""
    rows_copy(Measurement, MEASUREMENT_COLUMNS, new)
    if changed:
        fields = ["value", "import_run", "recorded_by", "updated_at"]
        Measurement.objects.bulk_update(changed, fields, batch_size=2000)
        # By their metrics (a few), not their ids (as many as the file's rows).
        measured = Metric.objects.filter(pk__in={m.metric_id for m in changed})
        service_changed(set(measured.values_list("service_id", flat=True)))


NOT_LOGGED = "none"  # the version of a week's log that nobody has logged yet


def log_version(log: HandoffLog | StageLog | None) -> str:
    """The version of a week's log as a page shows it, for ``loaded_at``."""
    return log.updated_at.isoformat() if log else NOT_LOGGED


def _changed_since(log: HandoffLog | StageLog | None, loaded_at: str) -> EditConflict | None:
    """Why a page opened at version ``loaded_at`` may not save over ``log``: saved (or first
    logged, or removed) since."""
    if log_version(log) == loaded_at:
        return None
    if log is None:  # removed since: nothing to name
        return EditConflict("", None)
    latest = log.history.select_related("history_user").order_by("-history_id").first()
    return EditConflict(who(latest.history_user if latest else None), log.updated_at)


def _may_overwrite(user, service, log) -> None:
    """Team members change the logs they made; leaders change any (imports pass no user)."""
    if (
        log is not None
        and user is not None
        and not can_change_record(user, service, log.logged_by_id)
    ):
        raise PermissionDenied


def handoffs_make(stages_by_service: dict[int, list[Stage]]) -> dict[tuple[int, int], Handoff]:
    """Save the hand-off of each pair of consecutive stages that has none (for the writers
    that log against them: the team log, imports, the seed); returns them all, keyed by
    (from stage id, to stage id). Saving the same pair at once ends with one row."""
    found = journey_handoffs(stages_by_service)
    missing = [key for key, handoff in found.items() if handoff.pk is None]
    if missing:
        Handoff.objects.bulk_create([found[key] for key in missing], ignore_conflicts=True)
        found = journey_handoffs(stages_by_service)
        # Their creation is on record, as any other record's (a pair two writers saved at the
        # same moment may be recorded by both).
        Handoff.history.bulk_history_create([found[key] for key in missing])
    return found


@dataclass(frozen=True)
class LogEntry:
    """A period's log of a hand-off or a stage, as somebody wants it to read."""

    subject: Handoff | Stage
    period_start: date
    period_end: date
    values: dict  # handed_over, returned, median_wait_hours; or completed, median_process_hours
    loaded_at: str | None = None  # the version a page showed (``log_version``); None: no page


LOG_FIELDS = {
    Handoff: (HandoffLog, "handoff", ["handed_over", "returned", "median_wait_hours"]),
    Stage: (StageLog, "stage", ["completed", "median_process_hours"]),
}


@transaction.atomic
def logs_record(
    entries: list[LogEntry], *, user: AbstractBaseUser | None
) -> list[tuple[HandoffLog | StageLog | None, str | EditConflict]]:
    """Create or update each entry's log: the one write of weekly logs, for the team's
    weekly log and the hand-off and stage CSVs. Returns, per entry, its log and what happened
    ("created", "updated" or "unchanged"), or an ``EditConflict`` where an entry from a page
    would overwrite a log saved since the page was opened (nothing else is refused for it).
    On a page (``loaded_at`` given) team members change only the logs they made. The
    hand-offs and stages logged wait for each other's writers, so two saving the same new
    log at once end with it once."""
    entries = [_saved_handoff(entry) for entry in entries]
    results: dict[int, tuple] = {}
    for kind, (model, link, fields) in LOG_FIELDS.items():
        mine = [(n, e) for n, e in enumerate(entries) if isinstance(e.subject, kind)]
        if not mine:
            continue
        ids = sorted({e.subject.pk for _, e in mine})
        list(kind.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))
        existing = {
            (getattr(log, f"{link}_id"), log.period_start, log.period_end): log
            for log in model.objects.filter(**{f"{link}__in": ids})
        }
        create, update = [], []
        for n, entry in mine:
            key = (entry.subject.pk, entry.period_start, entry.period_end)
            log = existing.get(key)
            wanted = tuple(entry.values[name] for name in fields)
            if log is not None and tuple(getattr(log, name) for name in fields) == wanted:
                results[n] = (log, "unchanged")
                continue
            if entry.loaded_at is not None:
                _may_overwrite(user, entry.subject.service, log)
                conflict = _changed_since(log, entry.loaded_at)
                if conflict is not None:
                    results[n] = (log, conflict)
                    continue
            if log is None:
                log = model(
                    **{link: entry.subject},
                    period_start=entry.period_start,
                    period_end=entry.period_end,
                    logged_by=user,
                )
                existing[key] = log
                create.append(log)
                results[n] = (log, "created")
            else:
                log.updated_at = timezone.now()  # a write in bulk does not set it
                update.append(log)
                results[n] = (log, "updated")
            for name, value in zip(fields, wanted, strict=True):
                setattr(log, name, value)
            log.clean()
        records_add(create, user=user)
        records_change(update, [*fields, "updated_at"], user=user)
    return [results[n] for n in range(len(entries))]


def _saved_handoff(entry: LogEntry) -> LogEntry:
    """The entry, about a saved hand-off: a pair of the journey with nothing logged yet is
    saved now."""
    handoff = entry.subject
    if not isinstance(handoff, Handoff) or handoff.pk:
        return entry
    a, b = handoff.from_stage, handoff.to_stage
    return replace(entry, subject=handoffs_make({handoff.service_id: [a, b]})[a.pk, b.pk])


def handoff_log_record(
    *,
    handoff: Handoff,
    user: AbstractBaseUser | None,
    period_start: date,
    period_end: date,
    handed_over: int,
    returned: int,
    median_wait_hours: Decimal,
    loaded_at: str | None = None,
) -> tuple[HandoffLog, str]:
    """``logs_record`` of one hand-off's log; raises the ``EditConflict``."""
    values = {
        "handed_over": handed_over,
        "returned": returned,
        "median_wait_hours": median_wait_hours,
    }
    entry = LogEntry(handoff, period_start, period_end, values, loaded_at)
    return _one(logs_record([entry], user=user)[0])


def stage_log_record(
    *,
    stage: Stage,
    user: AbstractBaseUser | None,
    period_start: date,
    period_end: date,
    completed: int,
    median_process_hours: Decimal,
    loaded_at: str | None = None,
) -> tuple[StageLog, str]:
    """``logs_record`` of one stage's log; raises the ``EditConflict``."""
    values = {"completed": completed, "median_process_hours": median_process_hours}
    entry = LogEntry(stage, period_start, period_end, values, loaded_at)
    return _one(logs_record([entry], user=user)[0])


def _one(result: tuple) -> tuple:
    log, outcome = result
    if isinstance(outcome, EditConflict):
        raise outcome
    return log, outcome


@transaction.atomic
def friction_save(
    *, point: FrictionPoint, user: AbstractBaseUser | None, loaded_at: str | None = None
) -> FrictionPoint:
    """Raise or change a friction point, unless somebody saved it after ``loaded_at``; a
    hand-off of the journey that has no row yet is saved with it."""
    lock_unchanged(point, loaded_at)
    if point.handoff is not None and point.handoff.pk is None:
        a, b = point.handoff.from_stage, point.handoff.to_stage
        point.handoff = handoffs_make({point.service_id: [a, b]})[a.pk, b.pk]
    if point.pk is None:
        point.raised_by = user
    if point.status == FrictionPoint.Status.RESOLVED and point.resolved_on is None:
        point.resolved_on = timezone.localdate()
    if point.status != FrictionPoint.Status.RESOLVED:
        point.resolved_on = None
    point.full_clean()
    attribute(user, point)
    point.save()
    service_changed([point.service_id])
    return point


@transaction.atomic
def change_save(
    *,
    initiative: ChangeInitiative,
    user: AbstractBaseUser | None,
    stages: list[Stage],
    teams: list[Team],
    loaded_at: str | None = None,
) -> ChangeInitiative:
    """Start or change an initiative, unless somebody saved it after ``loaded_at``."""
    lock_unchanged(initiative, loaded_at)
    initiative.full_clean()
    attribute(user, initiative)
    initiative.save()
    initiative.affected_stages.set(stages)
    initiative.delivering_teams.set(teams)
    service_changed([initiative.service_id])
    return initiative


@transaction.atomic
def narrative_save(
    *, service: Service, window_start: date, window_end: date, text: str, user: AbstractBaseUser
) -> ReviewNarrative:
    """The leader's account of the service for a window, as the review pack shows it."""
    narrative = ReviewNarrative.objects.filter(
        service=service, window_start=window_start, window_end=window_end
    ).first() or ReviewNarrative(service=service, window_start=window_start, window_end=window_end)
    narrative.text, narrative.updated_by = text, user
    narrative.full_clean()
    attribute(user, narrative)
    narrative.save()
    return narrative


def token_hash(key: str) -> str:
    """Tokens are long and random, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


@transaction.atomic
def api_token_issue(
    *, service: Service | None, name: str, user: AbstractBaseUser | None
) -> IssuedToken:
    key = f"sl_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        service=service, name=name, prefix=key[:10], key_hash=token_hash(key), created_by=user
    )
    token.full_clean()
    attribute(user, token)
    token.save()
    return IssuedToken(token, key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        attribute(user, token)
        token.save()


@dataclass(frozen=True)
class Finding:
    """A data-quality finding an import wants on record (see ``DataQualityFinding``)."""

    service_id: int
    kind: str
    subject: str
    message: str
    location: str = ""
    period: tuple[date, date] | None = None
    metric_key: str = ""  # the service's measure it questions, if one


@transaction.atomic
def findings_record(
    *,
    source: str,
    findings: list[Finding],
    service_ids,
    subjects: set[str] | None = None,
    run=None,
) -> dict[str, int]:
    """Replace ``source``'s findings about these services (only those about ``subjects``, when
    given: what an import touched) with ``findings``; unchanged ones are kept as they are.
    Returns created / updated / unchanged / removed counts."""
    existing = DataQualityFinding.objects.filter(source=source, service_id__in=list(service_ids))
    if subjects is not None:
        existing = existing.filter(subject__in=subjects)
    current = {(f.service_id, f.kind, f.subject): f for f in existing}
    wanted = {(f.service_id, f.kind, f.subject): f for f in findings}
    metric_ids = {
        (service_id, key): pk
        for pk, service_id, key in Metric.objects.filter(
            service_id__in={f.service_id for f in findings if f.metric_key},
            key__in={f.metric_key for f in findings if f.metric_key},
        ).values_list("pk", "service_id", "key")
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    create, update = [], []
    for key, finding in wanted.items():
        start, end = finding.period or (None, None)
        values = {
            "message": finding.message,
            "location": finding.location[:200],
            "period_start": start,
            "period_end": end,
            "metric_id": metric_ids.get((finding.service_id, finding.metric_key)),
        }
        found = current.get(key)
        if found is None:
            create.append(
                DataQualityFinding(
                    service_id=finding.service_id,
                    source=source,
                    kind=finding.kind,
                    subject=finding.subject[:200],
                    import_run=run,
                    **values,
                )
            )
            counts["created"] += 1
        elif all(getattr(found, k) == v for k, v in values.items()):
            counts["unchanged"] += 1
        else:
            for name, value in values.items():
                setattr(found, name, value)
            found.import_run = run
            update.append(found)
            counts["updated"] += 1
    gone = [f.pk for key, f in current.items() if key not in wanted]
    DataQualityFinding.objects.filter(pk__in=gone).delete()
    counts["removed"] = len(gone)
    DataQualityFinding.objects.bulk_create(create, batch_size=1000)
    DataQualityFinding.objects.bulk_update(
        update,
        ["message", "location", "period_start", "period_end", "metric", "import_run"],
        batch_size=1000,
    )
    gone_from = {f.service_id for key, f in current.items() if key not in wanted}
    service_changed({f.service_id for f in [*create, *update]} | gone_from)
    return counts


@transaction.atomic
def campaign_launch(*, campaign: Campaign, service_ids: list[int], user) -> Campaign:
    """Launch a campaign over these services (fixed from now on). No figures change."""
    campaign.launched_by = user if user and user.is_authenticated else None
    campaign.launched_on = campaign.launched_on or timezone.localdate()
    campaign.full_clean(exclude=["launched_by"])
    campaign.save()
    campaign.services.set(service_ids)
    return campaign


@transaction.atomic
def campaign_fix_apply(*, campaign: Campaign, fix, user: AbstractBaseUser) -> int:
    """Name each service's leadership team as Decide holder for the rights a campaign's fix
    (``campaigns.fix_preview``) found, each with its history entry. Returns how many."""
    rights = [
        DecisionRight(
            service=service,
            decision_type=row.decision_type,
            band=row.band,
            role=Role.DECIDE,
            holder_kind=HolderKind.LEADERSHIP,
            updated_by=user,
        )
        for service, rows in fix.gaps.items()
        for row in rows
    ]
    # The history keeps a reason of at most 100 characters: a long name is cut short.
    reason = Truncator(campaign.name).chars(100 - len("Campaign “”"))
    records_add(rights, user=user, reason=f"Campaign “{reason}”")
    return len(rights)


# --- Teams as they work together ------------------------------------------------------------


@transaction.atomic
def capacity_record(
    *, team: Team, user: AbstractBaseUser | None, week_start: date, shares: dict[str, int]
) -> tuple[CapacityLog, str]:
    """A team's split of one week's capacity (``CapacityLog.PARTS``, adding up to 100);
    returns the log and "created", "updated" or "unchanged"."""
    log = CapacityLog.objects.select_for_update().filter(team=team, period_start=week_start)
    log = log.first() or CapacityLog(
        team=team, period_start=week_start, period_end=week_start + timedelta(days=6)
    )
    if log.pk and all(getattr(log, part) == shares[part] for part in CapacityLog.PARTS):
        return log, "unchanged"
    outcome = "updated" if log.pk else "created"
    for part in CapacityLog.PARTS:
        setattr(log, part, shares[part])
    log.logged_by = user
    log.full_clean()
    attribute(user, log)
    log.save()
    return log, outcome


@transaction.atomic
def interaction_add(*, interaction: TeamInteraction, user: AbstractBaseUser | None) -> None:
    """Record how two teams on a service's journey work together."""
    interaction.full_clean()
    attribute(user, interaction)
    interaction.save()


@transaction.atomic
def interaction_remove(*, interaction: TeamInteraction, user: AbstractBaseUser | None) -> None:
    attribute(user, interaction)
    interaction.delete()


# --- What-if scenarios ----------------------------------------------------------------------


@transaction.atomic
def scenario_save(*, scenario: Scenario, user: AbstractBaseUser | None) -> Scenario:
    """Keep a scenario with what it predicts now."""
    if scenario.pk is None:
        scenario.created_by = user
    scenario.full_clean()
    attribute(user, scenario)
    scenario.save()
    return scenario


@transaction.atomic
def scenario_delete(*, scenario: Scenario, user: AbstractBaseUser | None) -> None:
    attribute(user, scenario)
    scenario.delete()
