"""Bulk upsert of period records, keeping the audit history of every row it touches."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from performance.importers.base import Counts

BATCH = 2000


@dataclass
class Planned:
    create: list
    update: list
    counts: Counts


def plan(
    rows: list,
    existing: dict[Hashable, object],
    *,
    key: Callable,
    values: Callable,
    build: Callable,
    fields: list[str],
    stamp: dict | None = None,
) -> Planned:
    """Split rows into new objects, changed objects and unchanged ones.

    ``key(row)`` is the natural key (matching ``existing``), ``values(row)`` the field values
    in ``fields`` order, and ``build(row)`` a new unsaved object. ``stamp`` is set on changed
    objects too (e.g. which import changed them), without counting as a change itself.
    """
    counts = Counts()
    create, update = [], []
    for row in rows:
        current = existing.get(key(row))
        wanted = values(row)
        if current is None:
            create.append(build(row))
            counts.add("created")
        elif tuple(getattr(current, f) for f in fields) == wanted:
            counts.add("unchanged")
        else:
            for name, value in zip(fields, wanted, strict=True):
                setattr(current, name, value)
            for name, value in (stamp or {}).items():
                setattr(current, name, value)
            update.append(current)
            counts.add("updated")
    return Planned(create, update, counts)


def save(model, planned: Planned, fields: list[str], *, user, history: bool = True) -> None:
    if history:
        if planned.create:
            bulk_create_with_history(planned.create, model, batch_size=BATCH, default_user=user)
        if planned.update:
            bulk_update_with_history(
                planned.update, model, fields, batch_size=BATCH, default_user=user
            )
        return
    model.objects.bulk_create(planned.create, batch_size=BATCH * 2)
    model.objects.bulk_update(planned.update, fields, batch_size=BATCH)
