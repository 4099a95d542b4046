"""Test state for incoming matters, built through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fazhi.core.models import Organisation, Role, User
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.matters.models import Channel, Matter, RequesterKind
from fazhi.matters.services import disclosure as disclosure_services
from fazhi.matters.services import petitions as petition_services

TODAY = dt.date(2025, 12, 31)


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    officer: User  # 信访办理人员 of ``org``
    head: User  # 机关负责人 of ``org``
    stranger: User  # 信访办理人员 of ``other_org``
    viewer: User  # 上级只读查看 (no handling)


def make_world() -> World:
    tree = make_org_tree(province_code="35")
    org, other = tree.districts[0], tree.districts[2]
    return World(
        org=org,
        other_org=other,
        officer=make_user(org, Role.PETITION_OFFICER),
        head=make_user(org, Role.LEADER),
        stranger=make_user(other, Role.PETITION_OFFICER),
        viewer=make_user(tree.cities[0], Role.VIEWER),
    )


def petition(world: World, **kw: Any) -> Matter:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "channel": Channel.LETTER,
        "received_on": dt.date(2025, 9, 20),
        "requester_kind": RequesterKind.PERSON,
        "requester_name": "张三",
        "title": "反映某诊所收费问题",
        "content": "某诊所超标准收取诊疗费用，请求查处并退还。",
    }
    values.update(kw)
    return petition_services.petition_register(**values)


def disclosure(world: World, **kw: Any) -> Matter:
    values: dict[str, Any] = {
        "actor": world.officer,
        "organisation": world.org,
        "channel": Channel.IN_PERSON,
        "submitted_on": dt.date(2025, 9, 26),
        "requester_kind": RequesterKind.PERSON,
        "requester_name": "李四",
        "title": "2024年度医疗机构校验结果",
        "content": "申请公开本区2024年度医疗机构校验结果名单。",
    }
    values.update(kw)
    return disclosure_services.disclosure_register(**values)
