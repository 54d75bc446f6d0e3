"""Bulk upsert of period records, keeping the audit history of every row it touches."""

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial

from performance.imports.base import Counts
from services.actions import records_add, records_change


@dataclass
class Planned:
    """The records to create and to change, counted as they are planned."""

    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)

    def take(self, current, wanted: dict, build: Callable[[], object], stamp: dict | None = None):
        """Plan one record: ``build()`` when there is none yet, else ``wanted`` set on it where
        it differs (``stamp`` too, without counting as a change). Returns the record."""
        if current is None:
            current = build()
            self.create.append(current)
            self.counts.add("created")
        elif all(getattr(current, name) == value for name, value in wanted.items()):
            self.counts.add("unchanged")
        else:
            for name, value in (wanted | (stamp or {})).items():
                setattr(current, name, value)
            self.update.append(current)
            self.counts.add("updated")
        return current


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
    planned = Planned()
    for row in rows:
        wanted = dict(zip(fields, values(row), strict=True))
        planned.take(existing.get(key(row)), wanted, partial(build, row), stamp)
    return planned


def save(planned: Planned, fields: list[str], *, user) -> None:
    """Write the plan: new records and changed ones, each with its history entry."""
    records_add(planned.create, user=user)
    records_change(planned.update, fields, user=user)
