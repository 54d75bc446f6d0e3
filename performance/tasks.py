"""Background work. Every task takes ids, fetches what it needs, calls an action, and is safe
to run twice; acks_late with retries and backoff means a worker that dies mid-task leaves the
task to be run again, not lost."""

import logging
from datetime import date

from celery import shared_task
from django.db import OperationalError

from performance import mail, outbox
from performance.figures import rollups
from performance.imports import runs
from performance.models import ImportRun
from services.models import Service

log = logging.getLogger(__name__)

RELIABLE = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@shared_task(**RELIABLE)
def refresh_service_summaries(service_ids: list[int]) -> int:
    """Recompute the roll-ups of services whose data changed."""
    rollups.begin_refresh(service_ids)
    return _refresh(service_ids)


@shared_task(**RELIABLE)
def refresh_all_summaries(behind_only: bool = False) -> int:
    """Nightly, every service's roll-ups (and forget windows no longer offered); every few
    minutes, those of services left behind. In chunks, so no one service holds others up."""
    rollups.begin_refresh()
    if behind_only:
        return _refresh(rollups.behind_ids())
    done = _refresh(list(Service.objects.order_by("pk").values_list("pk", flat=True)))
    rollups.prune()
    return done


def _refresh(ids: list[int]) -> int:
    done = 0
    for first in range(0, len(ids), rollups.CHUNK):
        done += rollups.refresh(ids[first : first + rollups.CHUNK])
    return done


@shared_task(**RELIABLE)
def compute_window(start: str, end: str) -> int:
    """Every service's roll-up of a window a page asked for and did not have."""
    return rollups.compute_window(date.fromisoformat(start), date.fromisoformat(end))


@shared_task(**RELIABLE)
def drain_outbox() -> int:
    sent, waiting = outbox.drain()
    if waiting:
        log.info("Outbox: %s sent, %s still waiting for the broker", sent, waiting)
    return sent


@shared_task(**RELIABLE)
def run_import(run_id: int) -> str:
    """Apply an upload that was checked and confirmed. Runs once: a run already finished is
    left alone, so a redelivered task does nothing twice."""
    run = ImportRun.objects.get(pk=run_id)
    if run.outcome != ImportRun.Outcome.RUNNING:
        return run.outcome
    return runs.apply_confirmed(run)


@shared_task(**RELIABLE)
def check_upload(run_id: int) -> str:
    """Check an uploaded file (a dry run). Runs once, as ``run_import`` does."""
    run = ImportRun.objects.get(pk=run_id)
    if run.outcome != ImportRun.Outcome.RUNNING:
        return run.outcome
    return runs.check_upload(run)


@shared_task(**RELIABLE)
def sweep_imports() -> tuple[int, int, int]:
    return runs.sweep()


@shared_task(**RELIABLE)
def send_reminders() -> int:
    return mail.send_reminders()


@shared_task(**RELIABLE)
def send_weekly_digests() -> int:
    return mail.send_weekly_digests()
