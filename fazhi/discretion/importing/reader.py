"""Reading an uploaded .xlsx into rows of cell values: the one function to switch when the
spreadsheet reader changes (python-calamine is planned). ``import_limits.check_file`` has
bounded the file before; ``import_limits.limit_rows`` bounds the rows as they are read."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from typing import Any

from fazhi.core import errors


def read_rows(content: bytes) -> Iterator[Sequence[Any]]:
    """The rows of the first worksheet as tuples of cell values (str, int, float, datetime or
    None), header row first."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise errors.ValidationFailed(
            "无法读取该Excel文件，请使用下载的裁量基准模板（.xlsx）。", code="unreadable_file"
        ) from exc
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except errors.FazhiError:
        raise
    except Exception as exc:
        raise errors.ValidationFailed("Excel文件内容损坏。", code="unreadable_file") from exc
    finally:
        workbook.close()
