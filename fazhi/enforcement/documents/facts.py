"""What the documents say about a case beyond its own fields: whose name they bear, the stored
numbers, the officers, the reconsideration body and the court (decision 0054)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType

from fazhi.core.models import DocumentNumber, Organisation, OrganisationLevel
from fazhi.enforcement.documents.layout import BLANK
from fazhi.enforcement.models import PenaltyCase, PenaltyKind
from fazhi.enforcement.services.cases import numbering_organisation

# "〔    〕 号": a number the case has not stored is written by hand, never issued here
NUMBER_BLANK = "　　　〔　　　　〕　　号"
AGENCY_SUFFIXES = ("卫生健康委员会", "卫生健康局", "卫生和计划生育委员会", "卫生局", "卫健委")


def deciding_agency(case: PenaltyCase) -> Organisation:
    """The agency in whose name the case's acts towards the party are made: an institute's
    commission (decision 0040), else the case's organisation."""
    return numbering_organisation(case.organisation)


def region_of(agency: Organisation) -> str | None:
    """``"青川市东城区卫生健康局"`` → ``"青川市东城区"``; None when the name has no known suffix."""
    for suffix in AGENCY_SUFFIXES:
        if agency.name.endswith(suffix) and len(agency.name) > len(suffix):
            return agency.name.removesuffix(suffix)
    return None


@dataclass(frozen=True)
class Remedies:
    """Where the party challenges the decision (行政复议法 Art. 20, 24; 行政诉讼法 Art. 18, 46)."""

    reconsideration_body: str
    court: str


def remedies(case: PenaltyCase) -> Remedies:
    """The reconsideration body of a government department's act is the government at its level
    (行政复议法 Art. 24); the first-instance court is the basic court where the agency sits
    (行政诉讼法 Art. 14, 18) — named for a county-level agency, otherwise described, since a
    city's agency sits in one of its districts and courts may hear cases centrally."""
    agency = deciding_agency(case)
    region = region_of(agency)
    if region is None:
        return Remedies("本机关的本级人民政府", "有管辖权的人民法院")
    court = (
        f"{region}人民法院"
        if agency.level == OrganisationLevel.DISTRICT
        else f"{region}有管辖权的人民法院"
    )
    return Remedies(f"{region}人民政府", court)


def stored_number(case: PenaltyCase, type_key: str) -> str | None:
    """A number the case holds for a document type (issued inside the case's own services)."""
    if type_key == "penalty_decision":
        return case.decision_number or None
    row = (
        DocumentNumber.objects.filter(
            content_type=ContentType.objects.get_for_model(PenaltyCase),
            object_id=str(case.pk),
            document_type__key=type_key,
        )
        .order_by("-issued_at")
        .first()
    )
    return row.text if row else None


def violated_text(case: PenaltyCase) -> str:
    """The violated provision as the case holds it (decision 0068), else a line for the pen."""
    return case.violated_provision or BLANK


def penalty_text(case: PenaltyCase) -> str:
    """The penalty provision as the case holds it (decision 0068), else a line for the pen."""
    return case.penalty_provision or BLANK


def number_text(case: PenaltyCase, type_key: str) -> str:
    return stored_number(case, type_key) or NUMBER_BLANK


def party_lines(case: PenaltyCase) -> list[tuple[str, str]]:
    """The party as a document names it: name, identifier, address, representative."""
    entity = case.entity
    rows = [("当事人", entity.name)]
    if entity.is_individual:
        rows.append(("身份证件号码", entity.id_number))
    else:
        rows.append(("统一社会信用代码", entity.uscc))
        rows.append(("法定代表人（负责人）", entity.legal_representative))
    rows.append(("地址", entity.address))
    return rows


def officers(case: PenaltyCase) -> list[tuple[str, str]]:
    """(name, credential number) of the officers not recused."""
    found = []
    for link in case.case_officers.all():  # a batch prefetches the officers and credentials
        if link.recused_on is not None:
            continue
        credential = link.officer.valid_credential(case.filed_on)
        found.append((link.officer.name, credential.number if credential else ""))
    return found


def penalty_kinds_text(case: PenaltyCase, *, proposed: bool) -> str:
    """The penalties, with the amounts in capitals (proposed or decided)."""
    from fazhi.enforcement.documents.amounts import amount_both

    fine = case.proposed_fine if proposed else case.fine
    confiscation = case.proposed_confiscation if proposed else case.confiscation
    parts: list[str] = []
    for kind in case.penalty_kinds or []:
        if kind == PenaltyKind.FINE:
            if fine:
                parts.append(f"罚款{amount_both(fine)}")
        elif kind == PenaltyKind.CONFISCATION:
            if confiscation:
                parts.append(f"没收违法所得{amount_both(confiscation)}")
            else:
                parts.append("没收违法所得、没收非法财物")
        elif kind == PenaltyKind.WARNING:
            parts.append("警告")
        else:
            parts.append(PenaltyKind(kind).label)
    if fine and PenaltyKind.FINE not in (case.penalty_kinds or []):
        parts.append(f"罚款{amount_both(fine)}")
    return "；".join(parts) or "警告"


NUMERALS = "零一二三四五六七八九"
UNIT_WORDS = {"working_days": "个工作日", "calendar_days": "日", "months": "个月", "years": "年"}


def chinese_number(value: int) -> str:
    """1–99 in Chinese numerals as periods are written (五, 十五, 六十)."""
    if not 0 < value < 100:
        return str(value)
    tens, ones = divmod(value, 10)
    if not tens:
        return NUMERALS[ones]
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


def period_words(key: str, case: PenaltyCase, on: dt.date | None) -> str:
    """The period of rule ``key`` in force on ``on`` for the case's province, in words
    (``penalty.statement`` → ``"三个工作日"``): the notices say what the deadline engine counts."""
    from fazhi.core import clock, rules

    value = rules.rule(
        key, on=on or clock.today(), province=case.organisation.province_code()
    ).value
    return chinese_number(value.amount) + UNIT_WORDS.get(value.unit, "日")
