"""fazhi-draw/2 through the services: entropy bound to a future public event, witnesses that
add no veto, no grinding, server randomness for routine plans only, and the export's
verification. Each finding of issue #10 has a test here that v1's behaviour would fail."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

from fazhi.core import clock as project_clock
from fazhi.core import errors, testing
from fazhi.core.models import AuditEvent, Role
from fazhi.core.tests.factories import make_user
from fazhi.inspections import drawv2
from fazhi.inspections.events import DrawEvents
from fazhi.inspections.models import (
    AnnouncementState,
    DrawState,
    InspectionPlan,
    InspectionTask,
    PlanKind,
    RedrawState,
)
from fazhi.inspections.selectors.draws import export_draw, verify_stored_draw
from fazhi.inspections.services import announcements_v2 as a2
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import plan_update, stratum_add
from fazhi.inspections.tests.draw_support import DrawWorld, make_draw_world, make_plan
from fazhi.inspections.tests.v1_support import plan_announce_v1

pytestmark = pytest.mark.django_db


def lottery(days: int = 1) -> tuple[str, dict[str, Any]]:
    day = project_clock.today() + dt.timedelta(days=days)
    return "cwl-3d", {"period": f"{day.year}{day.timetuple().tm_yday:03d}", "date": day.isoformat()}


def after_event(clock: Any, days: int = 1) -> None:
    clock.move_to(testing.at(project_clock.today() + dt.timedelta(days=days), hour=22))


def plan_with_stratum(w: DrawWorld, kind: str = PlanKind.RANDOM, quota: int = 4) -> InspectionPlan:
    plan = make_plan(w, kind=kind)
    stratum_add(actor=w.planner, plan=plan, key="gg", category=w.public_places, quota=quota)
    return plan


def test_draw_refused_before_the_event_then_verifies(clock: Any) -> None:
    """Finding 2: a draw a minute after announcing a lottery due later is refused."""
    w = make_draw_world()
    plan = plan_with_stratum(w)
    announced = a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    announcement = announced.announcement
    assert announcement.algorithm_version == "fazhi-draw/2"
    assert announcement.sources[0]["not_before"].endswith("T13:30:00+00:00")
    with pytest.raises(errors.Conflict) as early:
        draw_run(actor=w.planner, plan=plan, values=["314"])
    assert early.value.code == "event_not_yet"
    refusal = AuditEvent.objects.filter(action=DrawEvents.REFUSED).latest("seq")
    assert "event_not_yet" in refusal.details_json
    after_event(clock)
    with pytest.raises(errors.ValidationFailed) as bad:
        draw_run(actor=w.planner, plan=plan, values=["1"])  # v1 took "1"
    assert bad.value.code == "entropy_value_invalid"
    draw = draw_run(actor=w.planner, plan=plan, values=["3 1 4"])
    assert draw.state == DrawState.EFFECTIVE and draw.task_count == 4
    assert draw.entropy_record["sources"][0]["value"] == "314"
    export = export_draw(draw)
    assert export["format"] == "fazhi-draw-export/2"
    assert drawv2.verify_export(export) is None
    assert verify_stored_draw(draw, export) is None
    assert drawv2.verify_export(export, expect_announcement=announcement.announcement_hash) is None
    assert "expected" in str(drawv2.verify_export(export, expect_announcement="0" * 64))
    for path, value in (
        (("entropy", "record", "sources", 0, "value"), "315"),
        (("announcement", "names_public"), "window_start"),
        (("announcement", "sources", 0, "not_before"), "2000-01-01T00:00:00+00:00"),
        (("strata", 0, "candidates", 0), -1),
    ):
        forged = copy.deepcopy(export)
        target: Any = forged
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        assert drawv2.verify_export(forged) is not None, path
    out = io.StringIO()
    call_command(
        "draw",
        "verify",
        str(plan.pk),
        f"--expect-announcement={announcement.announcement_hash}",
        stdout=out,
    )
    assert out.getvalue().startswith("OK") and "NOT PUBLICLY" not in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("draw", "verify", str(plan.pk), "--expect-announcement=ab", stdout=out)


def test_announcement_must_precede_the_event() -> None:
    w = make_draw_world()
    plan = plan_with_stratum(w)
    with pytest.raises(errors.ValidationFailed) as past:
        a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery(days=-1)])
    assert past.value.code == "event_not_future"
    with pytest.raises(errors.ValidationFailed) as none:
        a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[])
    assert none.value.code == "sources_required"
    with pytest.raises(errors.ValidationFailed) as bad:
        a2.plan_announce_v2(
            actor=w.planner, plan=plan, sources=[("cwl-3d", {"period": "1", "date": "x"})]
        )
    assert bad.value.code == "bad_event_date"
    with pytest.raises(errors.OutOfScope):
        a2.plan_announce_v2(actor=w.stranger, plan=plan, sources=[lottery()])
    with pytest.raises(errors.PermissionDenied):
        a2.plan_announce_v2(actor=w.viewer, plan=plan, sources=[lottery()])


def test_several_sources_and_drand_in_declared_order(clock: Any, monkeypatch: Any) -> None:
    w = make_draw_world()
    plan = plan_with_stratum(w)
    tomorrow = project_clock.now() + dt.timedelta(days=1)
    round_ = drawv2.drand_round_at(tomorrow)
    a2.plan_announce_v2(
        actor=w.planner,
        plan=plan,
        sources=[lottery(), ("drand-quicknet", {"round": round_})],
    )
    after_event(clock, days=2)
    signature = "a" * 96
    with pytest.raises(errors.ValidationFailed) as forged:
        draw_run(actor=w.planner, plan=plan, values=["314", signature])
    assert forged.value.code == "drand_signature_invalid"
    with pytest.raises(errors.ValidationFailed) as missing:
        draw_run(actor=w.planner, plan=plan, values=["314"])
    assert missing.value.code == "source_values_required"
    monkeypatch.setattr("fazhi.inspections.drand.verify_quicknet", lambda n, s: n == round_)
    draw = draw_run(actor=w.planner, plan=plan, values=["314", signature])
    record = draw.entropy_record
    assert [s["kind"] for s in record["sources"]] == ["cwl-3d", "drand-quicknet"]
    assert drawv2.verify_export(export_draw(draw)) is None


def test_witnesses_salted_and_a_withheld_reveal_does_not_stall(clock: Any) -> None:
    """Findings 4: weak secrets refused, commitments salted, a withheld reveal no veto."""
    w = make_draw_world()
    plan = plan_with_stratum(w)
    deadline = project_clock.now() + dt.timedelta(hours=2)
    with pytest.raises(errors.ValidationFailed) as weak:
        a2.plan_announce_v2(
            actor=w.planner,
            plan=plan,
            sources=[lottery()],
            witnesses=[a2.WitnessInput("甲", "1")],
            reveal_deadline=deadline,
        )
    assert weak.value.code == "weak_witness_secret"
    with pytest.raises(errors.ValidationFailed) as no_deadline:
        a2.plan_announce_v2(
            actor=w.planner, plan=plan, sources=[lottery()], witnesses=[a2.WitnessInput("甲")]
        )
    assert no_deadline.value.code == "reveal_deadline_required"
    with pytest.raises(errors.ValidationFailed) as late_deadline:
        a2.plan_announce_v2(
            actor=w.planner,
            plan=plan,
            sources=[lottery()],
            witnesses=[a2.WitnessInput("甲")],
            reveal_deadline=project_clock.now() + dt.timedelta(days=3),
        )
    assert late_deadline.value.code == "bad_reveal_deadline"
    announced = a2.plan_announce_v2(
        actor=w.planner,
        plan=plan,
        sources=[lottery()],
        witnesses=[a2.WitnessInput("见证人甲"), a2.WitnessInput("见证人乙", "乙自己选的秘密短语")],
        reveal_deadline=deadline,
    )
    (_, reveal1), (_, reveal2) = announced.reveals
    salt1, secret1 = drawv2.split_reveal(reveal1)
    assert len(salt1) == 32 and len(secret1) == 32  # 128-bit salt, 128-bit generated secret
    assert drawv2.split_reveal(reveal2)[1] == "乙自己选的秘密短语"
    announcement = announced.announcement
    witnesses = list(announcement.witnesses.order_by("position"))
    assert all(x.revealed_secret is None for x in witnesses)  # nothing secret is stored
    assert witnesses[1].commitment == drawv2.witness_commitment(*drawv2.split_reveal(reveal2))
    with pytest.raises(errors.ValidationFailed) as wrong:
        a2.witness_reveal(
            actor=w.planner, announcement=announcement, position=1, reveal=f"{salt1}:nope"
        )
    assert wrong.value.code == "witness_reveal_mismatch"
    a2.witness_reveal(actor=w.planner, announcement=announcement, position=1, reveal=reveal1)
    with pytest.raises(errors.Conflict):
        a2.witness_reveal(actor=w.planner, announcement=announcement, position=1, reveal=reveal1)
    clock.move_to(deadline + dt.timedelta(minutes=1))
    with pytest.raises(errors.Conflict) as late:
        a2.witness_reveal(actor=w.planner, announcement=announcement, position=2, reveal=reveal2)
    assert late.value.code == "reveal_too_late"
    after_event(clock)
    draw = draw_run(actor=w.planner, plan=plan, values=["271"])  # witness 2 withheld
    assert [x["reveal"] for x in draw.entropy_record["witnesses"]] == [reveal1, None]
    export = export_draw(draw)
    assert drawv2.verify_export(export) is None
    forged = copy.deepcopy(export)
    forged["entropy"]["record"]["witnesses"][1]["reveal"] = f"{salt1}:guess"
    assert "does not match" in str(drawv2.verify_export(forged))


def test_replacing_an_announcement_needs_an_approved_reason(clock: Any) -> None:
    """Finding 3: v1 let an announcement not yet drawn be replaced once an input changed."""
    w = make_draw_world()
    plan = plan_with_stratum(w)
    first = a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery(days=2)])
    with pytest.raises(errors.InvalidTransition) as refused:
        a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery(days=3)])
    assert refused.value.code == "reannouncement_not_approved"
    # the v1 service cannot replace it either, even after the pool changed
    pool_services.inspector_leave_add(
        actor=w.planner,
        officer=w.officers[0],
        start=project_clock.today() + dt.timedelta(days=2),
        end=project_clock.today() + dt.timedelta(days=4),
        reason="培训",
    )
    with pytest.raises(errors.InvalidTransition):
        plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    with pytest.raises(errors.ValidationFailed):
        a2.reannouncement_request(actor=w.planner, plan=plan, reason="")
    request = a2.reannouncement_request(actor=w.planner, plan=plan, reason="分层比例填写错误")
    with pytest.raises(errors.Conflict):
        a2.reannouncement_request(actor=w.planner, plan=plan, reason="再次申请")
    with pytest.raises(errors.PermissionDenied):
        a2.reannouncement_approve(actor=w.planner, request=request)
    with pytest.raises(errors.OutOfScope):
        a2.reannouncement_approve(
            actor=make_user(w.tree.districts[2], Role.LEADER), request=request
        )
    request = a2.reannouncement_approve(actor=w.leader, request=request, note="同意")
    assert request.state == RedrawState.APPROVED
    second = a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery(days=3)])
    first.announcement.refresh_from_db()
    request.refresh_from_db()
    assert first.announcement.state == AnnouncementState.SUPERSEDED
    assert request.state == RedrawState.USED
    assert second.announcement.replaces == first.announcement
    assert second.announcement.replace_reason == "分层比例填写错误"
    # once the declared event has happened, no replacement at all
    clock.move_to(testing.at(project_clock.today() + dt.timedelta(days=3), hour=22))
    with pytest.raises(errors.Conflict) as happened:
        a2.reannouncement_request(actor=w.planner, plan=plan, reason="结果不理想")
    assert happened.value.code == "event_already_happened"
    draw = draw_run(actor=w.planner, plan=plan, values=["007"])
    export = export_draw(draw)
    assert export["announcement"]["replaces"] == {
        "hash": first.announcement.announcement_hash,
        "reason": "分层比例填写错误",
    }
    assert drawv2.verify_export(export) is None


def test_event_passing_while_a_request_waits_blocks_its_approval(clock: Any) -> None:
    w = make_draw_world()
    plan = plan_with_stratum(w)
    a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    request = a2.reannouncement_request(actor=w.planner, plan=plan, reason="名单有误需更正")
    after_event(clock)
    with pytest.raises(errors.Conflict) as happened:
        a2.reannouncement_approve(actor=w.leader, request=request)
    assert happened.value.code == "event_already_happened"


def test_pool_change_after_the_announcement_applies_to_the_next_one(clock: Any) -> None:
    w = make_draw_world()
    plan = plan_with_stratum(w)
    announcement = a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()]).announcement
    pool_services.conflict_declare(  # an officer's own declaration after the announcement
        actor=w.planner,
        officer=w.officers[0],
        entity=w.entities[0],
        reason="亲属任职",
        declared_on=project_clock.today(),
    )
    after_event(clock)
    draw = draw_run(actor=w.planner, plan=plan, values=["123"])  # v1 refused: pool_changed
    assert export_draw(draw)["announcement"]["pool_hash"] == announcement.pool_hash


def test_server_randomness_only_for_routine_plans(clock: Any) -> None:
    """Finding 6: v1 accepted server randomness on a random plan and printed a plain OK."""
    w = make_draw_world()
    plan = plan_with_stratum(w)
    with pytest.raises(errors.ValidationFailed) as refused:
        a2.plan_announce_v2(actor=w.planner, plan=plan, server=True)
    assert refused.value.code == "server_entropy_not_allowed"
    routine = plan_with_stratum(w, kind=PlanKind.ROUTINE)
    a2.plan_announce_v2(actor=w.planner, plan=routine, server=True)
    draw = draw_run(actor=w.planner, plan=routine)  # no event to wait for
    export = export_draw(draw)
    assert export["entropy"]["publicly_verifiable"] is False
    assert drawv2.verify_export(export) is None
    out = io.StringIO()
    call_command("draw", "verify", str(routine.pk), stdout=out)
    assert "NOT PUBLICLY VERIFIABLE" in out.getvalue()
    assert InspectionTask.objects.filter(draw=draw).count() == draw.task_count


def test_names_become_public_by_the_plan_setting_not_at_the_draw(clock: Any, client: Any) -> None:
    from fazhi.inspections.models import NamesPublic
    from fazhi.portal import selectors as portal

    w = make_draw_world()
    plan = plan_with_stratum(w)
    a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    after_event(clock)
    draw = draw_run(actor=w.planner, plan=plan, values=["555"])
    assert draw.announcement.names_public == NamesPublic.RESULT_PUBLISHED  # the safe default
    assert portal.public_draw_tasks(draw).count() == 0
    with pytest.raises(errors.NotFound):
        portal.public_draw_export(draw)
    page = client.get(f"/public/plans/{plan.pk}/draws/{draw.number}/")
    assert page.status_code == 200 and "各检查结果公示时" in page.content.decode()
    assert client.get(f"/public/plans/{plan.pk}/draws/{draw.number}/export.json").status_code == 404
    # one result published: that task alone becomes public
    task = InspectionTask.objects.filter(draw=draw).order_by("pk").first()
    assert task is not None
    InspectionTask.objects.filter(pk=task.pk).update(published_at=project_clock.now())
    assert list(portal.public_draw_tasks(draw)) == [task]
    InspectionTask.objects.filter(draw=draw).update(published_at=project_clock.now())
    assert drawv2.verify_export(portal.public_draw_export(draw)) is None

    window = plan_with_stratum(w)
    start = project_clock.today() + dt.timedelta(days=2)
    with pytest.raises(errors.ValidationFailed):
        plan_update(actor=w.planner, plan=window, names_public="at_draw")
    window = plan_update(
        actor=w.planner,
        plan=window,
        names_public=NamesPublic.WINDOW_START,
        window_start=start,
        window_end=start + dt.timedelta(days=10),
    )
    a2.plan_announce_v2(actor=w.planner, plan=window, sources=[lottery()])
    after_event(clock)
    second = draw_run(actor=w.planner, plan=window, values=["556"])
    assert portal.public_draw_tasks(second).count() == 0
    clock.move_to(testing.at(window.window_start))
    assert portal.public_draw_tasks(second).count() == second.task_count
    assert portal.public_draw_export(second)["format"] == "fazhi-draw-export/2"


def test_v2_pages_announce_secrets_anchor_reveal_draw(clock: Any, client: Any) -> None:
    from django.urls import reverse

    from fazhi.inspections.models import Witness

    w = make_draw_world()
    plan = plan_with_stratum(w)
    client.force_login(w.planner)
    form = client.get(reverse("inspections:plan_announce", args=[plan.pk]))
    assert form.status_code == 200 and "中国福利彩票3D" in form.content.decode()
    kind, event = lottery()
    deadline = (project_clock.now() + dt.timedelta(hours=2)).astimezone(
        dt.timezone(dt.timedelta(hours=8))
    )
    response = client.post(
        reverse("inspections:plan_announce", args=[plan.pk]),
        {
            "kind_1": kind,
            "period_1": event["period"],
            "date_1": event["date"],
            "witnesses": "见证人甲\n见证人乙,乙的自选秘密短语",
            "reveal_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "<svg" in page and "只显示这一次" in page
    witness = Witness.objects.get(announcement__plan=plan, position=1)
    reveal = next(
        token
        for token in page.replace("<", " ").replace(">", " ").split()
        if drawv2.reveal_matches(witness.commitment, token)
    )
    anchor = client.get(reverse("inspections:announcement_anchor", args=[plan.pk, 1]))
    announcement = witness.announcement
    assert announcement.announcement_hash in anchor.content.decode()
    assert "<svg" in anchor.content.decode() and reveal not in anchor.content.decode()
    detail = client.get(reverse("inspections:announcement_detail", args=[plan.pk, 1]))
    assert "登记揭示" in detail.content.decode()
    client.post(
        reverse("inspections:witness_reveal", args=[plan.pk, 1]),
        {"position": 1, "reveal": reveal},
    )
    witness.refresh_from_db()
    assert witness.revealed_secret == reveal
    early = client.post(reverse("inspections:draw_run", args=[plan.pk]), {"value_1": "314"})
    assert early.status_code == 200 and "尚未发生" in early.content.decode()
    after_event(clock)
    client.force_login(w.planner)  # the session expired overnight
    drawn = client.post(reverse("inspections:draw_run", args=[plan.pk]), {"value_1": "314"})
    assert drawn.status_code == 302, drawn.content.decode()
    # re-announcement request on a drawn plan is refused with a message, not an error page
    refused = client.post(
        reverse("inspections:reannouncement_request", args=[plan.pk]),
        {"reason": "结果不理想"},
        follow=True,
    )
    assert "没有待抽取的公告" in refused.content.decode()


def test_reannouncement_by_pages() -> None:
    from django.test import Client
    from django.urls import reverse

    from fazhi.inspections.selectors.draws import plan_draw_steps

    w = make_draw_world()
    plan = plan_with_stratum(w)
    a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery(days=2)])
    planner, leader = Client(), Client()
    planner.force_login(w.planner)
    leader.force_login(w.leader)
    planner.post(
        reverse("inspections:reannouncement_request", args=[plan.pk]), {"reason": "分层错误"}
    )
    request = plan.reannouncements.get()
    plan.refresh_from_db()
    assert plan_draw_steps(user=w.planner, plan=plan) == {"announce": None, "draw": True}
    denied = planner.post(
        reverse("inspections:reannouncement_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert denied.status_code == 403
    page = leader.get(reverse("inspections:announcement_detail", args=[plan.pk, 1]))
    assert "分层错误" in page.content.decode() and "批准" in page.content.decode()
    leader.post(
        reverse("inspections:reannouncement_decide", args=[request.pk]), {"decision": "approve"}
    )
    assert plan_draw_steps(user=w.planner, plan=plan)["announce"] == "again"
    kind, event = lottery(days=3)
    response = planner.post(
        reverse("inspections:plan_announce", args=[plan.pk]),
        {"kind_1": kind, "period_1": event["period"], "date_1": event["date"]},
    )
    assert response.status_code == 302
    assert plan.announcements.get(number=2).replaces == plan.announcements.get(number=1)


def test_redraw_of_a_v2_draw_needs_approval_and_a_new_event(clock: Any) -> None:
    from fazhi.inspections.services.redraws import redraw_approve, redraw_request

    w = make_draw_world()
    plan = plan_with_stratum(w)
    a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    after_event(clock)
    first = draw_run(actor=w.planner, plan=plan, values=["111"])
    with pytest.raises(errors.InvalidTransition):
        a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    request = redraw_request(actor=w.planner, plan=plan, reason="抽取现场断电，结果未当场公示")
    redraw_approve(actor=w.leader, request=request, note="同意")
    a2.plan_announce_v2(actor=w.planner, plan=plan, sources=[lottery()])
    with pytest.raises(errors.Conflict) as early:
        draw_run(actor=w.planner, plan=plan, values=["222"])
    assert early.value.code == "event_not_yet"
    after_event(clock)
    second = draw_run(actor=w.planner, plan=plan, values=["222"])
    first.refresh_from_db()
    assert first.state == DrawState.SUPERSEDED and second.state == DrawState.EFFECTIVE
    assert drawv2.verify_export(export_draw(first)) is None
    assert drawv2.verify_export(export_draw(second)) is None


def test_verify_button_says_server_randomness_is_not_publicly_verifiable(client: Any) -> None:
    from django.urls import reverse

    w = make_draw_world()
    routine = plan_with_stratum(w, kind=PlanKind.ROUTINE)
    a2.plan_announce_v2(actor=w.planner, plan=routine, server=True)
    draw = draw_run(actor=w.planner, plan=routine)
    client.force_login(w.planner)
    page = client.post(
        reverse("inspections:draw_verify", args=[routine.pk, draw.number]), follow=True
    )
    assert "验证通过" in page.content.decode() and "不可公开验证" in page.content.decode()
    anchor = client.get(reverse("inspections:announcement_anchor", args=[routine.pk, 1]))
    assert "不可公开验证" in anchor.content.decode()


def test_plan_form_sets_when_names_become_public(client: Any) -> None:
    from django.urls import reverse

    from fazhi.inspections.models import NamesPublic

    w = make_draw_world(entities=1, officers=0)
    client.force_login(w.planner)
    start = project_clock.today()
    base = {
        "organisation": w.org.pk,
        "kind": "random",
        "year": start.year,
        "window_start": start.isoformat(),
        "window_end": start.isoformat(),
        "team_size": 2,
    }
    client.post(reverse("inspections:plan_create"), {**base, "title": "默认公开时间"})
    assert InspectionPlan.objects.get(title="默认公开时间").names_public == (
        NamesPublic.RESULT_PUBLISHED
    )
    client.post(
        reverse("inspections:plan_create"),
        {**base, "title": "实施开始日公开", "names_public": "window_start"},
    )
    plan = InspectionPlan.objects.get(title="实施开始日公开")
    assert plan.names_public == NamesPublic.WINDOW_START
    page = client.get(reverse("inspections:plan_edit", args=[plan.pk])).content.decode()
    assert "抽取名单公开时间" in page
