"""The reply letter of a disclosure request (政府信息公开申请答复书) as .docx, generated from the
stored reply on every download and never stored (as the case documents: decision 0053; the
letter's content: decision 0078).

The letter names the request (receipt, correction, consultation, extension), the reply with its
legal basis in 政府信息公开条例 by type and reason (``LEGAL_BASIS``), the officer's reply text, and
the remedies sentence (条例 第五十一条; 行政复议法 第二十条: 60 days; 行政诉讼法 第四十六条: six
months), with the reconsideration body and the court worked out as for the case documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from fazhi.core import errors
from fazhi.core.models import AuditEvent, User
from fazhi.enforcement.documents.facts import region_of
from fazhi.enforcement.documents.layout import Page, chinese_date
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterKind, ReplyType, RequesterKind
from fazhi.matters.selectors.matters import matter_get

LAW = "《中华人民共和国政府信息公开条例》"
TITLE = "政府信息公开申请答复书"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (type, reason) → the articles the reply rests on; "" is the type without a reason
LEGAL_BASIS: dict[tuple[str, str], str] = {
    (ReplyType.PUBLIC, ""): "第三十六条第（二）项",
    (ReplyType.PARTIAL, ""): "第三十七条",
    (ReplyType.WITHHELD, "state_secret"): "第十四条、第三十六条第（三）项",
    (ReplyType.WITHHELD, "law_forbids"): "第十四条、第三十六条第（三）项",
    (ReplyType.WITHHELD, "security"): "第十四条、第三十六条第（三）项",
    (ReplyType.WITHHELD, "third_party"): "第十五条、第三十六条第（三）项",
    (ReplyType.WITHHELD, "internal"): "第十六条第一款、第三十六条第（三）项",
    (ReplyType.WITHHELD, "process"): "第十六条第二款、第三十六条第（三）项",
    (ReplyType.WITHHELD, "case_file"): "第十六条第二款、第三十六条第（三）项",
    (ReplyType.WITHHELD, "inquiry"): "第三十六条第（七）项",
    (ReplyType.UNAVAILABLE, "not_held"): "第三十六条第（四）项、第（五）项",
    (ReplyType.UNAVAILABLE, "needs_making"): "第三十八条",
    (ReplyType.UNAVAILABLE, "still_unclear"): "第三十条",
    (ReplyType.NOT_PROCESSED, "petition"): "第三十九条第一款",
    (ReplyType.NOT_PROCESSED, "repeat"): "第三十六条第（六）项",
    (ReplyType.NOT_PROCESSED, "publication"): "第三十九条第二款",
    (ReplyType.NOT_PROCESSED, "excessive"): "第三十五条",
    (ReplyType.NOT_PROCESSED, "confirm"): "第三十六条第（六）项",
    (ReplyType.OTHER, "no_correction"): "第三十条",
    (ReplyType.OTHER, "no_fee"): "第四十二条",
}

# what the office decided, by type (the sentence after "根据……的规定，")
DECISION: dict[str, str] = {
    ReplyType.PUBLIC: "本机关决定予以公开",
    ReplyType.PARTIAL: "本机关决定对可以公开的部分予以公开，其余部分不予公开",
    ReplyType.WITHHELD: "本机关决定不予公开",
    ReplyType.UNAVAILABLE: "本机关无法提供您申请的政府信息",
    ReplyType.NOT_PROCESSED: "本机关对您的申请不予处理",
    ReplyType.OTHER: "本机关不再处理您的申请",
}


@dataclass(frozen=True)
class ReplyLetter:
    file_name: str
    content: bytes


def legal_basis(matter: Matter) -> str:
    """The articles of the regulation the reply rests on; "" where none is set out (其他)."""
    key = (matter.reply_type, matter.reply_reason if matter.reply_reason else "")
    articles = LEGAL_BASIS.get(key) or LEGAL_BASIS.get((matter.reply_type, ""), "")
    return f"{LAW}{articles}" if articles else ""


def remedies_sentence(matter: Matter) -> str:
    region = region_of(matter.organisation)
    body = f"{region}人民政府" if region else "本机关的本级人民政府"
    court = f"{region}人民法院" if region else "有管辖权的人民法院"
    return (
        f"如对本答复不服，可以自收到本答复书之日起六十日内向{body}申请行政复议，"
        f"或者自收到本答复书之日起六个月内向{court}提起行政诉讼。"
    )


def _addressee(matter: Matter) -> str:
    return matter.requester_name or "申请人"


def _you(matter: Matter) -> str:
    return "您" if matter.requester_kind == RequesterKind.PERSON else "你单位"


def _history(matter: Matter, extended: bool) -> list[str]:
    you = _you(matter)
    lines = [
        f"本机关于{chinese_date(matter.received_on)}收到{you}提出的政府信息公开申请，"
        f"申请获取“{matter.title}”。"
    ]
    if matter.correction_requested_on:
        lines.append(
            f"本机关于{chinese_date(matter.correction_requested_on)}告知{you}补正申请"
            + (
                f"，并于{chinese_date(matter.corrected_on)}收到补正后的申请。"
                if matter.corrected_on
                else "。"
            )
        )
    if matter.consultation_started_on:
        lines.append(
            f"因申请公开的信息涉及第三方合法权益，本机关于"
            f"{chinese_date(matter.consultation_started_on)}书面征求第三方意见，"
            f"征求意见所需时间不计算在答复期限内。"
        )
    if extended:
        lines.append("经本机关政府信息公开工作机构负责人同意，答复期限已延长并告知" + you + "。")
    return lines


def build(matter: Matter, *, extended: bool = False) -> Page:
    """The letter of a replied (or abandoned) disclosure request."""
    if matter.kind != MatterKind.DISCLOSURE or not matter.reply_type:
        raise errors.Conflict(
            "尚未作出答复的政府信息公开申请没有答复书。", code="reply_letter_unavailable"
        )
    agency = matter.organisation.name
    page = Page(agency=agency, title=TITLE, number="〔    〕 号")
    page.line(f"{_addressee(matter)}：")
    page.paras(_history(matter, extended))
    basis = legal_basis(matter)
    reason = matter.reply_reason_label
    decision = DECISION.get(matter.reply_type, "本机关答复如下")
    sentence = "经审查，"
    if reason:
        sentence += f"{_you(matter)}的申请属于“{reason}”的情形。"
    if basis:
        sentence += f"根据{basis}的规定，{decision}。"
    else:
        sentence += f"{decision}。"
    page.para(sentence)
    if matter.reply_text:
        page.paras([matter.reply_text])
    page.para(remedies_sentence(matter))
    page.para("特此告知。")
    page.signature(agency, matter.replied_on)
    return page


def _was_extended(matter: Matter) -> bool:
    return AuditEvent.objects.filter(
        object_type=Matter._meta.label_lower, object_id=str(matter.pk), action=MatterEvent.EXTENDED
    ).exists()


def reply_letter(*, user: User | Any, matter_id: int) -> ReplyLetter:
    """The letter of a request in the user's scope (``matter.view``; out of scope: 404)."""
    matter = matter_get(user=user, matter_id=matter_id)
    page = build(matter, extended=_was_extended(matter))
    return ReplyLetter(file_name=f"政府信息公开申请答复书-{matter.pk}.docx", content=page.bytes())


def letter_response(letter: ReplyLetter) -> HttpResponse:
    """The page's and the API's download of a letter."""
    response = HttpResponse(letter.content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, letter.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
