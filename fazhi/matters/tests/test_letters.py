"""The reply letter of a disclosure request (答复书, decision 0078): the legal basis of every reply
type and reason, the history of the request, the remedies sentence; the page and the API
download; refused before the reply, out of scope a 404."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from docx import Document
from rest_framework.test import APIClient

from fazhi.core import errors
from fazhi.core.testing import at
from fazhi.core.tests import docx_package
from fazhi.matters import letters
from fazhi.matters.models import DISCLOSURE_REPLIES, REPLY_REASONS, Matter, ReplyType
from fazhi.matters.services import disclosure as svc
from fazhi.matters.tests.support import World, disclosure, make_world, petition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(dt.date(2025, 10, 20)), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def text_of(content: bytes) -> str:
    assert docx_package.problems(content) == []  # what Word refuses (decision 0087)
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def replied(
    world: World, reply_type: str, reason: str = "", matter: Matter | None = None
) -> Matter:
    return svc.disclosure_reply(
        actor=world.officer,
        matter=matter or disclosure(world),
        reply_type=reply_type,
        reason=reason,
        reply_text="具体答复内容见附件。",
        on=dt.date(2025, 10, 15),
    )


def test_every_reply_type_and_reason_has_its_legal_basis():
    for reply_type in DISCLOSURE_REPLIES:
        reasons = [code for code, _ in REPLY_REASONS.get(reply_type, ())]
        for reason in reasons or [""]:
            if (reply_type, reason) == (ReplyType.OTHER, "other"):
                continue  # 其他: no article set out
            assert (reply_type, reason) in letters.LEGAL_BASIS, (reply_type, reason)


def test_withheld_letter_names_the_reason_the_articles_and_the_remedies(world):
    matter = replied(world, ReplyType.WITHHELD, "case_file")
    letter = letters.reply_letter(user=world.officer, matter_id=matter.pk)
    text = text_of(letter.content)
    assert letters.TITLE in text and "李四：" in text
    assert "2025年9月26日收到您提出的政府信息公开申请" in text
    assert "“属于行政执法案卷”" in text
    assert "《中华人民共和国政府信息公开条例》第十六条第二款、第三十六条第（三）项" in text
    assert "本机关决定不予公开" in text and "具体答复内容见附件。" in text
    assert "六十日内" in text and "六个月内" in text and "提起行政诉讼" in text
    assert "2025年10月15日" in text


def test_letter_tells_the_correction_consultation_and_extension(world):
    matter = svc.disclosure_request_correction(
        actor=world.officer, matter=disclosure(world), on=dt.date(2025, 9, 29), items="请写明年度"
    )
    matter = svc.disclosure_correct(actor=world.officer, matter=matter, on=dt.date(2025, 9, 30))
    matter = svc.disclosure_consult(
        actor=world.officer, matter=matter, on=dt.date(2025, 10, 10), third_party="某医院"
    )
    matter = svc.disclosure_end_consultation(
        actor=world.officer, matter=matter, on=dt.date(2025, 10, 14)
    )
    matter = svc.disclosure_extend(
        actor=world.officer,
        matter=matter,
        approved_by=world.head,
        approved_on=dt.date(2025, 10, 14),
        reason="需要检索历年档案",
    )
    matter = replied(world, ReplyType.PUBLIC, matter=matter)
    text = text_of(letters.reply_letter(user=world.officer, matter_id=matter.pk).content)
    assert "2025年9月29日告知您补正申请，并于2025年9月30日收到补正后的申请" in text
    assert "2025年10月10日书面征求第三方意见" in text
    assert "答复期限已延长" in text
    assert "第三十六条第（二）项" in text and "本机关决定予以公开" in text


def test_letter_refused_before_the_reply_and_for_a_petition(world):
    with pytest.raises(errors.Conflict) as exc:
        letters.reply_letter(user=world.officer, matter_id=disclosure(world).pk)
    assert exc.value.code == "reply_letter_unavailable"
    with pytest.raises(errors.Conflict):
        letters.reply_letter(user=world.officer, matter_id=petition(world).pk)


def test_page_and_api_download(world):
    matter = replied(world, ReplyType.UNAVAILABLE, "not_held")
    client = Client()
    client.force_login(world.viewer)
    page = client.get(reverse("matters:matter_reply_letter", args=[matter.pk]))
    assert page.status_code == 200 and page["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    assert "第三十六条第（四）项、第（五）项" in text_of(page.content)
    detail = client.get(reverse("matters:matter_detail", args=[matter.pk])).content.decode()
    assert "下载答复书" in detail
    waiting = disclosure(world)
    refused = client.get(reverse("matters:matter_reply_letter", args=[waiting.pk]))
    assert refused.status_code == 302 and refused["X-Error-Code"] == "reply_letter_unavailable"
    api = APIClient()
    api.force_authenticate(world.officer)
    assert api.get(f"/api/matters/{matter.pk}/reply-letter/").status_code == 200
    conflict = api.get(f"/api/matters/{waiting.pk}/reply-letter/")
    assert conflict.status_code == 409
    stranger = APIClient()
    stranger.force_authenticate(world.stranger)
    assert stranger.get(f"/api/matters/{matter.pk}/reply-letter/").status_code == 404
