"""Inserting many validated rows straight into a table, inside the caller's transaction: COPY on
PostgreSQL (psycopg 3), batched ``executemany`` on SQLite. Shared by every import (the entity
directory's ``registry.importing.bulk``, hotline tickets); the callers keep their own ORM
fallback for other backends (``supports_bulk``).

The ids are allocated up front (one statement), so that rows of other tables pointing at the new
rows need no read-back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection

INSERT_BATCH = 5_000
COPY_CHUNK = 5_000  # rows rendered and sent at a time (memory stays flat)
NULL = "\\N"

# COPY's text format: a tab between columns, a newline after each row, \N for NULL, and these
# four characters escaped inside a value.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def supports_bulk() -> bool:
    return connection.vendor in ("postgresql", "sqlite")


def timestamp(value: Any) -> Any:
    """A datetime as the backend's cursor takes it (SQLite: text)."""
    if connection.vendor == "postgresql":
        return value
    return connection.ops.adapt_datetimefield_value(value)


def copy_column(values: list[str]) -> list[str]:
    """A column of text for COPY: escaped only when some value holds a special character (one
    scan of the whole column in C decides; typed text almost never does)."""
    joined = "".join(values)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [v.translate(_COPY_ESCAPES) for v in values]
    return values


def allocate_ids(cursor: Any, table: str, count: int) -> list[int]:
    """``count`` fresh ids of ``table`` (inside the transaction)."""
    if connection.vendor == "postgresql":
        # nextval is safe under concurrency; the ids need not be consecutive.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [int(r[0]) for r in cursor.fetchall()]
    # SQLite: the write transaction (BEGIN IMMEDIATE) holds the database lock, so nothing else
    # can insert in between; AUTOINCREMENT's sqlite_sequence follows explicit ids.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table name
    highest = int(cursor.fetchone()[0])
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    seq = cursor.fetchone()
    first = max(highest, int(seq[0]) if seq else 0) + 1
    return list(range(first, first + count))


def _quoted(columns: Sequence[str]) -> str:
    return ", ".join(connection.ops.quote_name(c) for c in columns)


def write_rows(
    cursor: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in ``columns`` order): COPY with psycopg's adaptation on
    PostgreSQL, ``executemany`` in batches on SQLite."""
    if not rows:
        return
    quoted = _quoted(columns)
    if connection.vendor == "postgresql":
        # the raw psycopg cursor: wrap its errors so a unique violation is an IntegrityError
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for values in rows:
                copy.write_row(values)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
    for chunk in chunks(rows, INSERT_BATCH * 4):
        cursor.executemany(sql, chunk)


def copy_text(cursor: Any, table: str, columns: Sequence[str], parts: Iterable[str]) -> None:
    """PostgreSQL only: COPY ``parts``, text already rendered in COPY's text format (the
    caller escapes free text with ``copy_column``): psycopg's ``write_row`` adapts every value
    of every row separately, the larger part of the CPU of a large import."""
    with (
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({_quoted(columns)}) FROM STDIN") as copy,
    ):
        for text in parts:
            if text:
                copy.write(text)


def rendered(
    rows: Sequence[T], render: Callable[[Sequence[T], int], str], size: int = COPY_CHUNK
) -> Iterator[str]:
    """``render(chunk, start)`` over ``rows`` in chunks of ``size`` (for ``copy_text``)."""
    for start in range(0, len(rows), size):
        yield render(rows[start : start + size], start)
