"""Test support for penalty cases: ``make_case_world`` and helpers that walk a case through the
real services, on a fixed day (the calendar knows the year)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from fazhi.core.models import Role, User
from fazhi.core.services.numbering import document_type_create
from fazhi.core.tests.factories import make_officer, make_org_tree, make_user
from fazhi.enforcement.models import CaseLeadSource, PenaltyCase, PenaltyKind
from fazhi.enforcement.services import case_steps, cases
from fazhi.inspections.tests.task_support import TaskWorld, category, make_entity

_prefix = itertools.count(1)


@dataclass
class CaseWorld:
    w: TaskWorld
    leader: User  # the district commission's head: files, decides (subtree)
    handler: User  # supervisor of the institute, the case's 主办人
    reviewer: User  # legal reviewer of the institute, qualified
    city_leader: User  # the city commission's head: the upper level for old-rule extensions

    @property
    def org(self) -> Any:
        return self.w.org


def _task_world(province: str) -> TaskWorld:
    """``make_task_world`` on a tree of ``province`` (the rule pack decides thresholds)."""
    tree = make_org_tree(province_code=province)
    district = tree.districts[0]
    org = tree.institute_of(district)
    other_org = tree.institute_of(tree.districts[2])
    inspector_a = make_user(org, Role.SUPERVISOR, full_name="检查员甲")
    inspector_b = make_user(org, Role.SUPERVISOR, full_name="检查员乙")
    return TaskWorld(
        tree=tree,
        org=org,
        other_org=other_org,
        planner=make_user(org, Role.SUPERVISOR, full_name="计划员"),
        leader=make_user(district, Role.LEADER),
        inspector_a=inspector_a,
        inspector_b=inspector_b,
        outsider=make_user(org, Role.SUPERVISOR),
        stranger=make_user(other_org, Role.SUPERVISOR),
        officer_a=make_officer(org, name="检查员甲", user=inspector_a),
        officer_b=make_officer(org, name="检查员乙", user=inspector_b),
        public_places=category("public_places"),
        water=category("drinking_water"),
    )


def make_case_world(province: str = "36") -> CaseWorld:
    """A world in the demo province 清源省 (36) by default: its sample pack sets the hearing
    and legal-review thresholds."""
    w = _task_world(province)
    reviewer = make_user(w.org, Role.LEGAL_REVIEWER, full_name="审核员")
    make_officer(w.org, name="审核员", user=reviewer, has_legal_qualification=True)
    n = next(_prefix)
    for institute in (w.org, w.other_org):
        document_type_create(
            actor=None,
            organisation=cases.numbering_organisation(institute),
            key=cases.DECISION_DOCUMENT,
            name="行政处罚决定书",
            prefix=f"测卫罚{n}{institute.pk}",
        )
    assert w.org.parent is not None and w.org.parent.parent is not None
    city = w.org.parent.parent
    return CaseWorld(
        w=w,
        leader=w.leader,
        handler=w.inspector_a,
        reviewer=reviewer,
        city_leader=make_user(city, Role.LEADER),
    )


def file_case(cw: CaseWorld, **kw: Any) -> PenaltyCase:
    values: dict[str, Any] = {
        "actor": cw.leader,
        "organisation": cw.org,
        "handler": cw.handler,
        "cause": "未取得公共场所卫生许可证擅自营业",
        "facts": "检查发现当事人未取得公共场所卫生许可证从事住宿经营。",
        "source": CaseLeadSource.COMPLAINT,
        "act_ended_on": kw.pop("act_ended_on", None),
    }
    if "lead" in kw:  # the lead brings its party, source and facts
        del values["facts"], values["source"]
    values.update(kw)
    if values["act_ended_on"] is None:
        from fazhi.core import clock

        values["act_ended_on"] = clock.today() - dt.timedelta(days=30)
    if "entity" not in values and "lead" not in values:
        values["entity"] = make_entity(cw.w)
    return cases.case_file(**values)


def investigate(cw: CaseWorld, case: PenaltyCase) -> PenaltyCase:
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_a)
    cases.case_officer_assign(actor=cw.leader, case=case, officer=cw.w.officer_b)
    return cases.case_end_investigation(actor=cw.handler, case=case, report="事实清楚，证据确凿。")


def notify(cw: CaseWorld, case: PenaltyCase, fine: str | None = "2000", **kw: Any) -> PenaltyCase:
    return cases.case_notify(
        actor=cw.handler,
        case=case,
        kinds=kw.pop("kinds", [PenaltyKind.WARNING, PenaltyKind.FINE]),
        fine=fine,
        **kw,
    )


def to_decision(cw: CaseWorld, case: PenaltyCase, fine: str = "2000") -> PenaltyCase:
    """Filed → decided with a waiver (a small fine: no hearing right, no review)."""
    case = notify(cw, investigate(cw, case), fine=fine)
    case = case_steps.case_waive_rights(actor=cw.handler, case=case)
    return case_steps.case_decide(actor=cw.leader, case=case, outcome="penalty", fine=fine)


# The articles of an on-the-spot decision for a server without a health certificate (公共场所卫生
# 管理条例 Art. 7 and Art. 14(1)(2)), typed with a reason (decision 0068).
SPOT_PROVISIONS: dict[str, Any] = {
    "violated": "《公共场所卫生管理条例》第七条",
    "penalty": "《公共场所卫生管理条例》第十四条第一款第（二）项",
    "reason": "简易程序当场作出，按条例原文填写。",
}


def decide_on_the_spot(cw: CaseWorld) -> PenaltyCase:
    """A warning and a 200-yuan fine on the spot (简易程序) for a server without a health
    certificate, against a new entity."""
    return cases.case_decide_on_the_spot(
        actor=cw.handler,
        organisation=cw.org,
        entity=make_entity(cw.w),
        handler=cw.handler,
        officers=[cw.w.officer_a, cw.w.officer_b],
        cause="从业人员未取得健康合格证明",
        facts="现场检查发现两名从业人员未取得健康合格证明。",
        kinds=[PenaltyKind.WARNING, PenaltyKind.FINE],
        fine="200",
        **SPOT_PROVISIONS,
    )
