"""Bulk upsert of period records, keeping the audit history of every row it touches."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from performance.importers.base import Counts
from services.actions import records_add, records_change


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


def save(model, planned: Planned, fields: list[str], *, user) -> None:
    """Write the plan: new records and changed ones, each with its history entry."""
    records_add(planned.create, user=user)
    records_change(planned.update, fields, user=user)
