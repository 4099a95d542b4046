"""Inserting validated import rows straight into the directory's tables (inside the confirming
service's transaction): COPY on PostgreSQL, executemany on SQLite (``fazhi.core.bulk``, shared
with the other imports), the ORM elsewhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection

from fazhi.core import bulk, clock
from fazhi.core.models import Organisation
from fazhi.registry.importing.validation import chunks
from fazhi.registry.models import (
    Entity,
    ImportBatch,
    Licence,
)

INSERT_BATCH = bulk.INSERT_BATCH


_ENTITY_COLUMNS = (
    "id",
    "organisation_id",
    "name",
    "uscc",
    "id_number",
    "is_individual",
    "kind",
    "division_code",
    "address",
    "legal_representative",
    "status",
    "is_active",
    "deactivated_reason",
    "risk_grade",
    "import_batch_id",
    "created_at",
    "updated_at",
)
_LINK_COLUMNS = ("entity_id", "supervisioncategory_id")
_LICENCE_COLUMNS = (
    "entity_id",
    "kind",
    "number",
    "scope",
    "valid_from",
    "valid_to",
    "created_at",
    "updated_at",
)


def bulk_insert(*, organisation: Organisation, rows: list[list[Any]], batch: ImportBatch) -> int:
    """Insert validated rows. Runs inside the confirming service's transaction.

    The rows were validated at staging and re-checked against the directory just before, so the
    insert goes straight to the tables: COPY on PostgreSQL, executemany on SQLite, with the ids
    allocated up front (one statement) so that category links and licences need no read-back.
    The ORM's ``bulk_create`` costs ~60 us per row in model instantiation and per-field
    preparation, more than reading the row from the spreadsheet; other backends still use it."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return _bulk_insert_orm(organisation=organisation, rows=rows, batch=batch)
    entity_table = Entity._meta.db_table
    link_model = Entity.categories.through
    link_table = link_model._meta.db_table
    licence_table = Licence._meta.db_table
    now = clock.now()
    stamp: Any = now if vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        ids = _allocate_ids(cursor, vendor, entity_table, len(rows))
        if vendor == "postgresql":
            _copy_rows(cursor, rows, ids, organisation.pk, batch.pk, now)
            return len(rows)
        entity_rows = [
            (
                ids[n],
                organisation.pk,
                row[0],
                row[1],
                row[2],
                row[3],
                row[4],
                row[6],
                row[7],
                row[8],
                row[9],
                True,
                "",
                row[10],
                batch.pk,
                stamp,
                stamp,
            )
            for n, row in enumerate(rows)
        ]
        link_rows = [(ids[n], category_id) for n, row in enumerate(rows) for category_id in row[5]]
        licence_rows = [
            (ids[n], *row[11][:3], row[11][3], row[11][4], stamp, stamp)
            for n, row in enumerate(rows)
            if row[11] is not None
        ]
        _write(cursor, vendor, entity_table, _ENTITY_COLUMNS, entity_rows)
        _write(cursor, vendor, link_table, _LINK_COLUMNS, link_rows)
        _write(cursor, vendor, licence_table, _LICENCE_COLUMNS, licence_rows)
    return len(rows)


_COPY_CHUNK = bulk.COPY_CHUNK
_NULL = bulk.NULL
_copy_column = bulk.copy_column


def _copy_rows(
    cursor: Any, rows: list[list[Any]], ids: list[int], organisation_id: int, batch_id: int,
    now: dt.datetime,
) -> None:  # fmt: skip
    """The three tables by COPY, each row rendered once in COPY's text format (psycopg's
    ``write_row`` adapts every value of every row separately: the larger part of the confirm's
    CPU for 200,000 rows). Codes, choices and dates are validated text without special
    characters; names, addresses, people and licence text are escaped."""
    stamp = now.isoformat()
    entity_tail = f"\t{batch_id}\t{stamp}\t{stamp}\n"
    licence_tail = f"\t{stamp}\t{stamp}\n"

    def entities(chunk: list[list[Any]], chunk_ids: list[int]) -> str:
        names = _copy_column([r[0] for r in chunk])
        addresses = _copy_column([r[7] for r in chunk])
        people = _copy_column([r[8] for r in chunk])
        return "".join(
            [
                f"{i}\t{organisation_id}\t{name}\t{r[1]}\t{r[2]}\t{'t' if r[3] else 'f'}\t{r[4]}"
                f"\t{r[6]}\t{address}\t{person}\t{r[9]}\tt\t\t{r[10]}{entity_tail}"
                for i, r, name, address, person in zip(
                    chunk_ids, chunk, names, addresses, people, strict=True
                )
            ]
        )

    def links(chunk: list[list[Any]], chunk_ids: list[int]) -> str:
        return "".join([f"{i}\t{c}\n" for i, r in zip(chunk_ids, chunk, strict=True) for c in r[5]])

    def licences(chunk: list[list[Any]], chunk_ids: list[int]) -> str:
        licensed = [(i, r[11]) for i, r in zip(chunk_ids, chunk, strict=True) if r[11] is not None]
        numbers = _copy_column([lic[1] for _, lic in licensed])
        scopes = _copy_column([lic[2] for _, lic in licensed])
        return "".join(
            [
                f"{i}\t{lic[0]}\t{number}\t{scope}\t{lic[3]}\t{lic[4] or _NULL}{licence_tail}"
                for (i, lic), number, scope in zip(licensed, numbers, scopes, strict=True)
            ]
        )

    raw = cursor.cursor
    for table, columns, render in (
        (Entity._meta.db_table, _ENTITY_COLUMNS, entities),
        (Entity.categories.through._meta.db_table, _LINK_COLUMNS, links),
        (Licence._meta.db_table, _LICENCE_COLUMNS, licences),
    ):
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        # the raw psycopg cursor: wrap its errors so a unique violation is an IntegrityError
        with (
            connection.wrap_database_errors,
            raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for start in range(0, len(rows), _COPY_CHUNK):
                end = start + _COPY_CHUNK
                text = render(rows[start:end], ids[start:end])
                if text:
                    copy.write(text)


def _allocate_ids(cursor: Any, vendor: str, table: str, count: int) -> list[int]:
    return bulk.allocate_ids(cursor, table, count)


def _write(
    cursor: Any, vendor: str, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    bulk.write_rows(cursor, table, columns, rows)


def _bulk_insert_orm(
    *, organisation: Organisation, rows: list[list[Any]], batch: ImportBatch
) -> int:
    now = clock.now()
    link_model = Entity.categories.through
    total = 0
    for chunk in chunks(rows, INSERT_BATCH):
        entities = [
            Entity(
                organisation_id=organisation.pk,
                name=row[0],
                uscc=row[1],
                id_number=row[2],
                is_individual=row[3],
                kind=row[4],
                division_code=row[6],
                address=row[7],
                legal_representative=row[8],
                status=row[9],
                risk_grade=row[10],
                import_batch_id=batch.pk,
                created_at=now,
                updated_at=now,
            )
            for row in chunk
        ]
        Entity.objects.bulk_create(entities, batch_size=INSERT_BATCH)
        links = [
            link_model(entity_id=entity.pk, supervisioncategory_id=category_id)
            for entity, row in zip(entities, chunk, strict=True)
            for category_id in row[5]
        ]
        link_model.objects.bulk_create(links, batch_size=INSERT_BATCH)
        licences = [
            Licence(
                entity_id=entity.pk,
                kind=row[11][0],
                number=row[11][1],
                scope=row[11][2],
                valid_from=dt.date.fromisoformat(row[11][3]),
                valid_to=dt.date.fromisoformat(row[11][4]) if row[11][4] else None,
                created_at=now,
                updated_at=now,
            )
            for entity, row in zip(entities, chunk, strict=True)
            if row[11] is not None
        ]
        Licence.objects.bulk_create(licences, batch_size=INSERT_BATCH)
        total += len(entities)
    return total
