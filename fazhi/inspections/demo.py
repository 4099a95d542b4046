"""Demo data of random inspections (idempotent), loaded by ``fazhi demo`` after the registry's:

- an item list (随机抽查事项清单) for the demo district institute (松溪区监督所);
- inspector profiles for its officers with a valid credential, and a login per inspector so
  that the phone page (掌上执法) can be tried;
- last year's plan, announced (fazhi-draw/2) and drawn through the real services, with results
  recorded through the task services (no problem, ordered to correct and re-checked, referred for
  a case, could not inspect) and published on the portal;
- this year's plan, announced (fazhi-draw/2), ready to draw.

Every announcement is version 2 and declares a 福彩3D draw as its public event. The demo builds
that history at a past moment through the project's clock (``clock.replaying``): each
announcement is published two days before its declared event, and the draw is run now with the
demo value ``DEMO_LOTTERY_VALUE`` — a demo number, not the real lottery result of that day
(decision 0057). Last year's announcement also has two witnesses: one reveals before the
deadline, the other is withheld and the draw goes ahead without him.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from fazhi.core import clock
from fazhi.core.models import Officer, Organisation, OrganisationKind, Role, User
from fazhi.inspections.models import (
    InspectionItem,
    InspectionPlan,
    InspectorProfile,
    PlanKind,
    PlanState,
    TaskState,
)
from fazhi.inspections.workflows import PLAN
from fazhi.registry.models import Entity, SupervisionCategory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLANNER_USERNAME = "demo_supervisor"
INSPECTOR_PASSWORD = "Fazhi-Demo-2026"  # noqa: S105  (the documented demo password)
# last year's announcement: the first witness reveals before the deadline, the second withholds
WITNESSES = ["区纪委监委驻局纪检组", "区司法局"]
# the value the demo enters for each declared 福彩3D draw: a demo number, not a real result
DEMO_LOTTERY_VALUE = "000"

# (code, category code, name, legal basis, content, applicable kinds, default ratio %, frequency)
ITEMS: list[tuple[str, str, str, str, str, list[str], str, str]] = [
    (
        "GGCS-01",
        "public_places",
        "公共场所卫生许可及从业人员健康管理",
        "《公共场所卫生管理条例》第四条、第七条；《公共场所卫生管理条例实施细则》第十条、第二十二条",
        "查验卫生许可证、从业人员健康合格证明及卫生知识培训情况。",
        [
            "public_place_lodging",
            "public_place_bath",
            "public_place_beauty",
            "public_place_swimming",
        ],
        "5",
        "每年一次",
    ),
    (
        "GGCS-02",
        "public_places",
        "公共场所卫生管理制度及公共用品用具消毒",
        "《公共场所卫生管理条例实施细则》第七条、第十四条",
        "检查卫生管理制度、档案，公共用品用具清洗消毒保洁情况。",
        ["public_place_lodging", "public_place_bath", "public_place_beauty"],
        "5",
        "每年一次",
    ),
    (
        "GGCS-03",
        "public_places",
        "集中空调通风系统卫生",
        "《公共场所集中空调通风系统卫生管理办法》第十条",
        "检查集中空调通风系统清洗及卫生检测情况。",
        ["public_place_lodging", "public_place_other"],
        "5",
        "每年一次",
    ),
    (
        "YYS-01",
        "drinking_water",
        "供水单位卫生许可及水质检测",
        "《生活饮用水卫生监督管理办法》第七条、第十二条",
        "查验卫生许可证，检查水质检测制度及检测记录、涉水产品卫生许可批件。",
        ["water_supplier", "secondary_water_supply"],
        "10",
        "每年一次",
    ),
    (
        "YYS-02",
        "drinking_water",
        "二次供水设施卫生管理",
        "《二次供水设施卫生规范》（GB 17051）；《生活饮用水卫生监督管理办法》第九条",
        "检查二次供水设施清洗消毒、水箱防护及直接从事供管水人员健康证明。",
        ["secondary_water_supply"],
        "10",
        "每年一次",
    ),
    (
        "XXWS-01",
        "school",
        "学校教学环境及饮用水卫生",
        "《学校卫生工作条例》第六条、第七条",
        "检查教室采光照明、课桌椅配备及学校饮用水卫生管理。",
        ["school"],
        "20",
        "每年一次",
    ),
    (
        "YLWS-01",
        "medical",
        "医疗机构依法执业",
        "《医疗机构管理条例》第二十四条、第二十六条；《中华人民共和国医师法》第十三条",
        "查验执业许可证及校验，卫生技术人员资质，诊疗科目与执业范围。",
        ["hospital", "clinic", "community_health_centre", "medical_aesthetics"],
        "5",
        "每年一次",
    ),
    (
        "CRB-01",
        "infectious",
        "传染病防治及医疗废物管理",
        "《中华人民共和国传染病防治法》第二十一条；《医疗废物管理条例》第七条",
        "检查预检分诊、疫情报告、消毒隔离及医疗废物分类收集暂存。",
        ["hospital", "clinic", "community_health_centre"],
        "5",
        "每年一次",
    ),
    (
        "FSWS-01",
        "radiation",
        "放射诊疗许可及放射防护",
        "《放射诊疗管理规定》第十六条、第二十条",
        "查验放射诊疗许可证，检查放射工作人员个人剂量监测和职业健康检查。",
        ["radiation_user", "hospital"],
        "10",
        "每年一次",
    ),
    (
        "XDCP-01",
        "disinfection",
        "消毒产品生产企业卫生条件",
        "《消毒管理办法》第二十条、第二十一条",
        "查验卫生许可证，检查生产条件、原材料及产品卫生安全评价。",
        ["disinfection_product_maker"],
        "10",
        "每年一次",
    ),
]

# demo entities, used only when the registry's demo has left the institute without any
FALLBACK_ENTITIES: list[tuple[str, str, str]] = [
    ("松溪宾馆", "public_place_lodging", "public_places"),
    ("清风沐浴中心", "public_place_bath", "public_places"),
    ("丽人美发店", "public_place_beauty", "public_places"),
    ("松溪游泳馆", "public_place_swimming", "public_places"),
    ("溪畔快捷酒店", "public_place_lodging", "public_places"),
    ("悦容美容院", "public_place_beauty", "public_places"),
    ("锦江商务酒店", "public_place_lodging", "public_places"),
    ("碧水洗浴会所", "public_place_bath", "public_places"),
    ("松溪区自来水公司", "water_supplier", "drinking_water"),
    ("阳光花园二次供水站", "secondary_water_supply", "drinking_water"),
    ("翠湖小区二次供水站", "secondary_water_supply", "drinking_water"),
    ("松溪区第一中学", "school", "school"),
    ("松溪区实验小学", "school", "school"),
    ("康宁诊所", "clinic", "medical"),
    ("仁和门诊部", "clinic", "medical"),
    ("松溪区人民医院", "hospital", "medical"),
]


def _say(stdout: Any, text: str) -> None:
    stdout.write(f"[随机抽查] {text}\n")


def _institute(province: Organisation, planner: User | None) -> Organisation | None:
    """The demo supervisor's institute (松溪区监督所), if it is in ``province``."""
    if planner is None or planner.organisation is None:
        return None
    org = planner.organisation
    if org.kind != OrganisationKind.SUPERVISION_INSTITUTE or not org.path.startswith(province.path):
        return None
    return org


def _items(planner: User, institute: Organisation, stdout: Any) -> list[InspectionItem]:
    from fazhi.inspections.services.items import item_create

    categories = {c.code: c for c in SupervisionCategory.objects.all()}
    created = 0
    for code, cat, name, basis, content, kinds, ratio, frequency in ITEMS:
        if cat not in categories:
            continue
        if InspectionItem.objects.filter(organisation=institute, code=code).exists():
            continue
        item_create(
            actor=planner,
            organisation=institute,
            category=categories[cat],
            code=code,
            name=name,
            legal_basis=basis,
            content=content,
            applicable_kinds=kinds,
            default_ratio=ratio,
            frequency=frequency,
        )
        created += 1
    _say(stdout, f"抽查事项清单：新增{created}项。")
    return list(InspectionItem.objects.filter(organisation=institute, is_active=True))


def _inspectors(
    planner: User, institute: Organisation, today: dt.date, stdout: Any
) -> list[Officer]:
    from fazhi.core.services import people as people_services
    from fazhi.inspections.services.pool import inspector_enrol

    categories = list(SupervisionCategory.objects.filter(is_active=True))
    enrolled: list[Officer] = []
    for index, officer in enumerate(
        Officer.objects.filter(organisation=institute, is_active=True).order_by("pk")
    ):
        if officer.user_id is None:
            username = f"demo_inspector{index + 1}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = people_services.user_create(
                    actor=None,
                    username=username,
                    full_name=officer.name,
                    organisation=institute,
                    role=Role.SUPERVISOR,
                    password=INSPECTOR_PASSWORD,
                )
            if not hasattr(user, "officer"):
                people_services.officer_update(actor=None, officer=officer, user=user)
        if InspectorProfile.objects.filter(officer=officer).exists():
            enrolled.append(officer)
            continue
        if officer.valid_credential(today) is None:
            _say(stdout, f"{officer.name}没有有效的执法证，未入库。")
            continue
        inspector_enrol(
            actor=planner, officer=officer, on=today, categories=categories, max_tasks_per_plan=20
        )
        enrolled.append(officer)
    _say(stdout, f"执法检查人员名录库：{len(enrolled)}人在库。")
    return enrolled


def _entities(planner: User, institute: Organisation, stdout: Any) -> int:
    existing = Entity.objects.filter(organisation__path__startswith=institute.path).count()
    if existing:
        return existing
    from fazhi.registry.codes import make_uscc
    from fazhi.registry.services.entities import entity_create

    for serial, (name, kind, cat) in enumerate(FALLBACK_ENTITIES, start=880001):
        entity_create(
            actor=planner,
            organisation=institute,
            name=name,
            kind=kind,
            division_code=institute.division_code,
            uscc=make_uscc(institute.division_code, serial),
            categories=[cat],
            address=f"{institute.name.removesuffix('卫生健康监督所')}演示路{serial % 100}号",
        )
    _say(stdout, f"名录库中没有本所的检查对象，已补充{len(FALLBACK_ENTITIES)}个演示对象。")
    return len(FALLBACK_ENTITIES)


def _strata(planner: User, plan: InspectionPlan, institute: Organisation) -> int:
    from fazhi.inspections.services.plans import stratum_add

    added = 0
    for code, quota in (
        ("public_places", 24),
        ("drinking_water", 6),
        ("school", 4),
        ("medical", 8),
    ):
        category = SupervisionCategory.objects.filter(code=code).first()
        if category is None:
            continue
        available = Entity.objects.filter(
            organisation__path__startswith=institute.path,
            categories=category,
            is_active=True,
            status="operating",
        ).count()
        if not available:
            continue
        stratum_add(
            actor=planner, plan=plan, key=code, category=category, quota=min(quota, available)
        )
        added += 1
    return added


def _plan(
    planner: User,
    institute: Organisation,
    items: list[InspectionItem],
    year: int,
    title: str,
    stdout: Any,
) -> InspectionPlan | None:
    from fazhi.inspections.services.plans import plan_create

    existing = InspectionPlan.objects.filter(organisation=institute, title=title).first()
    if existing is not None:
        return existing
    plan = plan_create(
        actor=planner,
        organisation=institute,
        kind=PlanKind.RANDOM,
        title=title,
        year=year,
        window_start=dt.date(year, 3, 1),
        window_end=dt.date(year, 10, 31),
        lead_department="公共卫生监督科",
        items=items,
        uses_risk_ratio=True,
    )
    if not _strata(planner, plan, institute):
        _say(stdout, f"{title}：没有可抽取的检查对象，未设置分层。")
        return None
    return plan


def _record_results(plan: InspectionPlan, today: dt.date) -> None:
    from fazhi.inspections.services import tasks as task_services

    rng = random.Random(plan.pk)  # noqa: S311  (demo data, reproducible)
    tasks = list(plan.tasks.exclude(state=TaskState.CANCELLED).order_by("number"))
    for index, task in enumerate(tasks):
        if task.state not in (TaskState.ASSIGNED, TaskState.IN_PROGRESS):
            continue
        lead = task.task_inspectors.select_related("officer__user").order_by("role").first()
        if lead is None or lead.officer.user is None:
            continue
        actor = lead.officer.user
        if index % 10 == 9:
            task_services.task_complete(
                actor=actor,
                task=task,
                outcome="not_inspected",
                reason="closed" if index % 20 == 9 else "not_found",
                notes="现场核实已停业" if index % 20 == 9 else "地址查无此户",
            )
            continue
        task_services.task_start(actor=actor, task=task)
        outcome = "no_problem"
        if index % 10 in (3, 6):
            outcome = "ordered_to_correct"
        elif index % 10 == 7:
            outcome = "referred"
        items = task_services.task_items(task)
        for position, item in enumerate(items):
            failed = outcome != "no_problem" and position == 0
            task_services.task_record_finding(
                actor=actor,
                task=task,
                item=item,
                result="fail" if failed else ("pass" if rng.random() < 0.9 else "not_applicable"),
                note="从业人员健康合格证明过期" if failed else "",
            )
        if outcome == "ordered_to_correct":
            task_services.task_complete(
                actor=actor,
                task=task,
                outcome=outcome,
                recheck_date=today + dt.timedelta(days=15),
                notes="已下达卫生监督意见书，责令限期整改。",
            )
            if index % 10 == 3:
                task_services.task_recheck(
                    actor=actor, task=task, on=today, passed=True, notes="已整改到位。"
                )
        elif outcome == "referred":
            task_services.task_complete(
                actor=actor,
                task=task,
                outcome=outcome,
                facts="未取得有效卫生许可证擅自营业，涉嫌违反《公共场所卫生管理条例》第八条。",
            )
        else:
            task_services.task_complete(actor=actor, task=task, outcome=outcome)


def _lottery(day: dt.date) -> tuple[str, dict[str, Any]]:
    """The 福彩3D draw of ``day`` (period numbered by the day of the year: demo data)."""
    return "cwl-3d", {"period": f"{day.year}{day.timetuple().tm_yday:03d}", "date": day.isoformat()}


def _announce_before(
    planner: User, plan: InspectionPlan, event_day: dt.date, *, witnesses: bool
) -> None:
    """Announce ``plan`` two days before the 福彩3D draw of ``event_day``, replaying the clock."""
    from fazhi.inspections.services.announcements_v2 import (
        WitnessInput,
        plan_announce_v2,
        witness_reveal,
    )

    def local(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)

    with clock.replaying(local(event_day - dt.timedelta(days=2), 10)):
        announced = plan_announce_v2(
            actor=planner,
            plan=plan,
            sources=[_lottery(event_day)],
            witnesses=[WitnessInput(name=name) for name in WITNESSES] if witnesses else [],
            reveal_deadline=local(event_day, 12) if witnesses else None,
        )
    if witnesses:
        _name, reveal = announced.reveals[0]
        with clock.replaying(local(event_day - dt.timedelta(days=1), 10)):
            witness_reveal(
                actor=planner, announcement=announced.announcement, position=1, reveal=reveal
            )


def load(*, province: Organisation, stdout: Any) -> None:
    from fazhi.inspections.services.draws import draw_run
    from fazhi.inspections.services.publicity import plan_publish_results

    today = clock.today()
    planner = User.objects.filter(username=PLANNER_USERNAME).first()
    institute = _institute(province, planner)
    if institute is None or planner is None:
        _say(stdout, "未找到演示监督所或监督员账号，跳过。")
        return
    items = _items(planner, institute, stdout)
    inspectors = _inspectors(planner, institute, today, stdout)
    if len(inspectors) < 2:
        _say(stdout, "在库检查人员不足两人，跳过抽查计划。")
        return
    _entities(planner, institute, stdout)

    last_year = today.year - 1
    finished = _plan(
        planner, institute, items, last_year, f"{last_year}年公共卫生双随机监督抽查计划", stdout
    )
    if finished is not None:
        if PLAN.allows(finished, "announce"):
            _announce_before(planner, finished, dt.date(last_year, 2, 20), witnesses=True)
            finished.refresh_from_db()
        if finished.state == PlanState.ANNOUNCED:
            draw_run(actor=planner, plan=finished, values=[DEMO_LOTTERY_VALUE])
        _record_results(finished, today)
        published = plan_publish_results(actor=planner, plan=finished)
        _say(
            stdout,
            f"{finished.title}：已抽取（演示号码{DEMO_LOTTERY_VALUE}，非真实开奖结果）、"
            f"录入结果，新公示{published}项。",
        )

    current = _plan(
        planner, institute, items, today.year, f"{today.year}年公共卫生双随机监督抽查计划", stdout
    )
    if current is not None and PLAN.allows(current, "announce"):
        _announce_before(planner, current, today - dt.timedelta(days=1), witnesses=False)
        _say(
            stdout,
            f"{current.title}：已发布抽取公告（演示：公告日期回拨至所声明的福彩3D开奖之前），"
            f"可在计划页面抽取，开奖号码可输入演示号码{DEMO_LOTTERY_VALUE}（非真实开奖结果）。",
        )
    logins = list(
        User.objects.filter(
            officer__inspector_profile__isnull=False, officer__organisation=institute
        )
        .order_by("username")
        .values_list("username", flat=True)
    )
    _say(
        stdout,
        f"检查人员登录名：{'、'.join(logins)}，密码 {INSPECTOR_PASSWORD}"
        "（掌上执法：/inspections/tasks/mine/）。",
    )
