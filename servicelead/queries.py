"""Reads every app shares."""

from django.db.models import QuerySet


def where_given(rows: QuerySet, **lookups) -> QuerySet:
    """``rows`` narrowed by each of a list's filters that was given (an empty one is not)."""
    return rows.filter(**{lookup: value for lookup, value in lookups.items() if value})
