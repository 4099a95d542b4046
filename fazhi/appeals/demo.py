"""Demo appeals (idempotent), loaded by ``fazhi demo`` after the penalty-case demo, in the demo
district commission (松溪区卫健委), all through the real services: a year with 2
reconsiderations and 3 lawsuits, nothing corrected or lost (as the seeds report), in every
state:

- a reconsideration of a demo penalty decision (when one is there), answered and waiting for the
  decision: the case's late surcharge pauses while it runs;
- a reconsideration in the simplified procedure, upheld (维持) and closed;
- a lawsuit dismissed on the merits (驳回诉讼请求) after a session the head attended, closed;
  it challenges a demo disclosure reply when the matters demo made one before it (decision 0084:
  counted in the disclosure report's reconsideration and litigation table);
- a lawsuit withdrawn by the plaintiff (撤诉) after a session the head attended;
- a lawsuit just received, its defence clock running.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi.appeals import services
from fazhi.appeals.models import Appeal, AppealKind, Outcome, Procedure
from fazhi.core import clock, errors
from fazhi.core.models import Organisation, User
from fazhi.enforcement.models import CaseChallenge, CaseState, PenaltyCase
from fazhi.matters.models import Matter, MatterKind, ReplyType

LEGAL = "demo_legal"
HEAD = "demo_leader"


def _say(stdout: Any, text: str) -> None:
    stdout.write(f"复议应诉：{text}\n")


def _challengeable_case(district: Organisation) -> PenaltyCase | None:
    return (
        PenaltyCase.objects.filter(
            organisation__path__startswith=district.path, decided_on__isnull=False
        )
        .exclude(state__in=(CaseState.WITHDRAWN, CaseState.TRANSFERRED))
        .exclude(pk__in=CaseChallenge.objects.filter(ended_on__isnull=True).values("case_id"))
        .order_by("decided_on", "pk")
        .first()
    )


def _challenged_request(district: Organisation, lodged: dt.date) -> Matter | None:
    """A demo disclosure request replied before ``lodged``, a withheld one first."""
    requests = Matter.objects.filter(
        organisation__path__startswith=district.path,
        kind=MatterKind.DISCLOSURE,
        replied_on__isnull=False,
        replied_on__lte=lodged,
    ).select_related("organisation")
    withheld = requests.filter(reply_type=ReplyType.WITHHELD).order_by("-replied_on", "pk")
    return withheld.first() or requests.order_by("-replied_on", "pk").first()


def _walk(
    *,
    legal: User,
    district: Organisation,
    kind: str,
    applicant: str,
    body: str,
    act: str,
    received: dt.date,
    steps: dict[str, Any],
    procedure: str = Procedure.ORDINARY,
    actor: User | None = None,
    case: PenaltyCase | None = None,
    disclosure: bool = False,
) -> Appeal:
    today = clock.today()
    lodged = (
        max(received - dt.timedelta(days=3), case.decided_on or received)
        if case is not None
        else received - dt.timedelta(days=3)
    )
    appeal = services.appeal_register(
        actor=actor or legal,
        organisation=district,
        kind=kind,
        procedure=procedure,
        applicant=applicant,
        reviewing_body=body,
        reference=steps.get("reference", ""),
        act=act,
        lodged_on=lodged,
        received_on=received,
        penalty_case=case,
        disclosure_request=_challenged_request(district, lodged) if disclosure else None,
    )
    if "answer" in steps:
        appeal = services.appeal_answer(
            actor=legal,
            appeal=appeal,
            on=min(received + dt.timedelta(days=steps["answer"]), today),
            note="事实清楚，证据确凿，适用依据正确，程序合法，请求予以维持（驳回）。",
        )
    if "hearing" in steps:
        services.appeal_record_hearing(
            actor=legal,
            appeal=appeal,
            held_on=min(received + dt.timedelta(days=steps["hearing"]), today),
            attended_by="分管领导、法制审核员",
            head_appeared=True,
        )
    if "decide" in steps:
        days, outcome = steps["decide"]
        appeal = services.appeal_decide(
            actor=legal,
            appeal=appeal,
            on=min(received + dt.timedelta(days=days), today),
            outcome=outcome,
        )
    if "close" in steps:
        appeal = services.appeal_close(
            actor=legal, appeal=appeal, on=min(received + dt.timedelta(days=steps["close"]), today)
        )
    return appeal


def load(*, province: Organisation, stdout: Any) -> None:
    legal = (
        User.objects.filter(username=LEGAL, is_active=True).select_related("organisation").first()
    )
    district = legal.organisation if legal else None
    if legal is None or district is None or not district.path.startswith(province.path):
        _say(stdout, "未找到演示法制审核员账号，跳过。")
        return
    if Appeal.objects.filter(organisation=district).exists():
        _say(stdout, "复议应诉演示数据已存在。")
        return
    head = User.objects.filter(username=HEAD, is_active=True).first()
    today = clock.today()
    made = 0
    court = "青川市松溪区人民法院"
    government = "松溪区人民政府"
    plans: list[dict[str, Any]] = [
        {
            "kind": AppealKind.RECONSIDERATION,
            "procedure": Procedure.SIMPLIFIED,
            "applicant": "松溪区某诊所",
            "body": government,
            "act": "当场作出的警告（未按规定公示执业信息）",
            "received": today - dt.timedelta(days=200),
            "steps": {"answer": 3, "decide": (25, Outcome.UPHELD), "close": 27},
        },
        {
            "kind": AppealKind.LITIGATION,
            "applicant": "某美容服务有限公司",
            "body": court,
            "act": "不予公开政府信息的答复（涉及第三方商业秘密）",
            "received": today - dt.timedelta(days=300),
            "disclosure": True,
            "steps": {
                "reference": "（松）行初字第12号",
                "answer": 10,
                "hearing": 60,
                "decide": (100, Outcome.REQUEST_DISMISSED),
                "close": 105,
            },
        },
        {
            "kind": AppealKind.LITIGATION,
            "applicant": "王某",
            "body": court,
            "act": "对投诉举报作出的不予立案答复",
            "received": today - dt.timedelta(days=120),
            "steps": {
                "reference": "（松）行初字第47号",
                "answer": 12,
                "hearing": 60,
                "decide": (90, Outcome.WITHDRAWN),
            },
        },
        {
            "kind": AppealKind.LITIGATION,
            "applicant": "某宾馆有限公司",
            "body": court,
            "act": "责令限期改正通知（公共场所卫生）",
            "received": today - dt.timedelta(days=4),
            "steps": {"reference": "（松）行初字第88号"},
        },
    ]
    case = _challengeable_case(district)
    if case is not None and case.decided_on is not None and head is not None:
        received = min(case.decided_on + dt.timedelta(days=5), today)
        plans.insert(
            0,
            {
                "kind": AppealKind.RECONSIDERATION,
                "applicant": case.entity.name,
                "body": government,
                "act": "",
                "received": received,
                "actor": head,  # the case sits in the institute, inside the head's scope
                "case": case,
                "steps": {"answer": 5},
            },
        )
    else:
        plans.insert(
            0,
            {
                "kind": AppealKind.RECONSIDERATION,
                "applicant": "某口腔诊所",
                "body": government,
                "act": "行政处罚决定（罚款）",
                "received": today - dt.timedelta(days=20),
                "steps": {"answer": 8},
            },
        )
    for plan in plans:
        try:
            _register(legal, district, plan)
            made += 1
        except errors.FazhiError as exc:  # e.g. a calendar year not published yet
            _say(stdout, f"跳过一件：{exc.message}")
    _say(stdout, f"已登记 {made} 件演示复议应诉事项。")


def _register(legal: User, district: Organisation, plan: dict[str, Any]) -> Appeal:
    return _walk(
        legal=legal,
        district=district,
        kind=plan["kind"],
        procedure=plan.get("procedure", Procedure.ORDINARY),
        applicant=plan["applicant"],
        body=plan["body"],
        act=plan["act"],
        received=plan["received"],
        steps=plan["steps"],
        actor=plan.get("actor"),
        case=plan.get("case"),
        disclosure=plan.get("disclosure", False),
    )
