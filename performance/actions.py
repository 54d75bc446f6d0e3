"""Writes to flow logs, friction, change initiatives and data-quality findings."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from performance.access import can_change_record
from performance.models import (
    ApiToken,
    ChangeInitiative,
    DataQualityFinding,
    FrictionPoint,
    Handoff,
    HandoffLog,
    Metric,
    StageLog,
)
from performance.queries import journey_handoffs
from servicelead.conflicts import EditConflict, lock_unchanged, who
from services import versions
from services.models import Service, Stage, Team


def service_changed(service_ids) -> None:
    """The services' figures changed: their roll-ups are behind from this transaction's
    commit, and a worker is asked for fresh ones (``performance.rollups``)."""
    versions.changed(service_ids)


NOT_LOGGED = "none"  # the version of a week's log that nobody has logged yet


def log_version(log: HandoffLog | StageLog | None) -> str:
    """The version of a week's log as a page shows it, for ``loaded_at``."""
    return log.updated_at.isoformat() if log else NOT_LOGGED


def _unchanged_since(log: HandoffLog | StageLog | None, loaded_at: str | None) -> None:
    """Refuse to save over a log saved (or first logged) since the page showing it was
    opened at version ``loaded_at``; None (an import): no check."""
    if loaded_at is None or log_version(log) == loaded_at:
        return
    if log is None:  # removed since: nothing to name
        raise EditConflict("", None)
    latest = log.history.select_related("history_user").order_by("-history_id").first()
    raise EditConflict(who(latest.history_user if latest else None), log.updated_at)


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
    missing = [handoff for handoff in found.values() if handoff.pk is None]
    if missing:
        Handoff.objects.bulk_create(missing, ignore_conflicts=True)
        found = journey_handoffs(stages_by_service)
    return found


@transaction.atomic
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
    """Create or update the hand-off's log for the period; returns it and what happened
    ("created", "updated" or "unchanged"). Writes of the same hand-off wait for each other,
    so two saving the same new row at once end with it once; a page's save refuses to
    overwrite a log saved since it was opened (``loaded_at``)."""
    if handoff.pk is None:  # the journey's pair has had nothing logged yet
        handoff = handoffs_make({handoff.service_id: [handoff.from_stage, handoff.to_stage]})[
            handoff.from_stage_id, handoff.to_stage_id
        ]
    Handoff.objects.select_for_update().filter(pk=handoff.pk).values("pk").first()
    log = HandoffLog.objects.filter(
        handoff=handoff, period_start=period_start, period_end=period_end
    ).first()
    _may_overwrite(user, handoff.service, log)
    values = (handed_over, returned, median_wait_hours)
    if log is not None and (log.handed_over, log.returned, log.median_wait_hours) == values:
        return log, "unchanged"
    _unchanged_since(log, loaded_at)
    outcome = "updated" if log else "created"
    service_changed([handoff.service_id])
    log = log or HandoffLog(
        handoff=handoff, period_start=period_start, period_end=period_end, logged_by=user
    )
    log.handed_over, log.returned, log.median_wait_hours = values
    log.full_clean(validate_unique=False, validate_constraints=False)
    log._history_user = user
    log.save()
    return log, outcome


@transaction.atomic
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
    """As ``handoff_log_record``, for a stage's log."""
    Stage.objects.select_for_update().filter(pk=stage.pk).values("pk").first()
    log = StageLog.objects.filter(
        stage=stage, period_start=period_start, period_end=period_end
    ).first()
    _may_overwrite(user, stage.service, log)
    values = (completed, median_process_hours)
    if log is not None and (log.completed, log.median_process_hours) == values:
        return log, "unchanged"
    _unchanged_since(log, loaded_at)
    outcome = "updated" if log else "created"
    service_changed([stage.service_id])
    log = log or StageLog(
        stage=stage, period_start=period_start, period_end=period_end, logged_by=user
    )
    log.completed, log.median_process_hours = values
    log.full_clean(validate_unique=False, validate_constraints=False)
    log._history_user = user
    log.save()
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
    point._history_user = user
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
    initiative._history_user = user
    initiative.save()
    initiative.affected_stages.set(stages)
    initiative.delivering_teams.set(teams)
    service_changed([initiative.service_id])
    return initiative


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
    token._history_user = user
    token.save()
    return IssuedToken(token, key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user: AbstractBaseUser | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = user
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
    return counts
