"""Uploads checked in the request and applied in the background, with progress to watch."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

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
        return ImportRun.Outcome.REJECTED
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        _report(run, 100, "Finished")
    return ImportRun.Outcome.APPLIED
