"""docs/matters.md shows the state diagrams of the tables as they are."""

from __future__ import annotations

from pathlib import Path

from fazhi.core.workflow import mermaid
from fazhi.matters.workflows import DISCLOSURE, PETITION

DOC = Path(__file__).resolve().parents[3] / "docs" / "matters.md"


def test_the_diagrams_in_docs_match_the_tables():
    text = DOC.read_text(encoding="utf-8")
    for table in (PETITION, DISCLOSURE):
        assert f"```mermaid\n{mermaid(table)}\n```" in text, f"{table.name}: regenerate the diagram"
