"""Case documents (执法文书): every document type generates and re-opens with python-docx with
the party, its number, the amounts in capitals and the rights; only what the case's state
allows; scope and permission; the batch job."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from fazhi.core import errors
from fazhi.core.models import Job, Role
from fazhi.core.testing import at
from fazhi.core.tests import docx_package
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.documents import catalogue, decision, facts, layout
from fazhi.enforcement.documents import jobs as document_jobs
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services import case_execution, case_steps
from fazhi.enforcement.tests.case_support import (
    CaseWorld,
    decide_on_the_spot,
    file_case,
    investigate,
    make_case_world,
    notify,
    to_decision,
)

pytestmark = pytest.mark.django_db


def move(clock: Any, day: dt.date) -> None:
    clock.move_to(at(day))


@pytest.fixture
def cw(clock: Any) -> CaseWorld:
    move(clock, dt.date(2025, 9, 1))
    return make_case_world()


def text_of(content: bytes) -> str:
    """Every paragraph and table cell of a .docx, re-opened with python-docx."""
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def doc(case: PenaltyCase, key: str, today: dt.date | None = None) -> str:
    rendered = catalogue.render(case, key, today)
    assert rendered.filename.endswith(".docx")
    assert rendered.content[:2] == b"PK"
    assert docx_package.problems(rendered.content) == []  # what Word refuses (decision 0087)
    return text_of(rendered.content)


def keys(case: PenaltyCase, today: dt.date | None = None) -> list[str]:
    return [key for key, _ in catalogue.available(case, today)]


def walk_with_hearing(cw: CaseWorld, clock: Any) -> PenaltyCase:
    """Filed → notified (12,000: hearing right) → reviewed → heard → reviewed → deliberated →
    decided → served on 2025-09-22."""
    case = notify(cw, investigate(cw, file_case(cw)), fine="12000")
    assert case.hearing_right
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="同意")
    move(clock, dt.date(2025, 9, 8))
    case = case_steps.case_request_hearing(actor=cw.handler, case=case, on=dt.date(2025, 9, 8))
    case = case_steps.case_schedule_hearing(
        actor=cw.handler, case=case, hearing_on=dt.date(2025, 9, 18)
    )
    move(clock, dt.date(2025, 9, 18))
    case = case_steps.case_hold_hearing(actor=cw.handler, case=case)
    case = case_steps.case_review(actor=cw.reviewer, case=case, opinion="听证后审核同意")
    case = case_steps.case_deliberate(actor=cw.leader, case=case, summary="集体讨论同意")
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine="12000")
    move(clock, dt.date(2025, 9, 22))
    return case_steps.case_serve(actor=cw.handler, case=case)


def test_every_document_of_a_case_walked_to_closure(cw, clock):
    assert keys(file_case(cw)) == [
        "case_source",
        "filing_report",
        "onsite_record",
        "interview_record",
    ]
    case = walk_with_hearing(cw, clock)
    party = case.entity.name
    assert keys(case) == [
        "case_source",
        "filing_report",
        "onsite_record",
        "interview_record",
        "investigation_report",
        "legal_review",
        "deliberation",
        "penalty_notice",
        "hearing_notice",
        "hearing_record",
        "decision",
        "service_receipt",
        "closure_report",
    ]
    texts = {key: doc(case, key) for key in keys(case)}
    for key, text in texts.items():
        assert party in text, key
    capitals = "人民币壹万贰仟元整（¥12,000.00）"
    for key in ("penalty_notice", "decision", "legal_review", "closure_report"):
        assert capitals in texts[key], key
    decision_text = texts["decision"]
    assert decision_text.startswith(facts.deciding_agency(case).name)
    assert "行政处罚决定书" in decision_text and "不予" not in decision_text.splitlines()[1]
    assert case.decision_number and case.decision_number in decision_text
    assert case.decision_number in texts["service_receipt"]
    region = facts.region_of(facts.deciding_agency(case))
    assert region
    assert f"六十日内向{region}人民政府申请行政复议" in decision_text
    assert f"六个月内依法向{region}人民法院提起行政诉讼" in decision_text
    assert "行政复议法》第二十条" in decision_text and "行政诉讼法》第四十六条" in decision_text
    assert "举行了听证" in decision_text and "百分之三加处罚款" in decision_text
    assert "要求听证" in texts["penalty_notice"] and "五个工作日" in texts["penalty_notice"]
    assert "2025年9月18日" in texts["hearing_notice"]
    assert "听证后审核同意" in texts["legal_review"]
    assert "集体讨论同意" in texts["deliberation"]
    assert "2025年9月18日" in texts["hearing_record"] and "执法证号" in texts["onsite_record"]
    # the fine unpaid after its period (due 2025-10-09 after the National Day holiday)
    due = case_execution.payment_due(case)
    assert due is not None
    assert "demand_notice" not in keys(case, due)
    late = due + dt.timedelta(days=5)
    assert "demand_notice" in keys(case, late)
    demand = doc(case, "demand_notice", late)
    assert party in demand and case.decision_number in demand and capitals in demand
    assert "加处罚款人民币壹仟捌佰元整（¥1,800.00）" in demand  # 5 × 3% × 12,000
    assert "十日内履行" in demand and "申请人民法院强制执行" in demand
    move(clock, late)
    case = case_steps.case_execute(actor=cw.handler, case=case, paid_amount="13800")
    case = case_steps.case_close(actor=cw.handler, case=case)
    assert "demand_notice" not in keys(case)
    closure = doc(case, "closure_report")
    assert "实缴人民币壹万叁仟捌佰元整" in closure and "加处罚款人民币壹仟捌佰元整" in closure


@pytest.mark.parametrize("outcome", ["first_minor", "no_penalty", "not_established"])
def test_a_decision_without_penalty_has_its_own_title_and_the_rights(cw, outcome):
    case = notify(cw, investigate(cw, file_case(cw)), fine="2000")
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    case = case_steps.case_decide(actor=cw.leader, case=case, outcome=outcome)
    assert decision.title(case) == "不予行政处罚决定书"
    assert dict(catalogue.available(case))["decision"] == "不予行政处罚决定书"
    text = doc(case, "decision")
    assert text.splitlines()[1] == "不予行政处罚决定书"
    assert case.decision_number in text and case.entity.name in text
    assert "六十日内" in text and "六个月内" in text and "罚款" not in text
    assert "放弃陈述、申辩" in text
    rendered = catalogue.render(case, "decision")
    assert rendered.filename == f"不予行政处罚决定书（{case.decision_number}）.docx"


def test_a_small_penalty_notice_gives_no_hearing_right_and_amounts_in_capitals(cw):
    case = to_decision(cw, file_case(cw), fine="2000.50")
    notice = doc(case, "penalty_notice")
    assert "要求听证" not in notice and "人民币贰仟元伍角（¥2,000.50）" in notice
    assert "人民币贰仟元伍角" in doc(case, "decision")
    assert "hearing_notice" not in keys(case) and "legal_review" not in keys(case)


def test_an_on_the_spot_penalty_goes_to_reconsideration_first(cw):
    case = decide_on_the_spot(cw)
    text = doc(case, "decision")
    assert text.splitlines()[1] == "当场行政处罚决定书"
    assert "《公共场所卫生管理条例》第七条" in text
    assert "应当先申请行政复议" in text and "十五日内" in text
    assert "人民币贰佰元整" in text


def test_a_document_the_state_does_not_allow_or_an_unknown_one_is_refused(cw):
    case = file_case(cw)
    with pytest.raises(errors.Conflict) as clash:
        catalogue.render(case, "decision")
    assert clash.value.code == "case_document_unavailable"
    with pytest.raises(errors.NotFound):
        catalogue.render(case, "no_such_document")


def test_numbers_not_stored_are_left_for_the_pen(cw):
    case = notify(cw, investigate(cw, file_case(cw)))
    assert facts.stored_number(case, "penalty_notice") is None
    assert facts.NUMBER_BLANK in doc(case, "penalty_notice")


def test_the_remedies_name_the_government_and_court_of_the_agency(cw):
    case = file_case(cw)
    agency = facts.deciding_agency(case)
    assert agency == cw.org.parent  # the institute decides in its commission's name
    region = agency.name.removesuffix("卫生健康委员会")
    where = facts.remedies(case)
    assert where.reconsideration_body == f"{region}人民政府"
    assert where.court == f"{region}人民法院"


# --- pages and API --------------------------------------------------------------------------


def test_the_case_page_links_the_documents_and_the_download_is_a_docx(cw, client):
    case = to_decision(cw, file_case(cw))
    client.force_login(cw.handler)
    page = client.get(reverse("enforcement:case_detail", args=[case.pk]))
    assert page.status_code == 200
    url = reverse("enforcement:case_document", kwargs={"case_id": case.pk, "key": "decision"})
    assert url in page.content.decode()
    assert reverse(
        "enforcement:case_document", kwargs={"case_id": case.pk, "key": "closure_report"}
    ) not in (page.content.decode())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == catalogue.DOCX
    assert "attachment" in response["Content-Disposition"]
    assert case.decision_number in text_of(response.content)


def test_scope_permission_and_bad_input_on_the_pages(cw, client):
    case = to_decision(cw, file_case(cw))
    url = reverse("enforcement:case_document", kwargs={"case_id": case.pk, "key": "decision"})
    client.force_login(cw.w.stranger)  # another district's institute
    assert client.get(url).status_code == 404
    client.force_login(make_user(cw.org, Role.PETITION_OFFICER))
    assert client.get(url).status_code == 403
    client.force_login(cw.handler)
    assert client.get(f"/enforcement/cases/{case.pk}/documents/nothing.docx").status_code == 404
    early = file_case(cw)
    assert (
        client.get(
            reverse("enforcement:case_document", kwargs={"case_id": early.pk, "key": "decision"})
        ).status_code
        == 409
    )


def test_the_api_lists_and_serves_the_documents(cw, client):
    case = to_decision(cw, file_case(cw))
    client.force_login(cw.handler)
    listed = client.get(reverse("enforcement-case-documents", args=[case.pk]))
    assert listed.status_code == 200
    names = {row["key"]: row["name"] for row in listed.json()}
    assert names["decision"] == "行政处罚决定书" and "closure_report" not in names
    got = client.get(
        reverse("enforcement-case-document", kwargs={"case_id": case.pk, "key": "decision"})
    )
    assert got.status_code == 200 and case.decision_number in text_of(got.content)
    gone = client.get(
        reverse("enforcement-case-document", kwargs={"case_id": case.pk, "key": "closure_report"})
    )
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "case_document_unavailable"
    client.force_login(cw.w.stranger)
    assert client.get(reverse("enforcement-case-documents", args=[case.pk])).status_code == 404


def test_the_batch_job_zips_a_year_of_decisions_in_scope(cw, client, run_jobs):
    mine = [to_decision(cw, file_case(cw), fine=fine) for fine in ("100", "2000")]
    file_case(cw)  # no decision: not in the batch
    client.force_login(cw.handler)
    url = reverse("enforcement-case-documents-batch")
    bad = client.post(url, {"key": "decision", "year": 1900}, content_type="application/json")
    assert bad.status_code == 400
    bad = client.post(url, {"key": "nothing", "year": 2025}, content_type="application/json")
    assert bad.status_code == 400
    with run_jobs():
        started = client.post(
            url, {"key": "decision", "year": 2025}, content_type="application/json"
        )
    assert started.status_code == 202
    job = Job.objects.get(pk=started.json()["id"])
    assert job.state == "succeeded", job.summary if hasattr(job, "summary") else job
    assert job.done == 2
    download = client.get(reverse("core:job_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert len(names) == 2
        texts = [text_of(archive.read(name)) for name in names]
    for case in mine:
        assert any(case.decision_number in text for text in texts)
    # another institute's user: the same batch holds none of these cases
    with run_jobs():
        other = document_jobs.case_documents_batch_enqueue(
            actor=cw.w.stranger, key="decision", year=2025
        )
    other.refresh_from_db()
    assert other.state == "succeeded" and other.done == 0
    # without case.view: refused, on the API and in the service
    outsider = make_user(cw.org, Role.PETITION_OFFICER)
    client.force_login(outsider)
    refused = client.post(url, {"key": "decision", "year": 2025}, content_type="application/json")
    assert refused.status_code == 403
    with pytest.raises(errors.PermissionDenied):
        document_jobs.case_documents_batch_enqueue(actor=outsider, key="decision", year=2025)
    with pytest.raises(errors.ValidationFailed):
        document_jobs.case_documents_batch_enqueue(actor=cw.handler, key="decision", year="2025")


def test_the_batch_page_starts_the_job(cw, client, run_jobs):
    to_decision(cw, file_case(cw))
    client.force_login(cw.handler)
    url = reverse("enforcement:case_documents_batch")
    assert client.get(url).status_code == 200
    with run_jobs():
        response = client.post(url, {"key": "decision", "year": "2025"})
    assert response.status_code == 302
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.state == "succeeded"
    assert client.post(url, {"key": "decision", "year": "abc"}).status_code == 200


def test_amounts_are_exact_decimals_in_the_documents(cw):
    case = to_decision(cw, file_case(cw), fine="0.01")
    assert case.fine == Decimal("0.01")
    assert "人民币壹分（¥0.01）" in doc(case, "decision")


def test_the_preservation_decision_lists_the_items_and_their_decisions(cw):
    from fazhi.enforcement.services import cases

    case = file_case(cw)
    assert "preservation" not in keys(case)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    row = cases.case_evidence_preserve(
        actor=cw.handler, case=case, items="一次性毛巾200条", approved_by=cw.leader
    )
    cases.case_preservation_decide(actor=cw.handler, preservation=row, decision="予以退还")
    text = doc(case, "preservation")
    assert "一次性毛巾200条" in text and "予以退还" in text and case.entity.name in text
    assert "第五十六条" in text and facts.NUMBER_BLANK in text


def test_text_xml_forbids_is_cleaned_and_the_file_is_the_documents_own(clock):
    """A vertical tab (a line break pasted from Word or Excel) and other control characters
    would make python-docx refuse the text and the download fail (decision 0087)."""
    move(clock, dt.date(2025, 9, 1))
    assert layout.clean("甲\x0b乙\x0c丙\x07丁\x00\t戊\n") == "甲\n乙\n丙丁\t戊\n"
    page = layout.Page(agency="测\x01试卫生健康委员会", title="立案报告\x1f")
    page.para("事实\x0b证据\x08")
    page.table([("案由\x0c", "摘要\x02")])
    content = page.bytes()
    assert docx_package.problems(content) == []
    document = Document(io.BytesIO(content))
    text = text_of(content)
    assert "测试卫生健康委员会" in text and "事实\n证据" in text and "摘要" in text
    properties = document.core_properties
    assert properties.title == "立案报告" and properties.author == "测试卫生健康委员会"
    assert properties.created is not None and properties.created.date() == dt.date(2025, 9, 1)
    assert properties.comments == ""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert not [name for name in archive.namelist() if "thumbnail" in name]
