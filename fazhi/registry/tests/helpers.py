"""Registry test helpers: entities are built through the real services."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import itertools
from collections.abc import Sequence
from typing import Any

from fazhi.core.models import Organisation, Role, User
from fazhi.core.tests.factories import OrgTree, make_org_tree, make_user
from fazhi.registry.codes import make_id_number, make_uscc
from fazhi.registry.importing.template import COLUMNS
from fazhi.registry.models import Entity, SupervisionCategory
from fazhi.registry.services import entities as entity_services

_serial = itertools.count(1000)


def next_uscc(division: str = "350102") -> str:
    return make_uscc(division, next(_serial))


def next_id_number(division: str = "350102") -> str:
    return make_id_number(division, dt.date(1980, 5, 17), next(_serial) % 1000)


def make_entity(actor: User, organisation: Organisation | None = None, **kw: Any) -> Entity:
    org = organisation or actor.organisation
    assert org is not None
    division = kw.pop("division_code", org.division_code)
    if kw.get("is_individual"):
        kw.setdefault("id_number", next_id_number(division))
    else:
        kw.setdefault("uscc", next_uscc(division))
    n = next(_serial)
    return entity_services.entity_create(
        actor=actor,
        organisation=org,
        name=kw.pop("name", f"测试单位{n}"),
        kind=kw.pop("kind", "clinic"),
        division_code=division,
        categories=kw.pop("categories", ["medical"]),
        **kw,
    )


def ensure_categories() -> None:
    """Re-seed the categories if a transactional test elsewhere flushed the migration's data."""
    from django.apps import apps

    seed = importlib.import_module("fazhi.registry.migrations.0002_seed_supervision_categories")
    if SupervisionCategory.objects.count() < len(seed.CATEGORIES):
        seed.seed(apps, None)


class World:
    """Two districts of one tree, each with a supervisor in its institute."""

    def __init__(self) -> None:
        ensure_categories()
        self.tree: OrgTree = make_org_tree()
        d0, d1 = self.tree.districts[0], self.tree.districts[1]
        self.inst0 = self.tree.institute_of(d0)
        self.inst1 = self.tree.institute_of(d1)
        self.sup0 = make_user(self.inst0, Role.SUPERVISOR)
        self.sup1 = make_user(self.inst1, Role.SUPERVISOR)
        self.city_leader = make_user(self.tree.cities[0], Role.LEADER)
        self.viewer0 = make_user(self.inst0, Role.VIEWER)


HEADER = [c.header for c in COLUMNS]


def row(**values: Any) -> list[Any]:
    """A data row in template column order; unspecified cells empty."""
    fields = [c.field for c in COLUMNS]
    unknown = set(values) - set(fields)
    assert not unknown, unknown
    return [values.get(f, "") for f in fields]


def good_row(division: str = "350102", **values: Any) -> list[Any]:
    base: dict[str, Any] = {
        "name": f"导入单位{next(_serial)}",
        "uscc": next_uscc(division),
        "kind": "医院",
        "categories": "医疗卫生、放射卫生",
        "division_code": division,
        "risk_grade": "C",
    }
    base.update(values)
    return row(**base)


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for r in rows:
        sheet.append(list(r))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow(r)
    return out.getvalue().encode("utf-8")
