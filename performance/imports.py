"""Uploads checked in the request and applied in the background, with progress to watch."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from performance.importers import KINDS, ImportRejected, run_import
from performance.importers.gc_inventory import FILES as GC_FILES
from performance.importers.gc_inventory import import_gc_inventory
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


def start(run: ImportRun, folder: str) -> ImportRun:
    """Mark the run as running and hand it to a worker once this transaction commits."""
    run.outcome = ImportRun.Outcome.RUNNING
    run.summary = {**run.summary, "folder": folder}
    run.progress, run.progress_note = 0, "Waiting for a worker"
    run.save()
    enqueue("performance.tasks.run_import", run_id=run.pk)
    return run


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


def apply_confirmed(run: ImportRun) -> str:
    """Apply a confirmed upload: all of it or, rejected or failed, none of it. The files stay
    while the run may be tried again (the database away for a moment: the task retries) and
    are removed once it has ended, whichever way; a run that failed says why."""
    folder = UPLOADS / Path(run.summary["folder"]).name
    files = {path.name: path.read_bytes() for path in folder.iterdir()}
    run.outcome = ImportRun.Outcome.RUNNING
    try:
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
    except ImportRejected:
        outcome = ImportRun.Outcome.REJECTED
    except OperationalError:
        _report(run, 0, "The database could not be reached: trying again shortly")
        raise  # the task is retried, and finds its files still there
    except Exception as error:
        log.exception("Import run %s failed", run.pk)
        outcome = ImportRun.Outcome.FAILED
        ImportRun.objects.filter(pk=run.pk).update(
            outcome=outcome,
            finished_at=timezone.now(),
            progress=100,
            progress_note="Failed",
            errors=[
                f"the import stopped before changing anything ({failure(error)}); "
                "upload the file again to retry"
            ],
        )
    else:
        outcome = ImportRun.Outcome.APPLIED
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    _report(run, 100, "Failed" if outcome == ImportRun.Outcome.FAILED else "Finished")
    return outcome


def failure(error: Exception) -> str:
    """What went wrong, in a line: a conflict with a change saved at the same moment, or the
    kind of fault."""
    if isinstance(error, IntegrityError):
        return "the same rows were being saved by another change at the same moment"
    return f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
