"""The shared limits every spreadsheet import goes through (fazhi.core.import_limits)."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fazhi.core import errors
from fazhi.core.import_limits import (
    MAX_XML_TOKEN,
    BoundedErrors,
    check_file,
    limit_rows,
    read_upload,
)
from fazhi.core.tests.spreadsheets import with_sheet_comment, with_sheet_markup, xlsx

MIB = 1024 * 1024


def _refused(code, call, *args, **kwargs):
    with pytest.raises(errors.TooLarge) as info:
        call(*args, **kwargs)
    assert info.value.code == code and info.value.http_status == 413
    assert info.value.message  # a Chinese message for the page
    return info.value


def test_upload_is_read_in_chunks_and_refused_past_the_limit(settings):
    settings.FAZHI_IMPORT_MAX_BYTES = 1000
    assert read_upload(SimpleUploadedFile("a.csv", b"x" * 1000)) == b"x" * 1000
    _refused("import_too_large", read_upload, SimpleUploadedFile("a.csv", b"x" * 1001))

    class Unsized(io.BytesIO):  # a stream whose size is not known up front
        size = None

    stream = Unsized(b"x" * 10 * MIB)
    _refused("import_too_large", read_upload, stream)
    assert stream.tell() <= 2 * MIB  # stopped at the first chunk over the limit


def test_check_file_refuses_bytes_over_the_limit(settings):
    settings.FAZHI_IMPORT_MAX_BYTES = 100
    _refused("import_too_large", check_file, b"a,b\n" * 26, xlsx=False)
    check_file(b"a,b\n" * 25, xlsx=False)


def test_a_zip_bomb_sheet_is_refused_by_its_ratio_before_reading():
    bomb = with_sheet_comment(xlsx([["名称"]]), 50 * MIB)
    assert len(bomb) < 200_000  # 50 MB of sheet XML in a few dozen KB
    started = time.monotonic()
    error = _refused("import_unzipped_too_large", check_file, bomb, xlsx=True)
    assert time.monotonic() - started < 2
    assert error.details["member"] == "xl/worksheets/sheet1.xml"
    assert error.details["ratio"] > 100


def test_an_xlsx_inflating_past_the_total_is_refused(settings):
    settings.FAZHI_IMPORT_MAX_UNZIPPED_BYTES = MIB
    settings.FAZHI_IMPORT_MAX_RATIO = 10_000  # the total alone decides here
    content = with_sheet_comment(xlsx([["名称"]]), 2 * MIB)
    error = _refused("import_unzipped_too_large", check_file, content, xlsx=True)
    assert error.details["unzipped_bytes"] > MIB
    check_file(xlsx([["名称"]]), xlsx=True)  # an ordinary file passes


def test_small_members_are_not_held_to_the_ratio():
    check_file(with_sheet_markup(xlsx([["名称"]]), b"<row/>" * 150_000), xlsx=True)  # 900 KB


LONG = MAX_XML_TOKEN + 1
SLOW_MARKUP = {
    # each costs expat (fed 16 KiB at a time) seconds to minutes, while compressing only so
    # far: random-looking content stays under the ratio limit
    "comment_holding_markup": b"<!-- " + b"<a>-" * (LONG // 4) + b" -->",
    "attribute_value": b'<x a="' + b"a>" * (LONG // 2) + b'"/>',
    "processing_instruction": b"<?p " + b"<?x?" * (LONG // 4) + b"?>",
    "tag_name": b"<x" + b"y" * LONG + b"/>",
    "doctype": b'<!DOCTYPE x [<!ENTITY e "e">]>',
}


@pytest.mark.parametrize("name", sorted(SLOW_MARKUP))
def test_markup_that_makes_the_xml_parser_slow_is_refused(name):
    content = with_sheet_markup(xlsx([["名称"]]), SLOW_MARKUP[name])
    with pytest.raises(errors.ValidationFailed) as info:
        check_file(content, xlsx=True)
    assert info.value.code == "import_unsafe_xml"
    assert info.value.details["member"] == "xl/worksheets/sheet1.xml"


def test_a_long_token_across_two_scan_blocks_is_seen(settings):
    settings.FAZHI_IMPORT_MAX_RATIO = 10_000
    rows = b"<row/>" * ((4 * MIB - 64 * 1024) // 6)  # the token starts 64 KiB before 4 MiB
    content = with_sheet_markup(xlsx([["名称"]]), rows + b'<x a="' + b"b" * LONG + b'"/>')
    with pytest.raises(errors.ValidationFailed) as info:
        check_file(content, xlsx=True)
    assert info.value.code == "import_unsafe_xml"


def test_long_cells_and_short_comments_pass():
    # written as character references (8 bytes each): ~125 KiB of XML, 30x the longest field
    check_file(xlsx([["名称"], ["卫" * 16_000]]), xlsx=True)
    check_file(with_sheet_markup(xlsx([["名称"]]), b"<!-- short -->"), xlsx=True)


def test_a_file_that_is_not_a_zip_is_left_to_the_reader():
    check_file(b"PK\x03\x04 not really a zip", xlsx=True)


def test_rows_stop_at_the_first_row_past_the_limit(settings):
    settings.FAZHI_IMPORT_MAX_ROWS = 3
    assert len(list(limit_rows([("h",)] + [("r",)] * 3))) == 4  # header + 3 data rows
    read = []

    def rows():
        for n in range(1_048_576):
            read.append(n)
            yield ("r",)

    _refused("import_too_many_rows", lambda: list(limit_rows(rows())))
    assert len(read) == 5  # the header, three rows, and the one that was too many


def test_a_row_past_the_column_limit_is_refused(settings):
    settings.FAZHI_IMPORT_MAX_COLUMNS = 4
    assert len(list(limit_rows([(1, 2, 3, 4)]))) == 1
    _refused("import_too_many_columns", lambda: list(limit_rows([(1, 2, 3, 4, 5)])))


def test_bounded_errors_keep_the_first_and_count_all():
    kept = BoundedErrors(limit=2)
    kept.extend({"row": n} for n in range(5))
    assert kept.kept == [{"row": 0}, {"row": 1}] and kept.total == 5 and kept.truncated
    fits = BoundedErrors(limit=2)
    fits.append({"row": 1})
    assert not fits.truncated and fits.total == 1


def test_the_fast_unsafe_xml_scan_answers_as_the_pattern_does():
    import random

    from fazhi.core import import_limits

    n = import_limits.MAX_XML_TOKEN
    pieces = [
        b"<a>",
        b"<!--",
        b"-->",
        b"<?",
        b"?>",
        b"<!DOCTYPE",
        b"<",
        b"!",
        b"?",
        b"x" * (n // 3),
    ]
    cases = [
        b"<a>" + b"x" * (n + 5) + b"</a>",
        b"<a>" + b"x" * (n - 5) + b"</a>",
        b'<?xml version="1.0"?><!DOCTYPE x>',
        b"<!--" + b"y" * (n + 3) + b"-->",
        b"<!--" + b"y" * (n - 10) + b"-->",
        b"<?" + b"z" * (n + 2) + b"?>",
        b"<<" + b"q" * n + b"<",
        b"!<?" + b"q" * (n + 1),
    ]
    generator = random.Random(13)
    cases += [
        b"".join(generator.choice(pieces) for _ in range(generator.randint(1, 12)))
        for _ in range(300)
    ]
    answers = [import_limits._unsafe_xml(c) for c in cases]
    assert answers == [import_limits._UNSAFE_XML.search(c) is not None for c in cases]
    assert any(answers) and not all(answers)
