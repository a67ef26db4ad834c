"""Small pieces of SQL that several services build alike."""

from __future__ import annotations


def where_given(query, *conditions):
    """``query`` narrowed by each (column, value) whose value is given (not None or empty)."""
    for column, value in conditions:
        if value:
            query = query.where(column == value)
    return query
