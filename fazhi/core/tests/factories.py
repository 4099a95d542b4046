"""Shared test factories. Everything is built through the real services, so audit rows exist.

tree = make_org_tree()            # province -> 2 cities -> 2 districts each; every
                                  # commission has its supervision institute as a child
admin = make_user(tree.province, Role.SYSTEM_ADMIN)
sup = make_user(tree.districts[0], Role.SUPERVISOR)
officer = make_officer(tree.institute_of(tree.districts[0]), credential_days=365)
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

from fazhi.core import clock
from fazhi.core.models import (
    Credential,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    User,
)
from fazhi.core.services import org as org_services
from fazhi.core.services import people as people_services
from fazhi.core.validators import PROVINCE_PREFIXES

PASSWORD = "Fazhi-Test-2026!"  # satisfies the password policy
_counter = itertools.count(1)
_PREFIXES = sorted(PROVINCE_PREFIXES)


@dataclass
class OrgTree:
    province: Organisation
    cities: list[Organisation]
    districts: list[Organisation]  # [city0-d0, city0-d1, city1-d0, city1-d1]
    institutes: dict[int, Organisation] = field(default_factory=dict)  # commission pk -> institute

    def institute_of(self, commission: Organisation) -> Organisation:
        return self.institutes[commission.pk]

    def districts_of(self, city: Organisation) -> list[Organisation]:
        return [d for d in self.districts if d.parent_id == city.pk]

    @property
    def commissions(self) -> list[Organisation]:
        return [self.province, *self.cities, *self.districts]

    @property
    def all(self) -> list[Organisation]:
        return [org for c in self.commissions for org in (c, self.institutes[c.pk])]


def _commission(
    *, name: str, level: str, code: str, parent: Organisation | None, short_name: str
) -> tuple[Organisation, Organisation]:
    org = org_services.organisation_create(
        actor=None,
        name=name,
        kind=OrganisationKind.COMMISSION,
        level=level,
        division_code=code,
        parent=parent,
        short_name=short_name,
    )
    institute = org_services.organisation_create(
        actor=None,
        name=name.replace("卫生健康委员会", "卫生健康监督所"),
        kind=OrganisationKind.SUPERVISION_INSTITUTE,
        level=level,
        division_code=code,
        parent=org,
        short_name=short_name + "监",
    )
    return org, institute


def make_org_tree(*, province_code: str | None = None) -> OrgTree:
    """A fresh province -> 2 cities -> 2 districts each, each commission with its institute."""
    n = next(_counter)
    prefix = province_code[:2] if province_code else _PREFIXES[n % len(_PREFIXES)]
    label = f"测试{n}"
    province, p_inst = _commission(
        name=f"{label}省卫生健康委员会",
        level=OrganisationLevel.PROVINCE,
        code=f"{prefix}0000",
        parent=None,
        short_name=f"{label}卫",
    )
    tree = OrgTree(province=province, cities=[], districts=[])
    tree.institutes[province.pk] = p_inst
    for c in (1, 2):
        city, c_inst = _commission(
            name=f"{label}市{c}卫生健康委员会",
            level=OrganisationLevel.CITY,
            code=f"{prefix}{c:02d}00",
            parent=province,
            short_name=f"市{c}卫",
        )
        tree.cities.append(city)
        tree.institutes[city.pk] = c_inst
        for d in (2, 3):
            district, d_inst = _commission(
                name=f"{label}市{c}区{d}卫生健康委员会",
                level=OrganisationLevel.DISTRICT,
                code=f"{prefix}{c:02d}{d:02d}",
                parent=city,
                short_name=f"区{c}{d}卫",
            )
            tree.districts.append(district)
            tree.institutes[district.pk] = d_inst
    return tree


def make_user(org: Organisation, role: str, **kw: Any) -> User:
    """A user of ``org`` with ``role``; password ``PASSWORD`` unless given."""
    n = next(_counter)
    return people_services.user_create(
        actor=kw.pop("actor", None),
        username=kw.pop("username", f"user{n}"),
        full_name=kw.pop("full_name", f"测试用户{n}"),
        organisation=org,
        role=role,
        password=kw.pop("password", PASSWORD),
        **kw,
    )


def make_officer(
    org: Organisation,
    *,
    name: str | None = None,
    user: User | None = None,
    credential_days: int | None = 365,
    **kw: Any,
) -> Officer:
    """An officer of ``org``; with a valid credential expiring in ``credential_days`` days
    (negative: already expired; None: no credential)."""
    n = next(_counter)
    officer = people_services.officer_create(
        actor=None, organisation=org, name=name or f"执法员{n}", user=user, **kw
    )
    if credential_days is not None:
        make_credential(officer, expires_in_days=credential_days)
    return officer


def make_credential(officer: Officer, *, expires_in_days: int = 365, **kw: Any) -> Credential:
    n = next(_counter)
    today = clock.today()
    expires_on = today + dt.timedelta(days=expires_in_days)
    issued_on = kw.pop("issued_on", min(today, expires_on) - dt.timedelta(days=3 * 365))
    return people_services.credential_issue(
        actor=kw.pop("actor", None),
        officer=officer,
        number=kw.pop("number", f"T{n:08d}"),
        issued_on=issued_on,
        expires_on=expires_on,
        **kw,
    )
