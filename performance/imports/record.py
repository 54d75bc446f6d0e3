"""The record of an import run as the importers keep it, written here only: begun (inside the
import's transaction), ended with what it did, or rejected with its problems. What happens
to a run in the background (queued, its progress, failed) is kept by ``runs``."""

from django.utils import timezone

from performance.models import ImportRun

MAX_ERRORS_KEPT = 1000  # the problems a rejected run keeps (the page says so)


def run_begun(run: ImportRun) -> None:
    run.save()


def run_ended(
    run: ImportRun,
    *,
    outcome: str,
    created: int,
    updated: int,
    unchanged: int,
    summary: dict,
    rows: int | None = None,
) -> None:
    """The run is over: what it did (or, for a dry run, would do)."""
    run.outcome = outcome
    run.created, run.updated, run.unchanged = created, updated, unchanged
    if rows is not None:
        run.rows = rows
    run.summary = summary
    run.finished_at = timezone.now()
    run.save()


def run_rejected(run: ImportRun, problems: list) -> None:
    """The run was rejected: its problems are kept (the first ``MAX_ERRORS_KEPT``), and
    nothing else of it."""
    run.outcome = ImportRun.Outcome.REJECTED
    run.errors = [str(e) for e in problems[:MAX_ERRORS_KEPT]]
    run.finished_at = timezone.now()
    run.save()
