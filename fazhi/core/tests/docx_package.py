"""What Word refuses in a .docx and LibreOffice forgives: a checker of the package (standard
library only), used by the document tests (decision 0087).

``problems(content)`` lists, in English, what is wrong with one .docx: the zip and its
``[Content_Types].xml`` (every part has a type, every override a part), the relationships (unique
ids, every internal target present, the main document reached from ``_rels/.rels``), each XML
part (well-formed, no control character, raw or as a reference), and in the WordprocessingML
parts: bookmarks (unique ids, each closed), fields (each begun is ended), tables (properties and
a grid whose columns the rows fill, the grid's widths equal to the cells' — LibreOffice lays a
table out by its grid, Word by its cells —, every cell ending with a paragraph), the body's last
section properties (page size, all seven margins, room left for text), the order of the
children of the property elements Word reads in schema order (ECMA-376 Part 1 §17), and every
style a part names defined in ``styles.xml``. An empty list: nothing found. This is not a schema
validation; decision 0087 says what it does not see.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from xml.etree import ElementTree as ET

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)
WORD_TYPE = re.compile(r"application/vnd\.openxmlformats-officedocument\.wordprocessingml\.")
# XML 1.0 forbids these characters, even as a reference (&#x1;)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CONTROL_REF = re.compile(
    r"&#(?:x0*(?:[0-8bcBCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[1-24-9]|2[0-9]|3[01]));"
)


# The children of the property elements in schema order (a name later in a tuple may not come
# before an earlier one; names not listed are not checked). Section 17.3.1.26 (pPr), 17.3.2.28
# (rPr), 17.6.17 (sectPr), 17.4.60 (tblPr), 17.4.70 (tcPr).
def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ORDER: dict[str, tuple[str, ...]] = {
    "pPr": _names(
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
        "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
        "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
        "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
        "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ),
    "rPr": _names(
        "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike "
        "outline shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern "
        "position sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang "
        "eastAsianLayout specVanish oMath rPrChange"
    ),
    "sectPr": _names(
        "headerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
        "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
        "printerSettings sectPrChange"
    ),
    "tblPr": _names(
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
        "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
        "tblDescription tblPrChange"
    ),
    "tcPr": _names(
        "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
        "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"
    ),
}
SAME_RANK = {"footerReference": "headerReference"}  # a choice: either, in any order
MARGINS = ("top", "right", "bottom", "left", "header", "footer", "gutter")
STYLE_REFERENCES = {"pStyle": "paragraph", "rStyle": "character", "tblStyle": "table"}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def _local(tag: str) -> tuple[str, str]:
    namespace, _, name = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    return namespace, name


def _int(element: ET.Element, attribute: str) -> int | None:
    value = element.get(w(attribute))
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _part_name(name: str) -> str:
    return "/" + name.lstrip("/")


def _rels_source(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``/word/document.xml`` (``_rels/.rels`` → ``/``)."""
    folder, _, file = rels_name.rpartition("_rels/")
    return _part_name(folder + file.removesuffix(".rels")) if file != ".rels" else "/"


def _target(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target)
    base = posixpath.dirname(source) if source != "/" else "/"
    return posixpath.normpath(posixpath.join(base, target))


def _content_types(archive: zipfile.ZipFile, parts: dict[str, str], found: list[str]) -> None:
    if "[Content_Types].xml" not in archive.namelist():
        found.append("no [Content_Types].xml")
        return
    root = ET.fromstring(archive.read("[Content_Types].xml"))  # noqa: S314
    defaults = {
        (e.get("Extension") or "").lower(): e.get("ContentType")
        for e in root.iter(f"{{{CT}}}Default")
    }
    overrides = {
        (e.get("PartName") or "").lower(): e.get("ContentType")
        for e in root.iter(f"{{{CT}}}Override")
    }
    lowered = {name.lower() for name in parts}
    for name in sorted(overrides):
        if name not in lowered:
            found.append(f"[Content_Types].xml overrides a part that is not there: {name}")
    for name in parts:
        if name == "/[Content_Types].xml":
            continue
        extension = name.rpartition(".")[2].lower() if "." in name.rpartition("/")[2] else ""
        kind = overrides.get(name.lower()) or defaults.get(extension)
        if not kind:
            found.append(f"part without a content type: {name}")
        else:
            parts[name] = kind


def _relationships(archive: zipfile.ZipFile, parts: dict[str, str], found: list[str]) -> None:
    lowered = {name.lower() for name in parts}
    main = None
    for name in parts:
        if not name.endswith(".rels"):
            continue
        try:
            root = ET.fromstring(archive.read(name.lstrip("/")))  # noqa: S314
        except ET.ParseError:
            continue  # reported with the other XML parts
        source = _rels_source(name.lstrip("/"))
        ids: set[str] = set()
        for rel in root.iter(f"{{{REL}}}Relationship"):
            rel_id, target = rel.get("Id") or "", rel.get("Target") or ""
            if rel_id in ids:
                found.append(f"{name}: relationship id {rel_id} used twice")
            ids.add(rel_id)
            if rel.get("TargetMode") == "External":
                continue
            path = _target(source, target)
            if path.lower() not in lowered:
                found.append(f"{name}: relationship {rel_id} points to a missing part {path}")
            elif source == "/" and rel.get("Type") == OFFICE_DOCUMENT:
                main = path
    if main is None:
        found.append("_rels/.rels names no main document (officeDocument)")


def _well_formed(name: str, raw: bytes, found: list[str]) -> ET.Element | None:
    text = raw.decode("utf-8", errors="replace")
    if CONTROL.search(text) or CONTROL_REF.search(text):
        found.append(f"{name}: a control character XML forbids")
    try:
        return ET.fromstring(raw)  # noqa: S314
    except ET.ParseError as error:
        found.append(f"{name}: not well-formed XML ({error})")
        return None


def _order(name: str, root: ET.Element, found: list[str]) -> None:
    for element in root.iter():
        namespace, local = _local(element.tag)
        sequence = ORDER.get(local) if namespace == W else None
        if not sequence:
            continue
        last = -1
        for child in element:
            child_namespace, child_local = _local(child.tag)
            child_local = SAME_RANK.get(child_local, child_local)
            if child_namespace != W or child_local not in sequence:
                continue
            rank = sequence.index(child_local)
            repeatable = child_local == "headerReference"
            if rank < last or (rank == last and not repeatable):
                found.append(f"{name}: w:{child_local} out of schema order in w:{local}")
                break
            last = rank


def _bookmarks(name: str, root: ET.Element, found: list[str]) -> None:
    starts = [e.get(w("id")) for e in root.iter(w("bookmarkStart"))]
    ends = {e.get(w("id")) for e in root.iter(w("bookmarkEnd"))}
    seen: set[str | None] = set()
    for bookmark in starts:
        if bookmark in seen:
            found.append(f"{name}: bookmark id {bookmark} used twice")
        seen.add(bookmark)
        if bookmark not in ends:
            found.append(f"{name}: bookmark {bookmark} never closed")


def _fields(name: str, root: ET.Element, found: list[str]) -> None:
    """Every complex field begun is ended, in order (Word refuses a stray w:fldChar)."""
    depth = 0
    for mark in root.iter(w("fldChar")):
        kind = mark.get(w("fldCharType"))
        depth += {"begin": 1, "end": -1}.get(kind or "", 0)
        if depth < 0 or (kind == "separate" and depth == 0):
            found.append(f"{name}: a field {kind} without its begin")
            return
    if depth:
        found.append(f"{name}: a field begun and never ended")


def _tables(name: str, root: ET.Element, found: list[str]) -> None:
    for number, table in enumerate(root.iter(w("tbl")), start=1):
        where = f"{name}: table {number}"
        if table.find(w("tblPr")) is None:
            found.append(f"{where} has no w:tblPr")
        grid = table.find(w("tblGrid"))
        columns = [] if grid is None else grid.findall(w("gridCol"))
        if not columns:
            found.append(f"{where} has no w:tblGrid with columns")
            continue
        rows = table.findall(w("tr"))
        if not rows:
            found.append(f"{where} has no row")
        for row_number, row in enumerate(rows, start=1):
            _row(f"{where} row {row_number}", row, columns, found)


def _row(where: str, row: ET.Element, columns: list[ET.Element], found: list[str]) -> None:
    cells = row.findall(w("tc"))
    if not cells:
        found.append(f"{where} has no cell")
        return
    column = 0
    for cell in cells:
        children = list(cell)
        if not children or children[-1].tag != w("p"):
            found.append(f"{where}: a cell does not end with a paragraph (w:p)")
        props = cell.find(w("tcPr"))
        span_element = props.find(w("gridSpan")) if props is not None else None
        span = (_int(span_element, "val") or 1) if span_element is not None else 1
        width = props.find(w("tcW")) if props is not None else None
        if width is not None and width.get(w("type")) == "dxa" and span == 1:
            grid_width = _int(columns[column], "w") if column < len(columns) else None
            cell_width = _int(width, "w")
            if (
                grid_width is not None
                and cell_width is not None
                and abs(grid_width - cell_width) > 1
            ):
                found.append(
                    f"{where}: cell width {cell_width} differs from its grid column "
                    f"{grid_width} (LibreOffice uses the grid)"
                )
        column += span
    if column != len(columns):
        found.append(f"{where} fills {column} grid columns of {len(columns)}")


def _section(name: str, section: ET.Element, found: list[str]) -> None:
    size = section.find(w("pgSz"))
    margins = section.find(w("pgMar"))
    width = _int(size, "w") if size is not None else None
    height = _int(size, "h") if size is not None else None
    if not width or not height or width <= 0 or height <= 0:
        found.append(f"{name}: section without a valid page size (w:pgSz)")
        return
    if margins is None:
        found.append(f"{name}: section without margins (w:pgMar)")
        return
    values = {side: _int(margins, side) for side in MARGINS}
    missing = [side for side, value in values.items() if value is None]
    if missing:
        found.append(f"{name}: w:pgMar lacks {', '.join(missing)}")
        return
    left, right = values["left"] or 0, values["right"] or 0
    top, bottom = abs(values["top"] or 0), abs(values["bottom"] or 0)
    if left + right >= width or top + bottom >= height:
        found.append(f"{name}: the margins leave no room for text")


def _body(name: str, root: ET.Element, found: list[str]) -> None:
    body = root.find(w("body"))
    if body is None:
        found.append(f"{name}: no w:body")
        return
    children = list(body)
    sections = body.findall(w("sectPr"))
    if len(sections) != 1 or not children or children[-1].tag != w("sectPr"):
        found.append(f"{name}: w:body must end with its one w:sectPr")
    for section in root.iter(w("sectPr")):
        _section(name, section, found)


def _styles(parts: dict[str, ET.Element], found: list[str]) -> None:
    styles = parts.get("/word/styles.xml")
    defined = set()
    if styles is not None:
        defined = {(s.get(w("type")), s.get(w("styleId"))) for s in styles.iter(w("style"))}
    for name, root in parts.items():
        for reference, kind in STYLE_REFERENCES.items():
            for element in root.iter(w(reference)):
                if (kind, element.get(w("val"))) not in defined:
                    found.append(f"{name}: {kind} style {element.get(w('val'))} is not defined")


@functools.lru_cache(maxsize=64)
def _part(name: str, raw: bytes, is_word: bool) -> tuple[ET.Element | None, tuple[str, ...]]:
    """One XML part parsed and checked; remembered, since every document carries the same large
    template parts (styles, numbering, theme) and the tests check hundreds of documents. The
    element is only read."""
    found: list[str] = []
    root = _well_formed(name, raw, found)
    if root is not None and is_word:
        _order(name, root, found)
        _bookmarks(name, root, found)
        _fields(name, root, found)
        _tables(name, root, found)
        if root.tag == w("document"):
            _body(name, root, found)
    return root, tuple(found)


def problems(content: bytes) -> list[str]:
    """Everything found wrong with the .docx ``content``; empty when nothing is."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        return ["not a zip file"]
    found: list[str] = []
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    lowered = [name.lower() for name in names]
    if len(set(lowered)) != len(lowered):
        found.append("two parts with the same name")
    parts: dict[str, str] = {_part_name(name): "" for name in names}
    _content_types(archive, parts, found)
    _relationships(archive, parts, found)
    word: dict[str, ET.Element] = {}
    for name, kind in parts.items():
        if not (name.endswith((".xml", ".rels")) or kind.endswith(("+xml", "/xml"))):
            continue
        is_word = bool(WORD_TYPE.match(kind))
        root, part_problems = _part(name, archive.read(name.lstrip("/")), is_word)
        found.extend(part_problems)
        if root is not None and is_word:
            word[name] = root
    _styles(word, found)
    return found
