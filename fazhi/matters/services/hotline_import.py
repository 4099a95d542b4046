"""Services: importing a hotline platform's Excel export (热线工单导入), all rows or none.

Every row is checked in one pass (``hotline_import.validate_rows``: row, column, reason). A file
with any error imports nothing: the attempt is kept (``HotlineImport`` with its first errors) for
the page that lists them. A clean file is written in one transaction: the matters, their ticket
rows and their service-level deadlines (computed once per ticket type and receipt day, the same
computation as ``deadline_attach``), by COPY on PostgreSQL and batched inserts on SQLite, with one
audit event for the import. A ticket whose platform and number are already registered is skipped
and listed with its row (decision 0070): a platform's exports overlap, and re-importing one must
neither duplicate nor block the new tickets.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fazhi.core import audit, bulk, clock, errors, import_limits, jobs, spreadsheets
from fazhi.core import calendar as workcal
from fazhi.core.models import Deadline, Organisation, User
from fazhi.core.periods import deadline_outcome
from fazhi.matters.events import HotlineEvent
from fazhi.matters.hotline_import import Row, Validation, row_layout, validate_rows
from fazhi.matters.hotline_models import HotlineImport, HotlinePlatform, HotlineTicket
from fazhi.matters.models import Category, Channel, Matter, MatterKind, MatterState, RequesterKind
from fazhi.matters.services._common import choice, require_handle
from fazhi.matters.services.hotline import check_service_level, service_level_key, ticket_title

SKIPPED_KEPT = 1_000
REHANDLE_MESSAGE = "平台标记为重办：该工单已登记，导入不改变其状态，请在工单页面办理重办。"
LOOKUP_CHUNK = 5_000


def hotline_import(
    *,
    actor: User,
    organisation: Organisation,
    platform: str,
    file_name: str,
    content: bytes,
    progress: jobs.Progress | None = None,
) -> HotlineImport:
    """Read a platform export and import its tickets (or, with any error, none of them)."""
    require_handle(actor, organisation, action=HotlineEvent.IMPORTED)
    platform = choice(platform, HotlinePlatform.values, field="platform", label="来源平台")
    file_format = spreadsheets.detect_format(file_name, content)
    import_limits.check_file(content, xlsx=file_format in spreadsheets.ZIP_FORMATS)
    sheet = spreadsheets.read_sheet(content, file_name)
    rows: Iterable[Sequence[Any]] = import_limits.limit_rows(sheet.rows)
    if progress is not None:
        rows = jobs.counted(
            rows,
            progress,
            message="正在读取并校验每一行",
            total=lambda: sheet.total,
            then="正在核对已导入的工单",
        )
    result = validate_rows(rows, date1904=sheet.date1904, now=clock.now())
    return hotline_import_rows(
        actor=actor,
        organisation=organisation,
        platform=platform,
        file_name=file_name,
        file_hash=hashlib.sha256(content).hexdigest(),
        result=result,
        progress=progress,
    )


def hotline_import_rows(
    *,
    actor: User,
    organisation: Organisation,
    platform: str,
    file_name: str,
    file_hash: str,
    result: Validation,
    progress: jobs.Progress | None = None,
) -> HotlineImport:
    """Import rows already checked (``validate_rows``): the file's import, and the demo's."""
    require_handle(actor, organisation, action=HotlineEvent.IMPORTED)
    if result.errors.total:
        return _record(
            actor=actor,
            organisation=organisation,
            platform=platform,
            file_name=file_name,
            file_hash=file_hash,
            result=result,
        )
    for ticket_type in {r.ticket_type for r in result.rows}:
        earliest = min(r.received_on for r in result.rows if r.ticket_type == ticket_type)
        check_service_level(organisation, ticket_type, earliest)
    fresh, skipped = _split_known(platform, result.rows)
    if progress is not None:
        progress(0, len(fresh), "正在一次性写入工单（全部成功或全部不写入）")
    try:
        with transaction.atomic(durable=True):
            batch = HotlineImport.objects.create(
                organisation=organisation,
                platform=platform,
                file_name=file_name[:255],
                file_hash=file_hash,
                row_count=result.row_count,
                imported=len(fresh),
                skipped=len(skipped),
                skipped_rows=skipped[:SKIPPED_KEPT],
                rehandle_marked=sum(1 for s in skipped if s.get("rehandle")),
                created_by=actor,
            )
            if fresh:
                workcal.lock_revision()
                _insert(actor=actor, organisation=organisation, batch=batch, rows=fresh)
            audit.append(
                actor=actor,
                action=HotlineEvent.IMPORTED,
                obj=batch,
                details={
                    "platform": platform,
                    "file_name": batch.file_name,
                    "file_hash": file_hash,
                    "rows": result.row_count,
                    "imported": len(fresh),
                    "skipped": len(skipped),
                    "rehandle_marked": batch.rehandle_marked,
                },
            )
    except IntegrityError as exc:  # a ticket registered by someone else while importing
        raise errors.Conflict(
            "导入时发现其中的工单已被登记，未导入任何工单，请重新导入。", code="tickets_changed"
        ) from exc
    if progress is not None:
        progress(len(fresh), len(fresh), "写入完成")
    return batch


def _record(
    *,
    actor: User,
    organisation: Organisation,
    platform: str,
    file_name: str,
    file_hash: str,
    result: Validation,
) -> HotlineImport:
    """A file with errors: nothing imported, the attempt and its first errors kept."""
    with transaction.atomic(durable=True):
        batch = HotlineImport.objects.create(
            organisation=organisation,
            platform=platform,
            file_name=file_name[:255],
            file_hash=file_hash,
            row_count=result.row_count,
            error_count=result.errors.total,
            errors=result.errors.kept,
            created_by=actor,
        )
        audit.append(
            actor=actor,
            action=HotlineEvent.IMPORTED,
            obj=batch,
            details={
                "platform": platform,
                "file_name": batch.file_name,
                "file_hash": file_hash,
                "rows": result.row_count,
                "imported": 0,
                "errors": result.errors.total,
            },
        )
    return batch


def _split_known(platform: str, rows: list[Row]) -> tuple[list[Row], list[dict[str, Any]]]:
    """The rows whose ticket is new, and the rows skipped as already registered. The platform's
    tickets between the file's lowest and highest number are read through the unique index
    (one range scan, one column: an export covers a span of numbers), not a lookup per number."""
    if not rows:
        return rows, []
    numbers = {r.ticket_no for r in rows}
    in_range = (
        HotlineTicket.objects.filter(
            platform=platform, ticket_no__gte=min(numbers), ticket_no__lte=max(numbers)
        )
        .values_list("ticket_no", flat=True)
        .iterator(chunk_size=LOOKUP_CHUNK)
    )
    known = numbers.intersection(in_range)
    if not known:
        return rows, []
    fresh = [r for r in rows if r.ticket_no not in known]
    marked = {r.ticket_no for r in rows if r.rehandle and r.ticket_no in known}
    matters = (
        dict(
            HotlineTicket.objects.filter(platform=platform, ticket_no__in=marked).values_list(
                "ticket_no", "matter_id"
            )
        )
        if marked
        else {}
    )
    # the rows the platform marks 重办 first, so that the kept list never drops them
    skipped = [
        {
            "row": r.number,
            "ticket_no": r.ticket_no,
            "rehandle": True,
            "matter": matters.get(r.ticket_no),
            "message": REHANDLE_MESSAGE,
        }
        for r in rows
        if r.ticket_no in marked
    ] + [
        {"row": r.number, "ticket_no": r.ticket_no, "message": "该工单编号已导入，已跳过。"}
        for r in rows
        if r.ticket_no in known and r.ticket_no not in marked
    ]
    return fresh, skipped


_MATTER_VARYING = (
    "id",
    "submitted_on",
    "received_on",
    "requester_kind",
    "requester_name",
    "requester_contact",
    "title",
    "content",
)
_TICKET_VARYING = (
    "matter_id",
    "ticket_no",
    "ticket_type",
    "called_at",
    "platform_due",
    "handling_unit",
)
_DEADLINE_VARYING = (
    "id",
    "title",
    "rule_key",
    "start_date",
    "due_date",
    "state",
    "warning",
    "object_id",
)


def _clocks(
    organisation: Organisation, rows: list[Row]
) -> dict[tuple[str, dt.date], tuple[str, dt.date | None, str]]:
    """(state, due date, warning) of each ticket type and receipt day: the computation
    ``deadline_attach`` makes, once per distinct pair."""
    today = clock.today()
    cal = workcal.current()
    out: dict[tuple[str, dt.date], tuple[str, dt.date | None, str]] = {}
    for key in {(r.ticket_type, r.received_on) for r in rows}:
        template = Deadline(
            organisation=organisation, rule_key=service_level_key(key[0]), start_date=key[1]
        )
        outcome = deadline_outcome(
            template, today=today, stops=(), extensions=(), met_on=None, cal=cal
        )
        out[key] = (str(outcome.state), outcome.due_date, outcome.warning)
    return out


def _insert(
    *, actor: User, organisation: Organisation, batch: HotlineImport, rows: list[Row]
) -> None:
    now = clock.now()
    stamp = bulk.timestamp(now)
    clocks = _clocks(organisation, rows)
    matter_columns, matter_tail = row_layout(
        Matter,
        _MATTER_VARYING,
        {
            "organisation_id": organisation.pk,
            "kind": MatterKind.HOTLINE.value,
            "channel": Channel.HOTLINE.value,
            "category": Category.OTHER.value,
            "state": MatterState.RECEIVED.value,
            "created_by_id": actor.pk,
            "created_at": stamp,
        },
    )
    ticket_columns, ticket_tail = row_layout(
        HotlineTicket, _TICKET_VARYING, {"platform": batch.platform, "import_batch_id": batch.pk}
    )
    deadline_columns, deadline_tail = row_layout(
        Deadline,
        _DEADLINE_VARYING,
        {
            "organisation_id": organisation.pk,
            "assignee_id": None,
            "content_type_id": ContentType.objects.get_for_model(Matter).pk,
            "created_at": stamp,
            "met_on": None,
        },
    )
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            matter_ids = bulk.allocate_ids(cursor, Matter._meta.db_table, len(rows))
            deadline_ids = bulk.allocate_ids(cursor, Deadline._meta.db_table, len(rows))
            tables = (
                (Matter, matter_columns, _render_matters(rows, matter_ids, matter_tail)),
                (HotlineTicket, ticket_columns, _render_tickets(rows, matter_ids, ticket_tail)),
                (
                    Deadline,
                    deadline_columns,
                    _render_deadlines(rows, matter_ids, deadline_ids, clocks, deadline_tail),
                ),
            )
            for model, columns, parts in tables:
                bulk.copy_text(cursor, model._meta.db_table, columns, parts)
            return
        matter_ids = bulk.allocate_ids(cursor, Matter._meta.db_table, len(rows))
        deadline_ids = bulk.allocate_ids(cursor, Deadline._meta.db_table, len(rows))
        matter_rows = []
        ticket_rows = []
        deadline_rows = []
        for row, matter_id, deadline_id in zip(rows, matter_ids, deadline_ids, strict=True):
            called = bulk.timestamp(row.called_at) if sqlite else row.called_at
            matter_rows.append(
                (
                    matter_id,
                    timezone.localdate(row.called_at),
                    row.received_on,
                    RequesterKind.PERSON.value if row.caller else RequesterKind.ANONYMOUS.value,
                    row.caller,
                    row.phone,
                    ticket_title(row.content),
                    row.content,
                    *matter_tail,
                )
            )
            ticket_rows.append(
                (
                    matter_id,
                    row.ticket_no,
                    row.ticket_type,
                    called,
                    row.platform_due,
                    row.unit,
                    *ticket_tail,
                )
            )
            state, due, warning = clocks[(row.ticket_type, row.received_on)]
            deadline_rows.append(
                (
                    deadline_id,
                    f"热线工单办理：{row.ticket_no}"[:200],
                    service_level_key(row.ticket_type),
                    row.received_on,
                    due,
                    state,
                    warning,
                    str(matter_id),
                    *deadline_tail,
                )
            )
        bulk.write_rows(cursor, Matter._meta.db_table, matter_columns, matter_rows)
        bulk.write_rows(cursor, HotlineTicket._meta.db_table, ticket_columns, ticket_rows)
        bulk.write_rows(cursor, Deadline._meta.db_table, deadline_columns, deadline_rows)


# --- PostgreSQL: COPY text rendered here -----------------------------------------------------
# psycopg's ``write_row`` adapts every value of every row in Python: most of a row's columns are
# the same for the whole file (rendered once, ``_tail``), the others have known types; free text
# is escaped a chunk at a time (``bulk.copy_column``).


def _copy_value(value: Any) -> str:
    if value is None:
        return bulk.NULL
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, dt.date):  # a datetime too
        return value.isoformat()
    return bulk.copy_column([str(value)])[0]


def _tail(values: tuple[Any, ...]) -> str:
    return "".join("\t" + _copy_value(v) for v in values) + "\n"


def _date(value: dt.date | None) -> str:
    return bulk.NULL if value is None else value.isoformat()


def _render_matters(rows: list[Row], ids: list[int], tail: tuple[Any, ...]) -> Iterator[str]:
    end = _tail(tail)
    person, anonymous = RequesterKind.PERSON.value, RequesterKind.ANONYMOUS.value
    for start in range(0, len(rows), bulk.COPY_CHUNK):
        chunk = rows[start : start + bulk.COPY_CHUNK]
        names = bulk.copy_column([r.caller for r in chunk])
        phones = bulk.copy_column([r.phone for r in chunk])
        titles = bulk.copy_column([ticket_title(r.content) for r in chunk])
        contents = bulk.copy_column([r.content for r in chunk])
        yield "".join(
            [
                f"{i}\t{timezone.localdate(r.called_at).isoformat()}\t{r.received_on.isoformat()}"
                f"\t{person if r.caller else anonymous}\t{name}\t{phone}\t{title}\t{content}{end}"
                for i, r, name, phone, title, content in zip(
                    ids[start : start + bulk.COPY_CHUNK],
                    chunk,
                    names,
                    phones,
                    titles,
                    contents,
                    strict=True,
                )
            ]
        )


def _render_tickets(rows: list[Row], ids: list[int], tail: tuple[Any, ...]) -> Iterator[str]:
    end = _tail(tail)
    for start in range(0, len(rows), bulk.COPY_CHUNK):
        chunk = rows[start : start + bulk.COPY_CHUNK]
        numbers = bulk.copy_column([r.ticket_no for r in chunk])
        units = bulk.copy_column([r.unit for r in chunk])
        yield "".join(
            [
                f"{i}\t{number}\t{r.ticket_type}\t{r.called_at.isoformat()}"
                f"\t{_date(r.platform_due)}\t{unit}{end}"
                for i, r, number, unit in zip(
                    ids[start : start + bulk.COPY_CHUNK], chunk, numbers, units, strict=True
                )
            ]
        )


def _render_deadlines(
    rows: list[Row],
    matter_ids: list[int],
    ids: list[int],
    clocks: dict[tuple[str, dt.date], tuple[str, dt.date | None, str]],
    tail: tuple[Any, ...],
) -> Iterator[str]:
    end = _tail(tail)
    rendered = {
        key: (service_level_key(key[0]), key[1].isoformat(), _date(due), state, _copy_value(warn))
        for key, (state, due, warn) in clocks.items()
    }
    for start in range(0, len(rows), bulk.COPY_CHUNK):
        chunk = rows[start : start + bulk.COPY_CHUNK]
        titles = bulk.copy_column([f"热线工单办理：{r.ticket_no}"[:200] for r in chunk])
        lines = []
        for i, matter_id, r, title in zip(
            ids[start : start + bulk.COPY_CHUNK],
            matter_ids[start : start + bulk.COPY_CHUNK],
            chunk,
            titles,
            strict=True,
        ):
            rule, begin, due, state, warning = rendered[(r.ticket_type, r.received_on)]
            lines.append(
                f"{i}\t{title}\t{rule}\t{begin}\t{due}\t{state}\t{warning}\t{matter_id}{end}"
            )
        yield "".join(lines)
