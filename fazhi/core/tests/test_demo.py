"""``fazhi demo``: the fictional province, idempotent, through the services."""

from __future__ import annotations

import io
import sys
import types

import pytest
from django.core.management import call_command

from fazhi.core import audit_verify, clock, demo
from fazhi.core.models import (
    AuditEvent,
    CalendarYear,
    Credential,
    Deadline,
    Officer,
    Organisation,
    OrganisationKind,
    OrganisationLevel,
    Role,
    User,
)
from fazhi.core.selectors import people as people_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_domain_hooks(monkeypatch):
    # The domain apps' demo data (thousands of entities) has its own tests.
    monkeypatch.setattr(demo, "DEMO_HOOKS", [])


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_builds_the_fictional_province():
    output = run_demo()
    province = Organisation.objects.get(parent=None, name="清源省卫生健康委员会")
    tree = Organisation.objects.filter(path__startswith=province.path)
    commissions = tree.filter(kind=OrganisationKind.COMMISSION)
    assert commissions.filter(level=OrganisationLevel.CITY).count() == 2
    assert commissions.filter(level=OrganisationLevel.DISTRICT).count() == 4
    # every commission has exactly one supervision institute as its child, same code
    for commission in commissions:
        institute = commission.children.get(kind=OrganisationKind.SUPERVISION_INSTITUTE)
        assert institute.division_code == commission.division_code
        assert commission.short_name
    assert sorted(commissions.values_list("division_code", flat=True)) == [
        "360000",
        "360100",
        "360102",
        "360103",
        "360200",
        "360202",
        "360203",
    ]
    assert "虚构" in output
    assert "工作日历：已载入" in output
    assert CalendarYear.objects.filter(year=2025).exists()  # the package knows 2004-2026
    for role in Role.values:
        assert User.objects.filter(role=role, username__startswith="demo_").exists(), role
    for username, *_ in demo.LOGINS:
        assert username in output
        assert User.objects.get(username=username).check_password(demo.DEMO_PASSWORD)
    assert demo.DEMO_PASSWORD in output

    # credentials: a few expiring within 60 days, exactly one expired
    today = clock.today()
    admin = User.objects.get(username="demo_admin")
    expiring = people_selectors.credentials_expiring(user=admin, within_days=60)
    assert 2 <= expiring.count() < Credential.objects.count() // 2
    expired = Credential.objects.filter(expires_on__lt=today)
    assert expired.count() == 1
    assert Officer.objects.count() == 4 * 8 + 2 * 3 + 2
    supervisor = User.objects.get(username="demo_supervisor")
    assert supervisor.officer.organisation_id == supervisor.organisation_id
    # the demo writes went through the services: each credential has its audit event
    assert (
        AuditEvent.objects.filter(action="credential.issued").count() == Credential.objects.count()
    )
    # one suspended credential, through the workflow, shows the credential steps
    suspended = Credential.objects.get(state="suspended")
    assert suspended.officer.organisation.name == "青川市卫生健康监督所"
    assert AuditEvent.objects.get(action="credential.suspended").object_id == str(suspended.pk)
    assert audit_verify.verify().ok
    # the workbench has something to show: open obligations assigned to the demo logins
    assert Deadline.objects.count() == len(demo.DEMO_DEADLINES)
    legal = User.objects.get(username="demo_legal")
    assert Deadline.objects.filter(assignee=legal).count() == 3
    assert AuditEvent.objects.filter(action="deadline.opened").count() == len(demo.DEMO_DEADLINES)


def test_demo_is_idempotent():
    first = run_demo()
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Officer.objects.count(),
        Credential.objects.count(),
        Deadline.objects.count(),
        AuditEvent.objects.count(),
    )
    second = run_demo()
    assert second == first
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Officer.objects.count(),
        Credential.objects.count(),
        Deadline.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_demo_calls_the_domain_hooks(monkeypatch):
    calls = []
    module = types.ModuleType("fazhi_fake_demo_hook")
    module.load = lambda *, province, stdout: calls.append(province.name)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fazhi_fake_demo_hook", module)
    monkeypatch.setattr(demo, "DEMO_HOOKS", ["fazhi_fake_demo_hook", "fazhi.no_such_app.demo"])
    output = run_demo()
    assert calls == ["清源省卫生健康委员会"]
    assert "fazhi_fake_demo_hook" in output


def test_demo_logins_show_scope_in_the_pages():
    from django.test import Client

    run_demo()
    client = Client()
    client.force_login(User.objects.get(username="demo_city_admin"))
    body = client.get("/users/").content.decode()
    assert "demo_legal" not in body  # 青川市 is another city
    client.force_login(User.objects.get(username="demo_viewer"))
    body = client.get("/officers/").content.decode()
    assert "已过期" in body
    assert client.get("/users/").status_code == 403


def test_the_documents_the_deadlines_cite_are_in_the_numbering_register():
    from fazhi.core.models import DocumentNumber, SiteSettings
    from fazhi.core.selectors.site import site_identity

    run_demo()
    year = clock.today().year
    cited = [
        title
        for _, template, *_ in demo.DEMO_DEADLINES
        for title in [template.format(year=year)]
        if "医罚" in title
    ]
    assert cited
    for title in cited:
        number = title.split("：")[-1]
        taken = DocumentNumber.objects.get(text=number)
        assert taken.document_type.organisation.name == "青川市松溪区卫生健康局"
    serials = DocumentNumber.objects.filter(year=year).values_list("serial", flat=True)
    assert sorted(serials) == list(range(1, 9))
    legal = User.objects.get(username="demo_legal")
    assert AuditEvent.objects.filter(action="document_number.issued", actor=legal).count() == 8
    # the portal carries the demo agency's identity
    assert site_identity().site_code == demo.DEMO_SITE["site_code"]
    assert SiteSettings.objects.count() == 1
    run_demo()
    assert DocumentNumber.objects.count() == 8
