"""Demo data for credit (after the enforcement demo, whose served decisions already left their
credit records through ``decision_effective``): practice points against two medical
institutions of 松溪区 — one past the focus-supervision threshold, one alert handled —, a
practitioner's points, a red list entry and a black list entry with a repair application.
Idempotent: nothing is added when the district already has point entries. Every date is today
(the cycle is the current year), so the demo works at year end and at year start."""

from __future__ import annotations

from typing import Any

from fazhi.core.models import Organisation, User
from fazhi.credit.models import CreditListEntry, ListKind, ListState, PointAlert, PointEntry
from fazhi.credit.services import lists, points
from fazhi.enforcement.models import CaseOutcome, PenaltyCase
from fazhi.registry.models import Entity

SUPERVISOR = "demo_supervisor"
LEADER = "demo_leader"


def _say(stdout: Any, text: str) -> None:
    stdout.write(f"信用监管：{text}\n")


def load(*, province: Organisation, stdout: Any) -> None:
    supervisor = User.objects.filter(username=SUPERVISOR).select_related("organisation").first()
    leader = User.objects.filter(username=LEADER).first()
    if supervisor is None or leader is None or supervisor.organisation is None:
        _say(stdout, "未找到演示监督员或负责人账号，跳过。")
        return
    institute = supervisor.organisation
    if not institute.path.startswith(province.path):
        _say(stdout, "演示监督所不在本省，跳过。")
        return
    if PointEntry.objects.filter(organisation=institute).exists():
        _say(stdout, "演示记分已存在，跳过。")
        return
    medical = list(
        Entity.objects.filter(organisation=institute, kind__in=points.MEDICAL_KINDS).order_by("pk")[
            :3
        ]
    )
    if len(medical) < 2:
        _say(stdout, "缺少医疗机构，跳过。")
        return
    first, second = medical[0], medical[1]
    for behaviour in ("出具虚假医学证明文件", "未按规定处置医疗废物"):  # 12: 重点监管
        points.points_record(
            actor=supervisor, entity=first, subject="institution", behaviour=behaviour
        )
    for behaviour in ("使用非卫生技术人员从事医疗卫生技术工作", "出具虚假医学证明文件"):  # 16
        points.points_record(
            actor=supervisor, entity=second, subject="institution", behaviour=behaviour
        )
    handled = PointAlert.objects.filter(entity=second).first()
    if handled is not None:
        points.points_alert_handle(
            actor=leader, alert=handled, handling="已列为重点监管对象，增加检查频次。"
        )
    points.points_record(
        actor=supervisor,
        entity=first,
        subject="practitioner",
        behaviour="未按规定填写、保管病历资料",
        practitioner_name="王晓军",
        practitioner_number="110360102000123",
    )
    good = medical[2] if len(medical) > 2 else second
    if not CreditListEntry.objects.filter(entity=good, kind=ListKind.RED).exists():
        lists.credit_list_enter(
            actor=leader,
            entity=good,
            kind=ListKind.RED,
            grounds="连续三年依法执业自查无问题，无行政处罚记录（示例）。",
            basis="演示省医疗机构诚信示范单位评定办法（示例）",
        )
    case = (
        PenaltyCase.objects.filter(organisation=institute, outcome=CaseOutcome.PENALTY)
        .exclude(served_on=None)
        .order_by("pk")
        .first()
    )
    if case is not None and not CreditListEntry.objects.filter(case=case).exists():
        entry = lists.credit_list_enter(
            actor=leader,
            entity=case.entity,
            kind=ListKind.BLACK,
            grounds=f"拒不整改，屡次违法（{case.decision_number}，示例）。",
            basis="演示省卫生健康领域严重失信主体名单管理办法（示例）",
            case=case,
        )
        if entry.state == ListState.LISTED:
            lists.credit_list_apply_repair(
                actor=supervisor, entry=entry, reason="已整改到位，申请信用修复（示例）。"
            )
    _say(stdout, "已生成不良执业行为记分、门槛提示、红黑名单和信用修复申请。")
