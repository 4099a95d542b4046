"""Every .docx Fazhi generates opens (decision 0087): each case document (执法文书, in each of the
decision's three titles) and the disclosure reply letter (答复书), generated through the real
services and scoped reads, is a sound package for Word (``docx_package.problems``) and opens in
LibreOffice: one ``soffice`` call converts them all to PDF, and each PDF has a page, says the
document's title, number and party, and numbers its pages in the footer."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fazhi.core.testing import SOFFICE, at, needs_soffice
from fazhi.core.tests import docx_package

pytestmark = pytest.mark.django_db

# the facts as an officer may paste them: markup characters and a vertical tab (a line break in
# Word and Excel) that XML forbids
PASTED_FACTS = "检查发现当事人<未取得>公共场所卫生许可证 & 从事住宿经营。\x0b客房12间。"


# the documents that print the decision's number (the others' numbers are left for the pen
# unless the case stored one: decision 0054)
WITH_DECISION_NUMBER = ("decision", "service_receipt", "demand_notice", "closure_report")


@dataclass(frozen=True)
class Generated:
    name: str  # the file name the page serves
    content: bytes
    says: tuple[str, ...]  # title, number, party


def _case_documents(clock: Any) -> list[Generated]:
    from fazhi.enforcement.documents import catalogue
    from fazhi.enforcement.services import case_steps, cases
    from fazhi.enforcement.services.case_execution import payment_due
    from fazhi.enforcement.tests.case_support import (
        decide_on_the_spot,
        file_case,
        investigate,
        make_case_world,
        notify,
    )

    clock.move_to(at(dt.date(2025, 9, 1)))
    cw = make_case_world()
    case = file_case(cw, facts=PASTED_FACTS)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_b)
    kept = cases.case_evidence_preserve(
        actor=cw.handler, case=case, items="一次性毛巾200条", approved_by=cw.leader
    )
    cases.case_preservation_decide(actor=cw.handler, preservation=kept, decision="予以退还")
    case = cases.case_end_investigation(actor=cw.handler, case=case, report="事实清楚。")
    case = notify(cw, case, fine="12000")
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="同意")
    clock.move_to(at(dt.date(2025, 9, 8)))
    case = case_steps.case_request_hearing(actor=cw.handler, case=case, on=dt.date(2025, 9, 8))
    case = case_steps.case_schedule_hearing(
        actor=cw.handler, case=case, hearing_on=dt.date(2025, 9, 18)
    )
    clock.move_to(at(dt.date(2025, 9, 18)))
    case = case_steps.case_hold_hearing(actor=cw.handler, case=case)
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="听证后审核同意")
    case = case_steps.case_deliberate(actor=cw.leader, case=case, summary="集体讨论同意")
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="12000")
    clock.move_to(at(dt.date(2025, 9, 22)))
    case = case_steps.case_serve(actor=cw.handler, case=case)
    due = payment_due(case)
    assert due is not None
    clock.move_to(at(due + dt.timedelta(days=5)))  # unpaid: the demand notice too

    first_minor = notify(cw, investigate(cw, file_case(cw)), fine="2000")
    first_minor = case_steps.case_waive_rights(actor=cw.handler, case=first_minor)
    first_minor = case_steps.case_decide(actor=cw.leader, case=first_minor, outcome="first_minor")
    on_the_spot = decide_on_the_spot(cw)
    wanted = [(case, key) for key in catalogue.KINDS]
    wanted += [(first_minor, "decision"), (on_the_spot, "decision")]
    generated = []
    for one, key in wanted:
        kind = catalogue.KINDS[key]
        document = catalogue.case_document(user=cw.handler, case_id=one.pk, key=key)
        says: tuple[str, ...] = (catalogue.label_for(one, kind), one.entity.name)
        if key in WITH_DECISION_NUMBER:
            says += (one.decision_number,)
        generated.append(Generated(document.filename, document.content, says))
    return generated


def _reply_letter(clock: Any) -> Generated:
    from fazhi.matters import letters
    from fazhi.matters.models import ReplyType
    from fazhi.matters.services import disclosure as svc
    from fazhi.matters.tests.support import disclosure, make_world

    clock.move_to(at(dt.date(2025, 10, 20)))
    world = make_world()
    matter = svc.disclosure_reply(
        actor=world.officer,
        matter=disclosure(world),
        reply_type=ReplyType.PARTIAL,
        reason="",
        reply_text="可以公开的部分见附件。",
        on=dt.date(2025, 10, 15),
    )
    letter = letters.reply_letter(user=world.officer, matter_id=matter.pk)
    says = (letters.TITLE, matter.requester_name, world.org.name)
    return Generated(letter.file_name, letter.content, says)


def every_document(clock: Any) -> list[Generated]:
    return [*_case_documents(clock), _reply_letter(clock)]


def test_every_generated_document_is_a_sound_package(clock):
    documents = every_document(clock)
    assert len(documents) == 18  # 15 case documents, two more decision titles, the letter
    assert len({document.name for document in documents}) == len(documents)
    found = {document.name: docx_package.problems(document.content) for document in documents}
    assert {name: problems for name, problems in found.items() if problems} == {}


# --- LibreOffice -----------------------------------------------------------------------------


def _squeezed(text: str) -> str:
    """Text without white space: a PDF breaks lines (and so words) where the layout does."""
    return re.sub(r"\s+", "", text)


def _pdf_text(pdf: Path, out: Path) -> str:
    if Path("/usr/bin/pdftotext").exists():
        done = subprocess.run(
            ["/usr/bin/pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            check=True,
            timeout=30,
        )
        return done.stdout.decode("utf-8")
    return (out / "text" / pdf.with_suffix(".txt").name).read_text(encoding="utf-8-sig")


def _soffice(profile: Path, target: str, out: Path, files: list[Path]) -> None:
    """One LibreOffice run for all ``files`` with a private profile (no first-start dialogs, no
    lock shared with another run)."""
    command = [
        str(SOFFICE),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        target,
        "--outdir",
        str(out),
        *map(str, files),
    ]
    done = subprocess.run(command, capture_output=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")


@pytest.mark.office
@needs_soffice
def test_every_generated_document_opens_in_libreoffice(clock, tmp_path):
    documents = every_document(clock)
    source = tmp_path / "docx"
    source.mkdir()
    files = []
    for index, document in enumerate(documents):
        path = source / f"{index:02d}.docx"  # ASCII names: the command line stays simple
        path.write_bytes(document.content)
        files.append(path)
    out = tmp_path / "pdf"
    _soffice(tmp_path / "profile", "pdf", out, files)
    pdf_text_readable = Path("/usr/bin/pdftotext").exists()
    if not pdf_text_readable:
        _soffice(tmp_path / "profile", "txt:Text", out / "text", files)
    for path, document in zip(files, documents, strict=True):
        pdf = out / path.with_suffix(".pdf").name
        assert pdf.exists(), f"LibreOffice did not convert {document.name}"
        content = pdf.read_bytes()
        assert content.startswith(b"%PDF"), document.name
        pages = len(re.findall(rb"/Type\s*/Page\b", content))
        assert pages >= 1, document.name
        text = _squeezed(_pdf_text(pdf, out))
        for says in document.says:
            assert _squeezed(says) in text, (document.name, says)
        if pdf_text_readable:  # the footer's fields, filled in by LibreOffice
            assert f"第{pages}页共{pages}页" in text, document.name
