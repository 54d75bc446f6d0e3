"""Uploads checked in the request and applied in the background, with progress to watch."""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from performance.imports import KINDS, ImportRejected, run_import
from performance.imports.gc_inventory import FILES as GC_FILES
from performance.imports.gc_inventory import import_gc_inventory
from performance.models import ImportRun
from performance.outbox import enqueue

log = logging.getLogger(__name__)
UPLOADS = Path(settings.BASE_DIR) / "var" / "uploads"
GC_STEPS = 9  # progress messages the inventory import sends


def store(files: dict[str, bytes]) -> str:
    """Keep uploaded files until the background import reads them; returns their folder."""
    folder = UPLOADS / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / Path(name).name).write_bytes(data)
    return folder.name


def check_later(kind: str, upload: UploadedFile, user) -> ImportRun:
    """Keep an uploaded file and have a worker check it, however large: the run's page shows
    the progress, then what importing the file would do."""
    UPLOADS.mkdir(parents=True, exist_ok=True)
    stored = UPLOADS / f"{uuid.uuid4().hex}.csv"
    with stored.open("wb") as kept:
        for chunk in upload.chunks():
            kept.write(chunk)
    run = ImportRun.objects.create(
        kind=kind,
        source="upload",
        file_name=(upload.name or "upload.csv")[:300],
        user=user,
        outcome=ImportRun.Outcome.RUNNING,
        summary={"upload": stored.name, "checking": True},
        progress_note="Waiting for a worker to check it",
    )
    enqueue("performance.tasks.check_upload", run_id=run.pk)
    return run


def start(run: ImportRun, folder: str) -> ImportRun:
    """Mark the run (new or saved) as running and hand it to a worker once this transaction
    commits."""
    run.outcome = ImportRun.Outcome.RUNNING
    run.summary = {**run.summary, "folder": folder}
    run.progress, run.progress_note = 0, "Waiting for a worker"
    run.save()
    enqueue("performance.tasks.run_import", run_id=run.pk)
    return run


def start_previewed(preview: ImportRun, folder: str) -> ImportRun:
    """Apply a previewed upload, now in ``folder``, as a new run (the preview no longer holds
    the file)."""
    preview.summary = {k: v for k, v in preview.summary.items() if k != "upload"}
    preview.save(update_fields=["summary"])
    run = ImportRun(
        kind=preview.kind, source="upload", file_name=preview.file_name, user=preview.user
    )
    return start(run, folder)


def command_run(kind: str, outcome: str) -> ImportRun:
    """The record of a load by command (the seed), whose rows carry it instead of a history
    entry each."""
    return ImportRun.objects.create(kind=kind, source="command", outcome=outcome)


def command_run_ended(run: ImportRun, *, outcome: str, rows: int) -> None:
    """The command's load ended with ``rows`` added (none: nothing to record)."""
    if not rows and outcome == ImportRun.Outcome.APPLIED:
        run.delete()
        return
    run.outcome, run.rows, run.finished_at = outcome, rows, timezone.now()
    if outcome == ImportRun.Outcome.APPLIED:
        run.created = rows
    run.save()


def progress_of(run: ImportRun) -> tuple[int, str]:
    """How far a running import has got (the import's own transaction is not yet visible)."""
    try:
        found = cache.get(f"import-progress:{run.pk}")
    except Exception:
        found = None
    return tuple(found) if found else (run.progress, run.progress_note)


def _report(run: ImportRun, percent: int, note: str) -> None:
    try:
        cache.set(f"import-progress:{run.pk}", (percent, note), timeout=3600)
    except Exception:  # progress is a courtesy: the import goes on without it
        log.warning("Could not record the progress of import %s", run.pk, exc_info=True)


def _attempt(run: ImportRun, work, failing: str) -> str | None:
    """Do ``work`` for ``run``: None when it went through, else the run's outcome (rejected,
    or failed with why: ``failing`` and the fault). The database away for a moment is raised,
    for the task to retry with the files still there."""
    try:
        work()
    except ImportRejected:
        return ImportRun.Outcome.REJECTED
    except OperationalError:
        _report(run, 0, "The database could not be reached: trying again shortly")
        raise
    except Exception as error:
        log.exception("Import run %s failed", run.pk)
        return _fail(run, f"{failing} ({failure(error)})")
    return None


def apply_confirmed(run: ImportRun) -> str:
    """Apply a confirmed upload: all of it or, rejected or failed, none of it. The files stay
    while the run may be tried again (the database away for a moment: the task retries) and
    are removed once it has ended, whichever way; a run that failed says why."""
    folder = UPLOADS / Path(run.summary["folder"]).name
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    run.outcome = ImportRun.Outcome.RUNNING

    def work() -> None:
        if run.kind == "gc_inventory":
            steps = iter(range(1, GC_STEPS + 1))
            import_gc_inventory(
                {key: files[name] for key, name in GC_FILES.items() if name in files},
                user=run.user,
                source=run.source,
                run=run,
                progress=lambda note: _report(
                    run, min(99, next(steps, GC_STEPS) * 100 // GC_STEPS), note
                ),
            )
        else:
            [data] = files.values()
            _report(run, 10, "Checking every row")
            run_import(
                KINDS[run.kind](),
                data,
                user=run.user,
                source=run.source,
                file_name=run.file_name,
                run=run,
            )

    outcome = _attempt(run, work, "the import stopped before changing anything")
    outcome = outcome or ImportRun.Outcome.APPLIED
    _remove(folder)
    _report(run, 100, "Failed" if outcome == ImportRun.Outcome.FAILED else "Finished")
    return outcome


def check_upload(run: ImportRun) -> str:
    """Check an uploaded file in the background, changing nothing: the run becomes a preview
    of what importing it would do (its file kept for the confirmation), or lists every
    problem found."""
    stored = UPLOADS / Path(run.summary.get("upload", "")).name
    if not stored.is_file():
        return _fail(run, "the uploaded file was no longer there to check")
    _report(run, 10, "Checking every row")
    outcome = _attempt(
        run,
        lambda: run_import(
            KINDS[run.kind](),
            stored.read_bytes(),
            user=run.user,
            source=run.source,
            file_name=run.file_name,
            dry_run=True,
            run=run,
        ),
        "the file could not be checked",
    )
    if outcome is None:  # the check wrote its own summary: keep the file for the confirmation
        run.summary = {**run.summary, "upload": stored.name}
        run.save(update_fields=["summary"])
        outcome = ImportRun.Outcome.DRY_RUN
    else:
        _remove(stored)
        ImportRun.objects.filter(pk=run.pk).update(summary={})
    _report(run, 100, "Checked")
    return outcome


def _fail(run: ImportRun, why: str) -> str:
    ImportRun.objects.filter(pk=run.pk).update(
        outcome=ImportRun.Outcome.FAILED,
        finished_at=timezone.now(),
        progress=100,
        progress_note="Failed",
        errors=[f"{why}; upload the file again to retry"],
    )
    return ImportRun.Outcome.FAILED


def _remove(path: Path) -> None:
    """Remove an upload: one file, or a folder of them."""
    if path.is_dir():
        for inner in path.iterdir():
            inner.unlink(missing_ok=True)
        path.rmdir()
    else:
        path.unlink(missing_ok=True)


def _files_of(run: ImportRun) -> list[Path]:
    return [
        UPLOADS / Path(run.summary[key]).name
        for key in ("folder", "upload")
        if run.summary.get(key)
    ]


def sweep(now: datetime | None = None) -> tuple[int, int, int]:
    """What background work left behind: runs still "running" after the broker would have
    given their task to another worker (its worker died, or the task was lost) are marked
    failed; previews not confirmed within a day, and files no run holds any more, are removed.
    Returns (runs failed, previews expired, files removed)."""
    now = now or timezone.now()
    lost = ImportRun.objects.filter(
        outcome=ImportRun.Outcome.RUNNING,
        started_at__lt=now - timedelta(seconds=settings.IMPORT_LOST_AFTER_SECONDS),
    )
    failed = 0
    for run in lost:
        for path in _files_of(run):
            _remove(path)
        _fail(
            run, "the import stopped before it finished (its worker stopped); nothing was changed"
        )
        failed += 1
    expired = 0
    day_ago = now - timedelta(days=1)
    for run in ImportRun.objects.filter(
        outcome=ImportRun.Outcome.DRY_RUN, finished_at__lt=day_ago, summary__has_key="upload"
    ):
        for path in _files_of(run):
            _remove(path)
        ImportRun.objects.filter(pk=run.pk).update(
            summary={k: v for k, v in run.summary.items() if k != "upload"}
        )
        expired += 1
    held = {
        path.name
        for run in ImportRun.objects.filter(
            outcome__in=[ImportRun.Outcome.RUNNING, ImportRun.Outcome.DRY_RUN]
        ).only("summary")
        for path in _files_of(run)
    }
    removed = 0
    for path in UPLOADS.iterdir() if UPLOADS.is_dir() else ():
        stale = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) < day_ago
        if path.name not in held and stale:
            _remove(path)
            removed += 1
    return failed, expired, removed


def failure(error: Exception) -> str:
    """What went wrong, in a line: a conflict with a change saved at the same moment, or the
    kind of fault."""
    if isinstance(error, IntegrityError):
        return "the same rows were being saved by another change at the same moment"
    return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
