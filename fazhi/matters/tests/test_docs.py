"""docs/matters.md shows the state diagrams of the tables as they are."""

from __future__ import annotations

from pathlib import Path

from fazhi.core.workflow import mermaid
from fazhi.matters.workflows import DISCLOSURE, HOTLINE, PETITION

DOC = Path(__file__).resolve().parents[3] / "docs" / "matters.md"
HOTLINE_DOC = DOC.with_name("hotline.md")


def test_the_diagrams_in_docs_match_the_tables():
    text = DOC.read_text(encoding="utf-8")
    for table in (PETITION, DISCLOSURE):
        assert f"```mermaid\n{mermaid(table)}\n```" in text, f"{table.name}: regenerate the diagram"


def test_the_hotline_diagram_matches_its_table():
    text = HOTLINE_DOC.read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid(HOTLINE)}\n```" in text, "hotline: regenerate the diagram"
