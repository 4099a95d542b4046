"""Services: inspection plans and their strata, and task lists imported from a higher level.

Plans are edited only while in draft. A stratum says which category (and risk grade) to draw
from and how many: a quota or a ratio; a campaign stratum with neither takes every target that
matches its filter. Announcing lives in ``services.announcements``, drawing in ``services.draws``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from fazhi.core import audit, clock, errors, import_limits, spreadsheets, workflow
from fazhi.core.events import EventName
from fazhi.core.models import Deadline, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import lineage_ids, require_cap, require_in_scope, visible_organisations
from fazhi.inspections.events import PlanEvents, StratumEvents
from fazhi.inspections.models import (
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    NamesPublic,
    PlanKind,
    PlanStratum,
    TaskState,
)
from fazhi.inspections.workflows import PLAN
from fazhi.registry.models import Entity, EntityKind, SupervisionCategory

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
FILTER_KEYS = {"kind", "division_prefix", "is_individual"}
_PLAN_FIELDS = (
    "title",
    "year",
    "window_start",
    "window_end",
    "lead_department",
    "joint_departments",
    "is_joint",
    "uses_risk_ratio",
    "team_size",
    "per_entity_yearly_cap",
    "external_source",
    "notes",
    "names_public",
)


def _require_plan_writer(actor: User, organisation: Organisation, action: EventName) -> None:
    require_cap(actor, Cap.INSPECTION_PLAN, action=action)
    require_in_scope(actor, organisation, action=action)


def _clean_plan_fields(values: dict[str, Any]) -> dict[str, Any]:
    title = str(values.get("title", "")).strip()
    if not title:
        raise errors.ValidationFailed("请填写计划名称。", code="title_required")
    values["title"] = title[:200]
    start, end = values.get("window_start"), values.get("window_end")
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise errors.ValidationFailed("请填写实施起止日期。", code="window_required")
    if end < start:
        raise errors.ValidationFailed("实施结束日期不能早于开始日期。", code="window_order")
    year = values.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise errors.ValidationFailed("年度不正确。", code="bad_year")
    if start.year != year and end.year != year:
        raise errors.ValidationFailed("实施期间须在计划年度内。", code="window_outside_year")
    team = values.get("team_size", 2)
    if not isinstance(team, int) or not 2 <= team <= 9:
        raise errors.ValidationFailed(
            "每组检查人员须为2至9人（检查应由两名以上人员实施）。", code="bad_team_size"
        )
    if values.get("names_public", NamesPublic.RESULT_PUBLISHED) not in NamesPublic.values:
        raise errors.ValidationFailed("名单公开时间设置不正确。", code="bad_names_public")
    cap = values.get("per_entity_yearly_cap")
    if cap is not None and (not isinstance(cap, int) or cap < 1):
        raise errors.ValidationFailed("每户年度检查次数上限须为正整数。", code="bad_visit_cap")
    joint = values.get("joint_departments") or []
    values["joint_departments"] = [str(d).strip() for d in joint if str(d).strip()]
    if values.get("is_joint") and not values["joint_departments"]:
        raise errors.ValidationFailed("联合抽查须填写联合部门。", code="joint_departments_required")
    return values


UNKNOWN_ITEM = "抽查事项不存在，或不属于本机构及其上级机构。"


def _clean_items(plan_org: Organisation, items: Sequence[InspectionItem]) -> list[InspectionItem]:
    """Items must belong to the plan's organisation or one of its ancestors, and be active.

    Any other item is refused as unknown, by id only: its name belongs to another branch of the
    tree (``selectors.items.items_for_plan`` is the same rule for ids from input)."""
    allowed = set(lineage_ids(plan_org))
    foreign = [item.pk for item in items if item.organisation_id not in allowed]
    if foreign:
        raise errors.ValidationFailed(UNKNOWN_ITEM, code="unknown_item", items=foreign)
    for item in items:
        if not item.is_active:
            raise errors.ValidationFailed(f"抽查事项“{item.name}”已停用。", code="inactive_item")
    return list(items)


def plan_window_deadline_ensure(*, actor: User, plan: InspectionPlan) -> None:
    """Inside the caller's transaction: the plan's window end is a deadline on the workbench
    (a date fixed by the plan, not a statutory period), opened once when the plan gets tasks."""
    from fazhi.core import periods
    from fazhi.core.services import deadlines as deadline_services

    content_type = ContentType.objects.get_for_model(InspectionPlan)
    if Deadline.objects.filter(
        content_type=content_type, object_id=str(plan.pk), rule_key=periods.FIXED_RULE
    ).exists():
        return
    deadline_services.deadline_attach(
        actor=actor,
        organisation=plan.organisation,
        title=f"抽查计划完成时限：{plan.title}"[:200],
        rule_key=periods.FIXED_RULE,
        start_date=min(plan.window_start, plan.window_end),
        due_date=plan.window_end,
        subject=plan,
        assignee=_window_assignee(plan),
    )


def _window_assignee(plan: InspectionPlan) -> User | None:
    author = plan.created_by
    if author is None or not author.is_active:
        return None
    visible = visible_organisations(author).filter(pk=plan.organisation_id).exists()
    return author if visible else None


def plan_create(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    title: str,
    year: int,
    window_start: dt.date,
    window_end: dt.date,
    lead_department: str = "",
    joint_departments: Sequence[str] = (),
    is_joint: bool = False,
    items: Sequence[InspectionItem] = (),
    uses_risk_ratio: bool = False,
    team_size: int = 2,
    per_entity_yearly_cap: int | None = None,
    external_source: str = "",
    notes: str = "",
    names_public: str = NamesPublic.RESULT_PUBLISHED,
) -> InspectionPlan:
    _require_plan_writer(actor, organisation, PlanEvents.CREATED)
    if kind not in PlanKind.values:
        raise errors.ValidationFailed("计划类型不正确。", code="bad_plan_kind")
    if kind == PlanKind.COMPLAINT:
        raise errors.ValidationFailed(
            "投诉举报核查计划由系统在启动核查时建立，不能手工创建。", code="complaint_plan_by_hand"
        )
    values = _clean_plan_fields(
        {
            "title": title,
            "year": year,
            "window_start": window_start,
            "window_end": window_end,
            "lead_department": lead_department.strip()[:100],
            "joint_departments": list(joint_departments),
            "is_joint": is_joint,
            "uses_risk_ratio": uses_risk_ratio,
            "team_size": team_size,
            "per_entity_yearly_cap": per_entity_yearly_cap,
            "external_source": external_source.strip()[:200],
            "notes": notes,
            "names_public": names_public,
        }
    )
    if kind == PlanKind.IMPORTED and not values["external_source"]:
        raise errors.ValidationFailed(
            "上级下达任务须注明任务来源（如上级计划名称）。", code="external_source_required"
        )
    clean_items = _clean_items(organisation, items)
    with transaction.atomic(durable=True):
        plan = InspectionPlan.objects.create(
            organisation=organisation, kind=kind, created_by=actor, **values
        )
        plan.items.set(clean_items)
        audit.append(
            actor=actor,
            action=PlanEvents.CREATED,
            obj=plan,
            details={"title": plan.title, "kind": kind, "year": year},
        )
    return plan


def plan_update(
    *,
    actor: User,
    plan: InspectionPlan,
    items: Sequence[InspectionItem] | None = None,
    **changes: Any,
) -> InspectionPlan:
    """Change a draft plan. ``changes`` may hold any of the plan's editable fields."""
    _require_plan_writer(actor, plan.organisation, PlanEvents.UPDATED)
    unknown = set(changes) - set(_PLAN_FIELDS)
    if unknown:
        raise errors.ValidationFailed(
            "不能修改这些字段。", code="bad_fields", fields=sorted(unknown)
        )
    values = {name: getattr(plan, name) for name in _PLAN_FIELDS}
    values.update(changes)
    values = _clean_plan_fields(values)
    clean_items = _clean_items(plan.organisation, items) if items is not None else None
    with transaction.atomic(durable=True):
        locked = PLAN.lock(plan)
        PLAN.check(locked, "update")
        changed = {k: str(v) for k, v in values.items() if getattr(locked, k) != v}
        if clean_items is not None:
            locked.items.set(clean_items)
            changed["items"] = ",".join(str(i.pk) for i in clean_items)
        workflow.transition(
            PLAN,
            locked,
            "update",
            actor=actor,
            locked=True,
            changes={**values, "updated_at": clock.now()},
            details={"changed": changed},
        )
    return locked


def _clean_filter(raw: dict[str, Any] | None) -> dict[str, Any]:
    if not raw:
        return {}
    unknown = set(raw) - FILTER_KEYS
    if unknown:
        raise errors.ValidationFailed(
            f"不支持的筛选条件：{'、'.join(sorted(unknown))}。", code="bad_filter"
        )
    out: dict[str, Any] = {}
    if raw.get("kind"):
        kinds = sorted({str(k) for k in raw["kind"]})
        bad = [k for k in kinds if k not in EntityKind.values]
        if bad:
            raise errors.ValidationFailed(
                f"未知的对象类型：{'、'.join(bad)}。", code="bad_filter_kind"
            )
        out["kind"] = kinds
    if raw.get("division_prefix"):
        prefixes = sorted({str(p).strip() for p in raw["division_prefix"] if str(p).strip()})
        if any(not p.isdigit() or len(p) > 6 for p in prefixes):
            raise errors.ValidationFailed("区划前缀须为1至6位数字。", code="bad_filter_division")
        out["division_prefix"] = prefixes
    if raw.get("is_individual") is not None:
        out["is_individual"] = bool(raw["is_individual"])
    return out


def stratum_add(
    *,
    actor: User,
    plan: InspectionPlan,
    key: str,
    category: SupervisionCategory,
    risk_grade: str = "",
    quota: int | None = None,
    ratio: Decimal | str | None = None,
    weighted: bool = False,
    filter: dict[str, Any] | None = None,
) -> PlanStratum:
    _require_plan_writer(actor, plan.organisation, StratumEvents.ADDED)
    key = key.strip().lower()
    if not _KEY_RE.match(key):
        raise errors.ValidationFailed(
            "分层代码须为小写字母、数字、连字符或下划线（最多60位）。", code="bad_stratum_key"
        )
    if risk_grade not in ("", "A", "B", "C", "D"):
        raise errors.ValidationFailed("风险等级须为A、B、C或D。", code="bad_risk_grade")
    if quota is not None and ratio not in (None, ""):
        raise errors.ValidationFailed("抽取数量与抽取比例只能填写一项。", code="quota_and_ratio")
    ratio_value: Decimal | None = None
    if ratio not in (None, ""):
        try:
            ratio_value = Decimal(str(ratio)).quantize(Decimal("0.01"))
        except InvalidOperation as exc:
            raise errors.ValidationFailed("抽取比例须为数字。", code="bad_ratio") from exc
        if not Decimal("0") < ratio_value <= Decimal("100"):
            raise errors.ValidationFailed("抽取比例须大于0且不超过100%。", code="bad_ratio")
    if quota is not None and quota < 1:
        raise errors.ValidationFailed("抽取数量须为正整数。", code="bad_quota")
    if quota is None and ratio_value is None and plan.kind == PlanKind.RANDOM:
        raise errors.ValidationFailed("请填写抽取数量或抽取比例。", code="quota_or_ratio_required")
    if plan.kind == PlanKind.IMPORTED:
        raise errors.ValidationFailed(
            "上级下达任务的计划不设分层，请导入任务清单。", code="imported_plan_no_strata"
        )
    if weighted and risk_grade:
        raise errors.ValidationFailed(
            "按风险加权的分层不能再限定单一风险等级。", code="weighted_with_grade"
        )
    if not category.is_active:
        raise errors.ValidationFailed(
            f"专业类别“{category.name}”已停用。", code="inactive_category"
        )
    clean_filter = _clean_filter(filter)
    with transaction.atomic(durable=True):
        locked = PLAN.lock(plan)
        PLAN.check(locked, "add_stratum")
        if locked.strata.filter(key=key).exists():
            raise errors.ValidationFailed(f"分层代码“{key}”已存在。", code="duplicate_stratum_key")
        stratum = PlanStratum.objects.create(
            plan=locked,
            key=key,
            category=category,
            risk_grade=risk_grade,
            quota=quota,
            ratio=ratio_value,
            weighted=weighted,
            filter=clean_filter,
        )
        workflow.transition(
            PLAN,
            locked,
            "add_stratum",
            actor=actor,
            locked=True,
            details={
                "key": key,
                "category": category.code,
                "risk_grade": risk_grade,
                "quota": quota,
                "ratio": str(ratio_value) if ratio_value is not None else None,
                "weighted": weighted,
                "filter": clean_filter,
            },
        )
    return stratum


def stratum_remove(*, actor: User, stratum: PlanStratum) -> None:
    plan = stratum.plan
    _require_plan_writer(actor, plan.organisation, StratumEvents.REMOVED)
    with transaction.atomic(durable=True):
        locked = PLAN.lock(plan)
        PLAN.check(locked, "remove_stratum")
        deleted, _ = PlanStratum.objects.filter(pk=stratum.pk, plan=locked).delete()
        if not deleted:
            raise errors.NotFound()
        workflow.transition(
            PLAN, locked, "remove_stratum", actor=actor, locked=True, details={"key": stratum.key}
        )


# --- imported task lists --------------------------------------------------------------------

IMPORT_COLUMNS = ("任务编号", "统一社会信用代码/身份证号", "专业类别", "备注")


def import_template() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "任务清单"
    ws.append(list(IMPORT_COLUMNS))
    ws.append(["GJ2026-000001", "12350500MB0000000X", "公共场所卫生", "示例行，导入前请删除"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _read_rows(content: bytes) -> list[tuple[int, list[Any]]]:
    """The task list's rows (sheet row number, the four cells as text) through the one
    spreadsheet reader (.xlsx, .xls or .ods); a code Excel turned into a number stays a
    number here so that it is reported, never matched."""
    file_format = spreadsheets.detect_format(None, content)
    import_limits.check_file(content, xlsx=file_format in spreadsheets.ZIP_FORMATS)
    bad_file = errors.ValidationFailed(
        "无法读取文件，请上传 .xlsx 格式（或 .xls、.ods）的任务清单。", code="bad_file"
    )
    if file_format == spreadsheets.CSV:  # the upload has no name here: workbooks only
        raise bad_file
    try:
        sheet = spreadsheets.read_sheet(content)
    except errors.ValidationFailed as exc:
        raise bad_file from exc
    rows = enumerate(import_limits.limit_rows(sheet.rows), start=1)
    header: list[Any] = []
    for _, candidate in rows:  # blank rows above the header are skipped
        if any(spreadsheets.cell_text(c) for c in candidate):
            header = candidate
            break
    names = [spreadsheets.cell_text(c) for c in header]
    if names[: len(IMPORT_COLUMNS)] != list(IMPORT_COLUMNS):
        raise errors.ValidationFailed(
            f"表头须为：{'、'.join(IMPORT_COLUMNS)}。",
            code="bad_header",
            errors=[{"row": 1, "column": "表头", "reason": "表头与模板不一致"}],
        )
    out: list[tuple[int, list[Any]]] = []
    for index, row in rows:
        cells: list[Any] = [
            c if spreadsheets.is_damaged_code(c) and position == 1 else spreadsheets.cell_text(c)
            for position, c in enumerate(row[: len(IMPORT_COLUMNS)])
        ]
        cells += [""] * (len(IMPORT_COLUMNS) - len(cells))
        if any(c != "" for c in cells):
            out.append((index, cells))
    return out


def plan_import_tasks(*, actor: User, plan: InspectionPlan, content: bytes) -> int:
    """Import a higher level's task list (.xlsx) into a draft plan of kind ``imported``.

    Their task numbers are kept. Every bad row is reported (row, column, reason) and nothing is
    written unless the whole file is clean. Returns the number of tasks created.
    """
    _require_plan_writer(actor, plan.organisation, PlanEvents.IMPORTED)
    if plan.kind != PlanKind.IMPORTED:
        raise errors.ValidationFailed(
            "只有“上级下达任务”类型的计划可以导入任务清单。", code="plan_not_imported"
        )
    rows = _read_rows(content)
    if not rows:
        raise errors.ValidationFailed("文件中没有任务。", code="empty_file")
    problems = import_limits.BoundedErrors()
    codes = {cells[1].upper() for _, cells in rows if isinstance(cells[1], str) and cells[1]}
    # Only the plan's own subtree: a code of another branch reads exactly like an unknown one.
    in_reach = Entity.objects.filter(organisation__path__startswith=plan.organisation.path)
    entities = {(e.uscc or e.id_number).upper(): e for e in in_reach.filter(uscc__in=codes)}
    entities.update({e.id_number.upper(): e for e in in_reach.filter(id_number__in=codes)})
    categories: dict[str, SupervisionCategory] = {}
    for c in SupervisionCategory.objects.filter(is_active=True):
        categories[c.name] = c
        categories[c.code] = c
    existing = set(InspectionTask.objects.filter(plan=plan).values_list("number", flat=True))
    seen: dict[str, int] = {}
    planned: list[tuple[str, Entity, SupervisionCategory, str]] = []
    for row, (number, code, category_name, note) in rows:
        bad = False
        if not number:
            problems.append({"row": row, "column": IMPORT_COLUMNS[0], "reason": "任务编号为空"})
            bad = True
        elif len(number) > 60:
            problems.append({"row": row, "column": IMPORT_COLUMNS[0], "reason": "任务编号过长"})
            bad = True
        elif number in seen:
            problems.append(
                {
                    "row": row,
                    "column": IMPORT_COLUMNS[0],
                    "reason": f"任务编号与第{seen[number]}行重复",
                }
            )
            bad = True
        elif number in existing:
            problems.append(
                {"row": row, "column": IMPORT_COLUMNS[0], "reason": "任务编号已在本计划中"}
            )
            bad = True
        else:
            seen[number] = row
        entity = entities.get(code.upper()) if isinstance(code, str) else None
        if not isinstance(code, str):
            problems.append(
                {
                    "row": row,
                    "column": IMPORT_COLUMNS[1],
                    "reason": "代码被Excel存成了数字，超过15位的部分已丢失。"
                    f"{spreadsheets.DAMAGED_CODE_MESSAGE}",
                }
            )
            bad = True
        elif not code:
            problems.append({"row": row, "column": IMPORT_COLUMNS[1], "reason": "代码为空"})
            bad = True
        elif entity is None:
            problems.append(
                {
                    "row": row,
                    "column": IMPORT_COLUMNS[1],
                    "reason": "名录库中没有该检查对象，或不在本机构管辖范围",
                }
            )
            bad = True
        category = categories.get(category_name)
        if category is None:
            problems.append(
                {
                    "row": row,
                    "column": IMPORT_COLUMNS[2],
                    "reason": f"未知的专业类别“{category_name}”",
                }
            )
            bad = True
        if not bad:
            assert entity is not None and category is not None
            planned.append((number, entity, category, note))
    if problems.total:
        shown = f"（以下列出前{len(problems.kept)}处）" if problems.truncated else ""
        raise errors.ValidationFailed(
            f"任务清单有{problems.total}处错误，未导入任何任务。{shown}",
            code="import_rows_invalid",
            errors=problems.kept,
            error_count=problems.total,
        )
    with transaction.atomic(durable=True):
        locked = PLAN.lock(plan)
        PLAN.check(locked, "import_tasks")
        InspectionTask.objects.bulk_create(
            [
                InspectionTask(
                    plan=locked,
                    entity=entity,
                    organisation_id=entity.organisation_id,
                    category=category,
                    number=number,
                    notes=note,
                    state=TaskState.ASSIGNED,
                )
                for number, entity, category, note in planned
            ],
            batch_size=1000,
        )
        workflow.transition(
            PLAN,
            locked,
            "import_tasks",
            actor=actor,
            locked=True,
            changes={"updated_at": clock.now()},
            details={"count": len(planned), "source": locked.external_source},
        )
        plan_window_deadline_ensure(actor=actor, plan=locked)
    return len(planned)
