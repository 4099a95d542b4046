"""Limits on uploaded spreadsheets, checked before and while a reader runs (every import).

A spreadsheet import reads what a user sends, so the file decides how much work it costs: a
390 KB .xlsx whose sheet was one 400 MB XML comment held a worker for minutes, a sheet of a
million rows took a minute and gigabytes, a 120 MB upload was taken in. Every import therefore
goes through these checks, each refusing with a stable code, a Chinese message and HTTP 413
before anything is written:

* ``read_upload``: the upload is read in chunks and refused past ``FAZHI_IMPORT_MAX_BYTES``
  (``import_too_large``);
* ``check_file``: the same size limit on bytes given to a service, and for .xlsx the zip's
  declared uncompressed sizes (Python's zipfile never inflates a member past its declared size)
  against ``FAZHI_IMPORT_MAX_UNZIPPED_BYTES`` and each large member's compression ratio against
  ``FAZHI_IMPORT_MAX_RATIO`` (``import_unzipped_too_large``), and the XML parts for markup a
  spreadsheet program never writes and that makes the XML parser slow (``import_unsafe_xml``),
  before the zip is opened by a reader;
* ``limit_rows``: wraps the reader's rows and stops at the first row past
  ``FAZHI_IMPORT_MAX_ROWS`` data rows (``import_too_many_rows``) or wider than
  ``FAZHI_IMPORT_MAX_COLUMNS`` cells (``import_too_many_columns``), so a huge sheet is never read
  to the end;
* ``BoundedErrors``: keeps the first ``FAZHI_IMPORT_MAX_ERRORS`` problems and counts all of them.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings

from fazhi.core import errors
from fazhi.core.attachments import file_chunks

MIB = 1024 * 1024
# Members smaller than this are not held to the ratio: a tiny file of any ratio is harmless.
_RATIO_FLOOR = MIB
# The XML parser under openpyxl (expat before 2.6, fed 16 KiB at a time) rescans a markup token
# that spans buffers from its start at every feed: time grows with the square of the token's
# length (8 MB comment: 5 s; attribute or processing instruction: 8-9 s). At this length the
# worst file within the unzipped limit costs the parser seconds, not minutes. The check counts a
# tag together with the text after it, so a cell over 128 KiB of XML is refused too: 16,000
# Chinese characters even as the character references openpyxl writes, while the longest field
# any import reads is 500 characters.
MAX_XML_TOKEN = 128 * 1024
_XML_PARTS = (".xml", ".rels", ".vml")
_SCAN_BLOCK = 4 * MIB
# A worksheet's last row numbers (in the part's last bytes) and the rows above the data
# a sheet may carry (a title, a header) before the row limit counts.
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_EXTENT_HEADER_ROWS = 10
# '<' then: a DOCTYPE (never in a spreadsheet; entity tricks), a comment or a processing
# instruction longer than the limit (their bodies may hold '<'), or any other tag running on
# longer than the limit without the next '<' (a tag's attribute values may not hold '<').
_UNSAFE_XML = re.compile(
    rb"<(?:!DOCTYPE|!--(?:[^-]|-(?!-)){%d}|\?(?:[^?]|\?(?!>)){%d}|[^!?][^<]{%d})"
    % (MAX_XML_TOKEN, MAX_XML_TOKEN, MAX_XML_TOKEN)
)

RowT = TypeVar("RowT", bound=Sequence[Any])


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int
    max_unzipped_bytes: int
    max_ratio: int
    max_rows: int
    max_columns: int
    max_errors: int


def limits() -> ImportLimits:
    """The limits in force (``fazhi/settings.py``, from the environment; ``.env.example``)."""
    return ImportLimits(
        max_bytes=settings.FAZHI_IMPORT_MAX_BYTES,
        max_unzipped_bytes=settings.FAZHI_IMPORT_MAX_UNZIPPED_BYTES,
        max_ratio=settings.FAZHI_IMPORT_MAX_RATIO,
        max_rows=settings.FAZHI_IMPORT_MAX_ROWS,
        max_columns=settings.FAZHI_IMPORT_MAX_COLUMNS,
        max_errors=settings.FAZHI_IMPORT_MAX_ERRORS,
    )


def _mb(size: int) -> str:
    return f"{size / MIB:g}"


def _too_large(limit: int) -> errors.TooLarge:
    return errors.TooLarge(
        f"文件超过导入大小上限（{_mb(limit)} MB），未导入任何数据。请拆分后分批导入。",
        code="import_too_large",
        limit_bytes=limit,
    )


def read_upload(upload: Any) -> bytes:
    """The content of an uploaded file, read in chunks and refused as soon as it passes the
    size limit (a declared size over the limit is refused without reading)."""
    limit = limits().max_bytes
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(limit)
    content = bytearray()
    for chunk in file_chunks(upload):
        content += chunk
        if len(content) > limit:
            raise _too_large(limit)
    return bytes(content)


def check_file(content: bytes, *, xlsx: bool) -> None:
    """Refuse ``content`` over the size limit, and an .xlsx whose zip would inflate past the
    unzipped limit or whose large members are compressed beyond the ratio limit. A file that is
    not a readable zip is left to the reader, which reports it as unreadable."""
    current = limits()
    if len(content) > current.max_bytes:
        raise _too_large(current.max_bytes)
    if not xlsx:
        return
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > current.max_ratio:
            raise _unzipped_too_large(current, member=member.filename, ratio=round(ratio))
    if total > current.max_unzipped_bytes:
        raise _unzipped_too_large(current, unzipped_bytes=total)
    part = _unsafe_xml_part(content, current)
    if part is not None:
        raise errors.ValidationFailed(
            "该Excel文件含有电子表格软件不会写出的XML内容（超长的标记、注释或DOCTYPE），"
            "已拒绝读取，未导入任何数据。请用Excel或WPS打开后另存为 .xlsx 再上传。",
            code="import_unsafe_xml",
            member=part,
        )


def _unsafe_xml_part(content: bytes, current: ImportLimits) -> str | None:
    """The first XML part holding markup the reader must not be given (``_UNSAFE_XML``),
    scanned in blocks with an overlap so a token across two blocks is seen whole; in the same
    pass, a worksheet reaching past the row or column limit is refused (``_check_extent``)."""
    wide_re = _wide_cell_pattern(current.max_columns)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.infolist():
                if not member.filename.lower().endswith(_XML_PARTS):
                    continue
                sheet = member.filename.startswith("xl/worksheets/")
                wide: re.Match[bytes] | None = None
                with archive.open(member) as stream:
                    carry = b""
                    while block := stream.read(_SCAN_BLOCK):
                        buffer = carry + block
                        if _unsafe_xml(buffer):
                            return member.filename
                        if sheet and wide is None:
                            wide = _first_wide(wide_re, buffer, current.max_columns)
                        carry = buffer[-(MAX_XML_TOKEN + 16) :]
                if sheet:
                    _check_extent(current, carry, wide)
    except errors.TooLarge:
        raise
    except Exception:  # a damaged or encrypted member: the reader reports the file unreadable
        return None
    return None


def _unsafe_xml(buffer: bytes) -> bool:
    """Whether ``_UNSAFE_XML`` matches anywhere in ``buffer``: the same answer, without trying the
    pattern at each of the millions of ``<`` of a large sheet (1.7 s for a 200,000-row one). Its
    DOCTYPE, comment and processing-instruction branches can match only at ``<!`` or ``<?``,
    tried there. Its last branch needs a run of ``MAX_XML_TOKEN`` bytes without ``<``; such a
    run holds a whole aligned block of half that length, so when every block holds a ``<``
    (found by ``bytes.find`` in C) it cannot match, and otherwise the whole pattern decides."""
    for mark in (b"!", b"?"):  # one byte: found by memchr, rare outside such markup
        at = buffer.find(mark, 1)
        while at != -1:
            if buffer[at - 1] == 0x3C and _UNSAFE_XML.match(buffer, at - 1):  # "<" before it
                return True
            at = buffer.find(mark, at + 1)
    half = MAX_XML_TOKEN // 2
    for start in range(0, len(buffer) - half + 1, half):
        if buffer.find(b"<", start, start + half) == -1:
            return _UNSAFE_XML.search(buffer) is not None
    return False


def _wide_cell_pattern(max_columns: int) -> re.Pattern[bytes]:
    """Cell references whose column may lie past ``max_columns``: every reference of as many
    letters as the limit's column name or more (checked by number in ``_first_wide``)."""
    letters, rest = 1, max_columns
    while rest > 26:
        letters, rest = letters + 1, (rest - 1) // 26
    # a literal first byte keeps the scan fast; the attribute name is checked on a match
    return re.compile(rb'r="([A-Z]{%d,3})([0-9]+)"' % letters)


def _first_wide(
    pattern: re.Pattern[bytes], buffer: bytes, max_columns: int
) -> re.Match[bytes] | None:
    for match in pattern.finditer(buffer):
        if buffer[match.start() - 1 : match.start()].isspace() and (
            _column_number(match[1]) > max_columns
        ):
            return match
    return None


def _unzipped_too_large(current: ImportLimits, **details: Any) -> errors.TooLarge:
    return errors.TooLarge(
        f"该Excel文件解压后超过上限（{_mb(current.max_unzipped_bytes)} MB）或压缩比异常"
        f"（超过{current.max_ratio}倍），未读取、未导入任何数据。"
        "请删除多余的内容或拆分后重新上传。",
        code="import_unzipped_too_large",
        limit_bytes=current.max_unzipped_bytes,
        limit_ratio=current.max_ratio,
        **details,
    )


def _too_many_rows(current: ImportLimits) -> errors.TooLarge:
    return errors.TooLarge(
        f"文件超过{current.max_rows:,}行的导入上限（空行也计算在内），"
        "未导入任何数据。请删除多余的行或拆分后分批导入。",
        code="import_too_many_rows",
        limit_rows=current.max_rows,
    )


def _too_many_columns(current: ImportLimits, row: int) -> errors.TooLarge:
    return errors.TooLarge(
        f"第{row}行超过{current.max_columns}列的导入上限，未导入任何数据。"
        "请删除模板以外的列后重新上传。",
        code="import_too_many_columns",
        limit_columns=current.max_columns,
    )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_extent(current: ImportLimits, tail: bytes, wide: re.Match[bytes] | None) -> None:
    """Refuse a worksheet whose cells reach past the row or column limit, before a reader
    loads it: the reader (calamine) holds a sheet as one dense grid from its first to its last
    used cell, so one cell at XFD1048576 in a tiny file would ask for billions of cells.
    ``wide``: a cell reference past the column limit found in the part; ``tail``: the part's
    last bytes, where its last rows are (rows are written in order)."""
    if wide is not None:
        raise _too_many_columns(current, int(wide[2]))
    numbers = [int(m) for m in _ROW_NUMBER.findall(tail)]
    if numbers and max(numbers) > current.max_rows + _EXTENT_HEADER_ROWS:
        raise _too_many_rows(current)


def limit_rows(rows: Iterable[RowT], *, header_rows: int = 1) -> Iterator[RowT]:
    """``rows`` unchanged, refusing at the first row past the row limit (data rows, blank ones
    included: they cost reading too) or wider than the column limit. The source is closed when
    the refusal stops it, so the reader stops at once."""
    current = limits()
    most = current.max_rows + header_rows
    iterator = iter(rows)
    try:
        for count, row in enumerate(iterator, start=1):
            if count > most:
                raise _too_many_rows(current)
            if len(row) > current.max_columns:
                raise _too_many_columns(current, count)
            yield row
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


class BoundedErrors:
    """The first ``limit`` problems of an import (default ``FAZHI_IMPORT_MAX_ERRORS``) and the
    count of all of them: a file with a million bad rows must not store a million errors."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limits().max_errors if limit is None else limit
        self.kept: list[dict[str, Any]] = []
        self.total = 0

    def append(self, error: dict[str, Any]) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(error)

    def extend(self, more: Iterable[dict[str, Any]]) -> None:
        for error in more:
            self.append(error)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.kept)
