"""Demo data of the entity directory (idempotent), loaded by ``fazhi demo``.

About 3,000 fictional entities across every kind and supervision category, spread over the demo
province's district supervision institutes, with valid generated codes (the real GB 32100 and
GB 11643 check algorithms), risk grades and licences. Each institute's entities go in through the
real import path (stage + confirm: one audit event per batch), so loading takes seconds.
A district institute without a registry clerk gets one (a supervisor login, demo password).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fazhi.core.models import Organisation, OrganisationKind, OrganisationLevel, Role, User
from fazhi.core.services import people as people_services
from fazhi.registry.codes import make_id_number, make_uscc
from fazhi.registry.importing import template
from fazhi.registry.models import ImportBatch, ImportState
from fazhi.registry.services import imports as import_services

PER_INSTITUTE = 750
SOURCE_NAME = "演示数据（虚构）"
CLERK_PASSWORD = "Fazhi-Demo-2026"  # noqa: S105  (the documented demo password)

# (kind label, categories, share in ‰, licence kind label or "", name suffixes)
KINDS: list[tuple[str, str, int, str, list[str]]] = [
    ("公共场所（住宿）", "公共场所卫生", 160, "公共场所卫生许可证", ["宾馆", "酒店", "旅社"]),
    ("公共场所（沐浴）", "公共场所卫生", 50, "公共场所卫生许可证", ["浴场", "足浴馆"]),
    ("公共场所（游泳）", "公共场所卫生、生活饮用水卫生", 30, "公共场所卫生许可证", ["游泳馆"]),
    ("公共场所（美容美发）", "公共场所卫生", 160, "公共场所卫生许可证", ["美发店", "美容院"]),
    ("公共场所（其他）", "公共场所卫生", 40, "公共场所卫生许可证", ["影城", "候车室"]),
    ("诊所/门诊部", "医疗卫生、传染病防治", 170, "医疗机构执业许可证", ["诊所", "门诊部"]),
    ("医院", "医疗卫生、传染病防治、放射卫生", 40, "医疗机构执业许可证", ["医院"]),
    (
        "社区卫生服务中心/乡镇卫生院",
        "医疗卫生、传染病防治、母婴保健",
        40,
        "医疗机构执业许可证",
        ["社区卫生服务中心", "卫生院"],
    ),
    ("医疗美容机构", "医疗卫生", 20, "医疗机构执业许可证", ["医疗美容门诊部"]),
    ("集中式供水单位", "生活饮用水卫生", 15, "供水单位卫生许可证", ["自来水厂"]),
    ("二次供水单位", "生活饮用水卫生", 45, "", ["物业二次供水"]),
    ("学校/托幼机构", "学校卫生、传染病防治", 120, "", ["小学", "中学", "幼儿园"]),
    ("消毒产品生产企业", "消毒产品", 25, "消毒产品生产企业卫生许可证", ["消毒用品厂"]),
    ("放射诊疗/放射工作单位", "放射卫生", 35, "放射诊疗许可证", ["口腔诊所", "影像中心"]),
    (
        "职业卫生技术服务机构",
        "职业卫生",
        15,
        "职业卫生技术服务机构资质证书",
        ["职业卫生检测公司"],
    ),
    ("其他", "血液安全", 10, "", ["单采血浆站"]),
]
WORDS = [
    a + b
    for a, b in zip(
        "康仁安同福瑞华惠永启嘉顺和益博晨青明", "宁和泰心瑞丰康民安明禾达美生雅光禾德", strict=True
    )
]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英")
GRADES = "A" * 30 + "B" * 45 + "C" * 20 + "D" * 5
STATUSES = ["正常经营"] * 92 + ["停业/暂停"] * 5 + ["关闭/注销"] * 3


def _district_institutes(province: Organisation) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            path__startswith=province.path,
            kind=OrganisationKind.SUPERVISION_INSTITUTE,
            level=OrganisationLevel.DISTRICT,
            is_active=True,
        ).order_by("division_code", "pk")
    )


def _clerk(institute: Organisation) -> User:
    """A supervisor of the institute to act as the registry clerk (created if there is none)."""
    existing = (
        User.objects.filter(organisation=institute, role=Role.SUPERVISOR, is_active=True)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    return people_services.user_create(
        actor=None,
        username=f"demo_registry_{institute.division_code}",
        full_name=f"{institute.name}名录管理员",
        organisation=institute,
        role=Role.SUPERVISOR,
        password=CLERK_PASSWORD,
    )


def _short_place(institute: Organisation) -> str:
    name = institute.name
    for marker in ("卫生健康监督所", "监督所"):
        if marker in name:
            return name.split(marker)[0][-3:]
    return name[:3]


def rows_for(institute: Organisation, index: int, count: int) -> list[list[Any]]:
    """Deterministic fictional rows for one institute (template column order)."""
    rng = random.Random(f"fazhi-demo-registry-{institute.division_code}")  # noqa: S311
    division = institute.division_code
    place = _short_place(institute)
    weights = [k[2] for k in KINDS]
    rows: list[list[Any]] = []
    used_names: set[str] = set()
    for n in range(count):
        kind, categories, _share, licence_kind, suffixes = rng.choices(KINDS, weights)[0]
        serial = index * 100_000 + n + 1
        name = f"{place}{rng.choice(WORDS)}{rng.choice(suffixes)}"
        if name in used_names:
            name = f"{name}（{n + 1}号）"
        used_names.add(name)
        individual = kind == "诊所/门诊部" and n % 4 == 0
        person = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        if individual:
            name = f"{place}{person}诊所"
            birth = dt.date(1960 + serial % 35, 1 + serial % 12, 1 + serial % 28)
            uscc, id_number, is_individual = "", make_id_number(division, birth, n % 1000), "是"
        else:
            uscc, id_number, is_individual = make_uscc(division, serial), "", "否"
        row: list[Any] = [
            name,
            uscc,
            id_number,
            is_individual,
            kind,
            categories,
            division,
            f"{place}{rng.choice(WORDS)}路{rng.randint(1, 400)}号",
            person,
            rng.choice(STATUSES),
            rng.choice(GRADES),
            "",
            "",
            "",
            "",
            "",
        ]
        if licence_kind:
            start = dt.date(2019 + serial % 6, 1 + serial % 12, 1 + serial % 28)
            row[11:16] = [
                licence_kind,
                f"{division}-{serial:07d}",
                kind,
                start.isoformat(),
                start.replace(year=start.year + 5).isoformat(),
            ]
        rows.append(row)
    return rows


def load(*, province: Organisation, stdout: Any) -> None:
    header = [c.header for c in template.COLUMNS]
    institutes = _district_institutes(province)
    total = 0
    for index, institute in enumerate(institutes, start=1):
        done = ImportBatch.objects.filter(
            organisation=institute, file_name=SOURCE_NAME, state=ImportState.CONFIRMED
        ).exists()
        if done:
            continue
        clerk = _clerk(institute)
        batch = import_services.import_batch_stage_rows(
            actor=clerk,
            organisation=institute,
            source_name=SOURCE_NAME,
            header=header,
            rows=rows_for(institute, index, PER_INSTITUTE),
        )
        if batch.error_count:
            import_services.import_batch_discard(actor=clerk, batch_id=batch.pk)
            raise RuntimeError(f"演示数据有误（{institute.name}）：{batch.errors[:3]}")
        import_services.import_batch_confirm(actor=clerk, batch_id=batch.pk)
        total += batch.row_count
    if total:
        stdout.write(
            f"检查对象名录库：新增虚构检查对象 {total} 个（{len(institutes)} 个区级监督所）。\n"
        )
    else:
        stdout.write("检查对象名录库：演示数据已存在，未作改动。\n")
