"""A guard for the whole suite: the application writes its records only through its actions.

Every save, delete, update and bulk write of a model of the three apps is checked against the
call stack. Writes made by the tests themselves (arranging data) pass; a write the application
makes must have an action module (``<app>.actions``) on the stack, unless it is one of the few
records kept by their own module (``KEEPERS``): bookkeeping, not the organisation's records.
"""

import sys
from contextlib import contextmanager

from django.db.models import QuerySet
from django.db.models.signals import pre_delete, pre_save

APPS = {"services", "decisions", "performance"}
PROJECT = {*APPS, "servicelead", "home", "opendata", "api"}  # the modules that may write

# Records that are bookkeeping of the machinery, each written by the one module that keeps it:
# figures versions and the roll-ups (and maturity records) computed from them, the outbox of
# background work, the state of an import run, reminders sent, and a token's last use.
KEEPERS = {
    "services.versions": {"FiguresVersion"},
    "performance.figures.rollups": {"Rollup", "FiguresVersion"},
    "performance.figures.extents": {"DataExtent"},
    "performance.outbox": {"OutboxTask"},
    "performance.imports.runs": {"ImportRun"},
    "performance.imports.record": {"ImportRun"},
    "performance.mail": {"ReminderSent"},
    "api.v1": {"ApiToken"},
    # Each service's maturity as the roll-ups found it; the demo dates its campaign's back.
    "performance.leadership.maturity": {"MaturityRecord"},
    "performance.demo": {"MaturityRecord"},
}


def is_action_module(name: str) -> bool:
    return name.rsplit(".", 1)[-1] == "actions"


def _checked(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in APPS
        and not meta.auto_created  # a many-to-many link, written with its owner
        and not meta.model_name.startswith("historical")  # the audit history, kept by saves
    )


def writer_of(model) -> str | None:
    """The application module that wrote ``model`` outside the actions, if one did."""
    if not _checked(model):
        return None
    modules, deleting = [], set()
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.split(".", 1)[0] in PROJECT and ".migrations." not in name:
            modules.append(name)
        elif name == "django.db.models.deletion" and not modules and not deleting:
            collector = frame.f_locals.get("self")
            deleting = {model.__name__ for model in getattr(collector, "data", ())}
        frame = frame.f_back
    if not modules or any(is_action_module(name) for name in modules):
        return None  # the tests arranging data, or the application through an action
    innermost = modules[0]
    kept = KEEPERS.get(innermost, set())
    if model.__name__ in kept or (deleting and deleting <= kept):
        return None  # a keeper's record, or what its removal unlinks
    return innermost


_active: list[list[str]] = []


@contextmanager
def guarding(found: list[str]):
    """Record in ``found`` every write the application makes outside the actions."""

    def check(model, how: str) -> None:
        if _active[-1] is not found:  # a guard within this one reports instead
            return
        writer = writer_of(model)
        if writer is not None:
            found.append(f"{model.__name__} {how} in {writer}")

    def on_save(sender, **kwargs):
        check(sender, "saved")

    def on_delete(sender, **kwargs):
        check(sender, "deleted")

    def guarded(method, how):
        def wrapper(self, *args, **kwargs):
            check(self.model, how)
            return method(self, *args, **kwargs)

        return wrapper

    originals = {name: getattr(QuerySet, name) for name in ("update", "bulk_create", "bulk_update")}
    _active.append(found)
    uid = f"write-guard-{id(found)}"
    pre_save.connect(on_save, dispatch_uid=uid)
    pre_delete.connect(on_delete, dispatch_uid=uid)
    for name, method in originals.items():
        setattr(QuerySet, name, guarded(method, name.replace("_", " ") + "d"))
    try:
        yield found
    finally:
        _active.pop()
        for name, method in originals.items():
            setattr(QuerySet, name, method)
        pre_save.disconnect(dispatch_uid=uid)
        pre_delete.disconnect(dispatch_uid=uid)
