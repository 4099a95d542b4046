"""Deputies' suggestions and CPPCC proposals: the tables, each service's success, guards, bad
input, permission and scope, the clocks (months from the assignment), the figures, the pages
with their query counts, the API and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from fazhi.core import clock, errors, workflow
from fazhi.core.models import AuditEvent, Deadline
from fazhi.core.testing import at
from fazhi.matters.events import MatterEvent
from fazhi.matters.models import Matter, MatterKind, MatterState, ReplyType, RequesterKind
from fazhi.matters.models_proposals import HandlingRole, ProposalDetail
from fazhi.matters.selectors import matters as matter_selectors
from fazhi.matters.selectors.proposals import proposal_figures
from fazhi.matters.services import proposals as svc
from fazhi.matters.services.satisfaction import matter_record_satisfaction
from fazhi.matters.tests.support import TODAY, World, make_world
from fazhi.matters.workflows import PROPOSAL, SUGGESTION

pytestmark = pytest.mark.django_db
ASSIGNED = dt.date(2025, 5, 30)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(at(TODAY), tick=True):
        yield


@pytest.fixture
def world() -> World:
    return make_world()


def register(world: World, **kw: Any) -> Matter:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "kind": MatterKind.SUGGESTION,
        "reference": "第0012号",
        "session": "十四届三次会议",
        "role": HandlingRole.LEAD,
        "assigned_on": ASSIGNED,
        "requester_kind": RequesterKind.DEPUTY,
        "requester_name": "王代表",
        "title": "关于加强基层医疗机构建设的建议",
        "content": "建议增加村卫生室的设备投入。",
    }
    values.update(kw)
    return svc.proposal_register(**values)


def clocks(matter: Matter) -> dict[str, Deadline]:
    return {d.rule_key: d for d in matter_selectors.matter_deadlines(matter=matter)}


def replied(world: World, **kw: Any) -> Matter:
    return svc.proposal_reply(
        actor=world.officer,
        matter=register(world, **kw),
        reply_type=ReplyType.PLANNED,
        reply_text="已列入明年计划。",
        on=dt.date(2025, 8, 20),
    )


def test_tables_are_registered():
    assert workflow._registry["suggestion"] is SUGGESTION
    assert workflow._registry["proposal"] is PROPOSAL


def test_register_starts_the_three_month_reply_clock(world):
    matter = register(world)
    assert matter.state == MatterState.RECEIVED
    assert matter.received_on == ASSIGNED
    detail = ProposalDetail.objects.get(matter=matter)
    assert detail.role == HandlingRole.LEAD and detail.reference == "第0012号"
    reply = clocks(matter)["proposal.reply"]
    # three months from Fri 05-30 end on Sat 08-30: the next working day
    assert reply.due_date == dt.date(2025, 9, 1)
    assert AuditEvent.objects.filter(action=MatterEvent.RECEIVED, object_id=str(matter.pk)).exists()


def test_a_co_handler_gets_the_one_month_opinion_clock_and_sends_its_opinion(world):
    matter = register(world, role=HandlingRole.CO, lead_unit="区教育局")
    c = clocks(matter)
    assert set(c) == {"proposal.co_opinion"}
    # one month from Fri 05-30 is Mon 06-30
    assert c["proposal.co_opinion"].due_date == dt.date(2025, 6, 30)
    with pytest.raises(errors.Conflict) as exc:
        svc.proposal_reply(
            actor=world.officer, matter=matter, reply_type=ReplyType.SOLVED, reply_text="", on=TODAY
        )
    assert exc.value.code == "not_lead"
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.proposal_submit_opinion(actor=world.officer, matter=matter, reply_text="", on=TODAY)
    assert exc_v.value.code == "opinion_required"
    done = svc.proposal_submit_opinion(
        actor=world.officer, matter=matter, reply_text="同意主办单位意见。", on=dt.date(2025, 6, 20)
    )
    assert done.state == MatterState.CLOSED
    assert clocks(done)["proposal.co_opinion"].state == "met"


def test_a_closed_co_handled_proposal_takes_no_feedback(world):
    matter = register(
        world,
        kind=MatterKind.PROPOSAL,
        requester_kind=RequesterKind.MEMBER,
        role=HandlingRole.CO,
        lead_unit="区教育局",
    )
    done = svc.proposal_submit_opinion(
        actor=world.officer, matter=matter, reply_text="同意主办单位意见。", on=dt.date(2025, 6, 20)
    )
    assert done.state == MatterState.CLOSED
    before = AuditEvent.objects.count()
    with pytest.raises(errors.Conflict) as exc:
        matter_record_satisfaction(actor=world.officer, matter=done, satisfaction="satisfied")
    assert exc.value.code == "co_handled_no_feedback"
    done.refresh_from_db()
    assert done.satisfaction == "" and AuditEvent.objects.count() == before
    client = Client()
    client.force_login(world.officer)
    page = client.get(f"/matters/{done.pk}/").content.decode()
    assert "登记满意度" not in page
    response = client.post(f"/matters/{done.pk}/satisfaction/", {"satisfaction": "satisfied"})
    assert response.status_code == 302
    done.refresh_from_db()
    assert done.satisfaction == ""


def test_a_co_handler_needs_the_lead_unit(world):
    with pytest.raises(errors.ValidationFailed) as exc:
        register(world, role=HandlingRole.CO)
    assert exc.value.code == "lead_unit_required"
    assert not Matter.objects.exists()


def test_the_lead_cannot_send_a_co_opinion(world):
    with pytest.raises(errors.Conflict) as exc:
        svc.proposal_submit_opinion(
            actor=world.officer, matter=register(world), reply_text="意见", on=TODAY
        )
    assert exc.value.code == "not_co_handler"


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"kind": MatterKind.PETITION}, "bad_kind"),
        ({"role": "boss"}, "bad_role"),
        ({"requester_kind": RequesterKind.MEMBER}, "bad_requester"),
        ({"reference": " "}, "reference_required"),
        ({"requester_name": ""}, "requester_name_required"),
        ({"assigned_on": None}, "assigned_on_required"),
        ({"assigned_on": TODAY + dt.timedelta(days=1)}, "date_in_future"),
        ({"headcount": 0}, "bad_headcount"),
        ({"title": "x" * 201}, "title_too_long"),
    ],
)
def test_register_refuses_bad_input(world, kw, code):
    with pytest.raises(errors.ValidationFailed) as exc:
        register(world, **kw)
    assert exc.value.code == code
    assert not Matter.objects.exists()


def test_a_reference_is_registered_once_a_year(world):
    register(world)
    with pytest.raises(errors.Conflict) as exc:
        register(world)
    assert exc.value.code == "duplicate_reference"
    assert Matter.objects.count() == 1
    register(world, kind=MatterKind.PROPOSAL, requester_kind=RequesterKind.MEMBER)
    assert Matter.objects.count() == 2


def test_register_needs_the_capability_and_the_scope(world):
    with pytest.raises(errors.PermissionDenied):
        register(world, actor=world.viewer)
    with pytest.raises(errors.PermissionDenied):
        register(world, actor=world.stranger)
    assert not Matter.objects.exists()


def test_reply_refusals_then_success(world):
    matter = register(world)
    for reply_type, on, code in [
        ("", dt.date(2025, 7, 1), "reply_type_required"),
        (ReplyType.SUPPORT, dt.date(2025, 7, 1), "reply_type_required"),
        (ReplyType.SOLVED, dt.date(2025, 5, 1), "date_before_receipt"),
        (ReplyType.SOLVED, None, "on_required"),
    ]:
        with pytest.raises(errors.ValidationFailed) as exc:
            svc.proposal_reply(
                actor=world.officer, matter=matter, reply_type=reply_type, reply_text="", on=on
            )
        assert exc.value.code == code
    matter.refresh_from_db()
    assert matter.state == MatterState.RECEIVED and not matter.reply_type
    with pytest.raises(errors.PermissionDenied):
        svc.proposal_reply(
            actor=world.stranger,
            matter=matter,
            reply_type=ReplyType.SOLVED,
            reply_text="",
            on=dt.date(2025, 7, 1),
        )
    late = svc.proposal_reply(
        actor=world.officer,
        matter=matter,
        reply_type=ReplyType.SOLVED,
        reply_text="已解决。",
        on=dt.date(2025, 9, 2),
    )
    assert late.state == MatterState.REPLIED
    assert clocks(late)["proposal.reply"].state == "late"


def test_close_needs_the_feedback_and_a_follow_up_when_unsatisfied(world):
    matter = replied(world)
    with pytest.raises(errors.Conflict) as exc:
        svc.proposal_close(actor=world.officer, matter=matter, on=TODAY)
    assert exc.value.code == "feedback_required"
    with pytest.raises(errors.Conflict) as exc:
        svc.proposal_follow_up(actor=world.officer, matter=matter, reason="代表不满意", on=TODAY)
    assert exc.value.code == "not_unsatisfied"
    matter = matter_record_satisfaction(
        actor=world.officer, matter=matter, satisfaction="unsatisfied"
    )
    with pytest.raises(errors.Conflict) as exc:
        svc.proposal_close(actor=world.officer, matter=matter, on=TODAY)
    assert exc.value.code == "follow_up_required"
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.proposal_follow_up(actor=world.officer, matter=matter, reason="", on=TODAY)
    assert exc_v.value.code == "reason_required"
    again = svc.proposal_follow_up(
        actor=world.officer, matter=matter, reason="代表认为进度太慢", on=dt.date(2025, 9, 1)
    )
    assert again.state == MatterState.FOLLOW_UP and again.satisfaction == ""
    assert ProposalDetail.objects.get(matter=again).follow_ups == 1
    event = AuditEvent.objects.get(action=MatterEvent.FOLLOWED_UP, object_id=str(again.pk))
    assert event.details["earlier_satisfaction"] == "unsatisfied"
    assert clocks(again)["proposal.follow_up"].due_date == dt.date(2025, 10, 9)  # after 国庆
    with pytest.raises(errors.ValidationFailed) as exc_v:
        svc.proposal_reply(
            actor=world.officer,
            matter=again,
            reply_type=ReplyType.SOLVED,
            reply_text="",
            on=dt.date(2025, 8, 25),  # before the first reply
        )
    assert exc_v.value.code == "date_before_receipt"
    second = svc.proposal_reply(
        actor=world.officer,
        matter=again,
        reply_type=ReplyType.SOLVED,
        reply_text="已增加设备。",
        on=dt.date(2025, 9, 20),
    )
    assert clocks(second)["proposal.follow_up"].state == "met"
    second = matter_record_satisfaction(actor=world.officer, matter=second, satisfaction="basic")
    closed = svc.proposal_close(actor=world.officer, matter=second, on=dt.date(2025, 9, 25))
    assert closed.state == MatterState.CLOSED and closed.closed_on == dt.date(2025, 9, 25)


def test_figures_count_the_answered_rate_per_kind(world):
    for n in range(3):
        replied(world, reference=f"第{n}号")
    register(world, reference="第9号")  # not answered yet
    register(world, reference="第10号", role=HandlingRole.CO, lead_unit="区财政局")
    register(
        world,
        kind=MatterKind.PROPOSAL,
        requester_kind=RequesterKind.MEMBER,
        assigned_on=dt.date(2024, 3, 1),
    )  # another year
    figures = {f.kind: f for f in proposal_figures(user=world.officer, year=2025)}
    s = figures["suggestion"]
    assert (s.assigned, s.led, s.co_handled, s.answered) == (5, 4, 1, 3)
    assert s.answered_rate == 75.0
    assert s.on_time == 3 and s.by_class[ReplyType.PLANNED] == 3
    assert figures["proposal"].assigned == 0 and figures["proposal"].answered_rate is None
    assert proposal_figures(user=world.stranger, year=2025)[0].assigned == 0


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_list_page_filters_exports_and_counts_queries(world, django_assert_max_num_queries):
    for n in range(8):
        register(world, reference=f"第{n}号", title=f"建议{n}")
    client = login(world.officer)
    with django_assert_max_num_queries(12):
        response = client.get("/matters/proposals/")
    body = response.content.decode()
    assert response.status_code == 200 and "建议7" in body and "第7号" in body
    assert "suggestion" not in body.split("<table", 1)[1]  # no internal codes in the rows
    assert client.get("/matters/proposals/?kind=petition").status_code == 400
    response = client.get("/matters/proposals/?year=2025&format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["2025年统计", "建议提案"]
    assert book["建议提案"].max_row == 9
    assert login(world.stranger).get("/matters/proposals/").status_code == 200
    page = client.get("/matters/proposals/figures/?year=2025").content.decode()
    assert "答复率（%）" in page and "人大代表建议" in page
    figures = client.get("/matters/proposals/figures/?year=2025&format=xlsx")
    assert load_workbook(io.BytesIO(figures.content))["2025年统计"]["B2"].value == 8


def test_register_page_detail_and_steps(world):
    client = login(world.officer)
    form = client.get("/matters/proposals/new/proposal/").content.decode()
    assert f'name="assigned_on" value="{clock.today().isoformat()}"' in form
    response = client.post(
        "/matters/proposals/new/proposal/",
        {
            "reference": "第0101号",
            "role": "lead",
            "assigned_on": "2025-06-03",
            "requester_kind": "member",
            "requester_name": "李委员",
            "title": "关于加强医疗纠纷调解的提案",
            "content": "建议完善医调委工作机制。",
        },
    )
    matter = Matter.objects.get()
    assert response.status_code == 302
    detail = client.get(f"/matters/{matter.pk}/").content.decode()
    assert "第0101号" in detail and "答复代表委员" in detail and "（A类）" in detail
    response = client.post(f"/matters/{matter.pk}/reply/", {"on": "2025-07-01"}, follow=True)
    assert "请选择答复类型" in response.content.decode()
    client.post(f"/matters/{matter.pk}/reply/", {"on": "2025-07-01", "reply_type": "solved"})
    matter.refresh_from_db()
    assert matter.state == MatterState.REPLIED
    bad = client.post(
        "/matters/proposals/new/proposal/", {"reference": "", "assigned_on": "2025-13-01"}
    )
    assert bad.status_code in (200, 400) and Matter.objects.count() == 1
    response = client.post(
        "/matters/proposals/new/suggestion/",
        {"reference": "", "role": "lead", "assigned_on": "2025-06-03", "requester_kind": "deputy"},
    )
    assert response.status_code == 200 and "请填写编号" in response.content.decode()
    assert login(world.viewer).get("/matters/proposals/new/proposal/").status_code == 403


def test_api_registers_lists_and_counts(world):
    api = APIClient()
    api.force_authenticate(world.officer)
    payload = {
        "kind": "suggestion",
        "reference": "第0200号",
        "role": "lead",
        "assigned_on": "2025-06-03",
        "requester_kind": "deputy",
        "requester_name": "赵代表",
        "title": "关于社区卫生服务的建议",
        "content": "内容",
    }
    response = api.post("/api/matters/proposals/", payload, format="json")
    assert response.status_code == 201, response.content
    matter_id = response.json()["id"]
    again = api.post("/api/matters/proposals/", payload, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate_reference"
    bad = api.post("/api/matters/proposals/", {**payload, "role": "x"}, format="json")
    assert bad.status_code == 400
    listed = api.get("/api/matters/proposals/?year=2025").json()
    assert listed["results"][0]["proposal"]["reference"] == "第0200号"
    step = api.post(
        f"/api/matters/{matter_id}/reply/",
        {"reply_type": "explained", "on": "2025-07-01"},
        format="json",
    )
    assert step.status_code == 200 and step.json()["state"] == "replied"
    figures = api.get("/api/matters/proposals/figures/?year=2025").json()
    assert figures[0]["answered"] == 1 and figures[0]["answered_rate"] == 100.0
    viewer = APIClient()
    viewer.force_authenticate(world.viewer)
    assert viewer.post("/api/matters/proposals/", payload, format="json").status_code == 403


def test_the_diagram_in_docs_matches_the_tables():
    from pathlib import Path

    from fazhi.core.workflow import mermaid

    text = (Path(__file__).resolve().parents[3] / "docs" / "proposals.md").read_text("utf-8")
    for table in (SUGGESTION, PROPOSAL):
        assert f"```mermaid\n{mermaid(table)}\n```" in text, table.name
