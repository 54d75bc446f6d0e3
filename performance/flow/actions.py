"""Writes of the flow logs (hand-offs and stages, week by week), capacity and team
interactions."""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from performance.access import can_change_record
from performance.flow.queries import journey_handoffs
from performance.models import (
    CapacityLog,
    Handoff,
    HandoffLog,
    StageLog,
    TeamInteraction,
)
from servicelead.calendar import week_of
from servicelead.conflicts import EditConflict, who
from servicelead.history import attribute
from services.actions import records_add, records_change
from services.models import Stage, Team

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
def capacity_record(
    *, team: Team, user: AbstractBaseUser | None, week_start: date, shares: dict[str, int]
) -> tuple[CapacityLog, str]:
    """A team's split of one week's capacity (``CapacityLog.PARTS``, adding up to 100);
    returns the log and "created", "updated" or "unchanged"."""
    log = CapacityLog.objects.select_for_update().filter(team=team, period_start=week_start)
    log = log.first() or CapacityLog(
        team=team, period_start=week_start, period_end=week_of(week_start)[1]
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
