"""Appending many plain rows to a table as fast as the database allows: ``COPY`` on
PostgreSQL, batched inserts elsewhere.

For generated data only (the benchmark portfolio): rows are tuples in the order of the
fields named, and no model code runs for them — no ``save()``, no signals, no audit history,
no defaults — so callers give every column that has no database default and record the load
another way (as an import run).
"""

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db import connection

BATCH = 5000


def copy_rows(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Append ``rows`` to ``model``'s table; returns how many."""
    meta = model._meta
    columns = [meta.get_field(name).column for name in fields]
    if connection.vendor == "postgresql":
        return _copy(meta.db_table, columns, rows)
    return _insert(model, fields, rows)


def _copy(table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        rows = iter(rows)
        while batch := list(islice(rows, BATCH)):
            # COPY's text format, built here: psycopg's per-value adaptation is far slower.
            copy.write("".join("\t".join(map(_text, row)) + "\n" for row in batch))
            count += len(batch)
    return count


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_SPECIAL = re.compile(r"[\\\t\n\r]")
_SEEN: dict = {}  # dates, times, choices, None and booleans repeat: each is formatted once


def _text(value) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is int or kind is Decimal or kind is float:
        return str(value)
    if kind is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    try:
        return _SEEN[value]
    except KeyError:
        if len(_SEEN) > 100_000:
            _SEEN.clear()
        _SEEN[value] = text = _format(value)
        return text


def _format(value) -> str:
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):  # a choice
        return str.translate(value, _ESCAPES)
    if isinstance(value, date):  # and datetime
        return value.isoformat()
    return str(value)


def _insert(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    meta = model._meta
    convert = [meta.get_field(name).to_python for name in fields]
    count = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        model.objects.bulk_create(
            [
                model(**{name: to(v) for name, to, v in zip(fields, convert, row, strict=True)})
                for row in batch
            ]
        )
        count += len(batch)
    return count
