"""Appending many plain rows to a table as fast as the database allows: ``COPY`` on
PostgreSQL, batched inserts elsewhere.

For generated data only (the benchmark portfolio): rows are tuples in the order of the
fields named, and no model code runs for them — no ``save()``, no signals, no audit history,
no defaults — so callers give every column that has no database default and record the load
another way (as an import run).
"""

from collections.abc import Iterable, Sequence
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
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


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
