"""The browser verifier (/public/verify/, portal/verify_draw.js) in real Chromium: it agrees with
the engine on every vector and on the demo draw, computes BLAKE2b right (RFC 7693 and the
protocol's vectors) and catches every single-field tampering."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from typing import Any

import pytest

from fazhi.core import clock as project_clock
from fazhi.core import demo as core_demo
from fazhi.core import testing
from fazhi.core.models import User
from fazhi.core.testing import BROWSER_MARKS, CHROMIUM, CHROMIUM_ARGS
from fazhi.inspections import demo, drawv2
from fazhi.inspections.models import InspectionPlan
from fazhi.inspections.selectors.draws import export_draw
from fazhi.inspections.services.announcements_v2 import plan_announce_v2
from fazhi.inspections.services.draws import draw_run
from fazhi.inspections.services.plans import stratum_add
from fazhi.inspections.tests.draw_support import drawn_plan, make_draw_world, make_plan
from fazhi.inspections.tests.task_support import category
from fazhi.inspections.tests.v1_support import plan_announce_v1
from fazhi.inspections.tests.verifier_support import VECTORS, tampered, vector_exports

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


pytestmark = BROWSER_MARKS

VERIFY_ALL = """async ([exports, expect]) => {
  const out = [];
  for (const e of exports) out.push(await window.FazhiDrawVerifier.verifyExport(e, expect));
  return out;
}"""


@pytest.fixture
def page(live_server):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = chromium.new_page()
            errors: list[str] = []
            # a missing resource shows as a console error without its address: see the responses
            page.on(
                "console",
                lambda m: (
                    errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "response",
                lambda r: (
                    errors.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )
            page.goto(f"{live_server.url}/public/verify/")
            page.wait_for_function("window.FazhiDrawVerifier !== undefined")
            yield page
            assert errors == []
        finally:
            chromium.close()


def verify_all(page: Any, exports: list[dict[str, Any]], expect: str = "") -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(VERIFY_ALL, [exports, expect])
    return result


@pytest.mark.django_db(transaction=True)
def test_blake2b_against_rfc7693_and_the_vectors(page):
    vectors = json.loads((VECTORS / "blake2b.json").read_text(encoding="utf-8"))
    rfc = vectors["rfc7693"]
    got = page.evaluate(
        "([m, n]) => window.FazhiDrawVerifier.blake2bHex(m, null, n)",
        [rfc["message_utf8"], rfc["digest_size"]],
    )
    assert got == rfc["digest"]
    assert got.startswith("ba80a53f981c4d0d")  # RFC 7693, appendix A
    for v in vectors["unkeyed"]:
        assert (
            page.evaluate(
                "([m, n]) => window.FazhiDrawVerifier.blake2bHex(m, null, n)",
                [v["message_utf8"], v["digest_size"]],
            )
            == v["digest"]
        )
    for v in vectors["keyed"]:
        general = page.evaluate(
            "([m, k, n]) => window.FazhiDrawVerifier.blake2bHex(m, k, n)",
            [v["message_utf8"], v["key"], v["digest_size"]],
        )
        fast = page.evaluate(
            "([k, m]) => window.FazhiDrawVerifier.keyed64(k, m)", [v["key"], v["message_utf8"]]
        )
        assert general == fast == v["digest"], v["message_utf8"]


@pytest.mark.django_db(transaction=True)
def test_every_vector_verifies_and_every_tampering_fails(page):
    exports = vector_exports()
    outcomes = verify_all(page, list(exports.values()))
    for (name, export), outcome in zip(exports.items(), outcomes, strict=True):
        assert outcome["ok"], (name, outcome["problem"])
        assert outcome["seed"] == export["draw"]["seed"]
        assert outcome["result"] == export["draw"]["result_hash"]
        assert outcome["publiclyVerifiable"] is (export["entropy"]["kind"] != "server")
    bad = tampered(exports)
    outcomes = verify_all(page, [export for _, export in bad])
    for (name, _export), outcome in zip(bad, outcomes, strict=True):
        assert not outcome["ok"], name
        assert outcome["problem"], name
    beyond = tampered(exports, verifier_only=True)
    for (name, _export), outcome in zip(
        beyond, verify_all(page, [export for _, export in beyond]), strict=True
    ):
        assert not outcome["ok"], name
    # canonical JSON has no fractions: "4.0" would parse as 4 and pass unnoticed
    has_float = "t => window.FazhiDrawVerifier.hasFloat(t)"
    text = json.dumps(exports["v1-01-quota-ratio-witnesses"], ensure_ascii=False)
    assert not page.evaluate(has_float, text)
    assert page.evaluate(has_float, text.replace('"team_size": 2', '"team_size": 2.0'))
    one = exports["v1-01-quota-ratio-witnesses"]
    right, wrong = verify_all(page, [one, one], "")[0], None
    assert right["ok"]
    right = page.evaluate(VERIFY_ALL, [[one], one["announcement"]["hash"].upper()])[0]
    wrong = page.evaluate(VERIFY_ALL, [[one], "ab" * 32])[0]
    assert right["ok"] and not right["notes"]
    assert not wrong["ok"] and "抽取前公告哈希" in wrong["problem"]


@pytest.mark.django_db(transaction=True)
def test_the_citizen_opens_the_demo_draw_export(page, tmp_path):
    category("public_places")
    out = io.StringIO()
    result = core_demo.load(stdout=out)
    demo.load(province=result.province, stdout=out)
    draw = InspectionPlan.objects.filter(draws__isnull=False).first().draws.get()  # type: ignore[union-attr]
    export = export_draw(draw)
    assert drawv2.verify_export(export) is None
    path = tmp_path / f"draw-{draw.plan_id}-{draw.number}.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")

    page.set_input_files("#draw-verify-file", str(path))
    page.fill("#draw-verify-expect", draw.announcement.announcement_hash)
    page.click("#draw-verify-form button[type=submit]")
    verdict = page.wait_for_selector("[data-verdict]", timeout=60_000)
    assert verdict.get_attribute("data-verdict") == "ok", verdict.inner_text()
    assert "核验通过" in verdict.inner_text()
    assert draw.result_hash in page.inner_text("#draw-verify-result")

    export["result"]["tasks"][0][2].reverse()
    path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    page.set_input_files("#draw-verify-file", str(path))
    page.click("#draw-verify-form button[type=submit]")
    page.wait_for_selector("[data-verdict=mismatch]", timeout=60_000)
    assert "核验未通过" in page.inner_text("#draw-verify-result")

    # this year's demo plan is announced for a lottery draw that has happened: draw it with the
    # demo's value and verify it too
    current = InspectionPlan.objects.get(year=project_clock.today().year)
    planner = User.objects.get(username=demo.PLANNER_USERNAME)
    second = export_draw(draw_run(actor=planner, plan=current, values=[demo.DEMO_LOTTERY_VALUE]))
    assert drawv2.verify_export(second) is None
    outcome = verify_all(page, [second], second["announcement"]["hash"])[0]
    assert outcome["ok"], outcome["problem"]


@pytest.mark.django_db(transaction=True)
def test_browser_agrees_with_the_engine_on_service_draws(page, clock):
    w = make_draw_world(entities=12, officers=5)
    exports = []
    for entropy in ("witnesses", "public_number"):
        _plan, draw = drawn_plan(w, quota=4, entropy=entropy)
        exports.append(export_draw(draw))
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="srv", category=w.public_places, quota=3)
    plan_announce_v1(actor=w.planner, plan=plan, entropy_kind="server")
    exports.append(export_draw(draw_run(actor=w.planner, plan=plan)))
    plan = make_plan(w)
    stratum_add(actor=w.planner, plan=plan, key="v2", category=w.public_places, quota=4)
    day = project_clock.today() + dt.timedelta(days=1)
    event = {"period": f"{day.year}{day.timetuple().tm_yday:03d}", "date": day.isoformat()}
    plan_announce_v2(actor=w.planner, plan=plan, sources=[("cwl-3d", event)])
    clock.move_to(testing.at(day, hour=22))
    exports.append(export_draw(draw_run(actor=w.planner, plan=plan, values=["5 5 0"])))
    assert exports[-1]["format"] == "fazhi-draw-export/2"
    for export in exports:
        assert drawv2.verify_export(export) is None
    outcomes = verify_all(page, exports)
    for export, outcome in zip(exports, outcomes, strict=True):
        assert outcome["ok"], outcome["problem"]
        assert outcome["seed"] == export["draw"]["seed"]
        assert outcome["publiclyVerifiable"] is (export["entropy"]["kind"] != "server")
