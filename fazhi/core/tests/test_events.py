"""The event vocabulary: ``audit.append`` takes registered names only; older names keep their
Chinese label and are found under the names that replaced them."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import reverse

from fazhi.core import audit, audit_verify, events
from fazhi.core.audit_events import ALL, LEGACY
from fazhi.core.models import AuditEvent, Role
from fazhi.core.scope import read_action
from fazhi.core.selectors import audit as audit_selectors
from fazhi.core.tests.factories import make_org_tree, make_user


@pytest.mark.django_db
def test_an_unregistered_name_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match="unknown audit event"), transaction.atomic():
        audit.append(actor=None, action="case.fiiled")  # a typo
    with pytest.raises(ValueError), transaction.atomic():
        audit.append(actor=None, action="security.denied")  # an old name is history, not new
    assert not AuditEvent.objects.exists()
    with transaction.atomic():
        audit.append(actor=None, action="organisation.created")  # a registered name as text
    assert AuditEvent.objects.count() == 1


def test_transitional_names_leave_the_allow_set_once_their_domain_declares_them():
    declared = sorted(n for n in audit.TRANSITIONAL_NAMES if events.known(n))
    assert not declared, f"now registered: drop from audit.TRANSITIONAL_NAMES: {declared}"


def test_every_kernel_event_has_a_chinese_label_and_every_old_name_a_successor():
    for enum in ALL:
        for member in enum:
            assert member.label != member.value and not member.label.isascii(), member
    for old, (new, label) in LEGACY.items():
        assert not events.known(old), old
        assert new == "" or events.known(new), new
        assert events.label(old) == label and not label.isascii()


def test_a_refused_read_is_named_by_a_registered_event():
    core = apps.get_app_config("core")
    readable = [m for m in core.get_models() if "organisation" in {f.name for f in m._meta.fields}]
    readable += [core.get_model(name) for name in ("User", "Credential", "AuditEvent")]
    for model in readable:
        assert events.known(read_action(model)), read_action(model)
    assert read_action(core.get_model("DocumentType")) == "document_type.viewed"


@pytest.mark.django_db
def test_old_denials_are_read_and_found_under_the_new_name(client, monkeypatch):
    tree = make_org_tree()
    root_admin = make_user(tree.province, Role.SYSTEM_ADMIN)
    # an event written before the vocabulary, chained as it was then
    monkeypatch.setattr(audit, "TRANSITIONAL_NAMES", frozenset({"security.denied"}))
    with transaction.atomic():
        old = audit.append(actor=None, action="security.denied", details={"reason": "old"})
    monkeypatch.undo()
    audit.record_denial(actor=root_admin, action="GET /x/", reason="permission_denied")
    new = AuditEvent.objects.get(action="access.denied")
    found = audit_selectors.audit_event_list(user=root_admin, action="access.denied")
    assert {e.seq for e in found} == {old.seq, new.seq}
    by_prefix = audit_selectors.audit_event_list(user=root_admin, action="access.")
    assert {e.seq for e in by_prefix} == {old.seq, new.seq}
    assert not audit_selectors.audit_event_list(user=root_admin, action="session.").exists()
    client.force_login(root_admin)
    page = client.get(reverse("core:audit_list"), {"action": "access.denied"}).content.decode()
    assert page.count("拒绝越权访问") >= 2 and ">security.denied<" not in page
    assert audit_verify.verify().ok  # the chain never changes: old events keep their names


def _appended_names_outside_core() -> set[str]:
    """Every name literally passed as ``action=`` to an ``append`` call outside ``core``."""
    import ast
    from pathlib import Path

    fazhi = Path(__file__).resolve().parents[2]
    names: set[str] = set()
    for path in fazhi.rglob("*.py"):
        parts = path.relative_to(fazhi).parts
        if parts[0] == "core" or {"tests", "migrations"} & set(parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "append":
                for kw in node.keywords:
                    if kw.arg == "action":
                        names |= {
                            c.value
                            for c in ast.walk(kw.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
    return names


def test_every_domain_appends_only_registered_names():
    appended = {n for n in _appended_names_outside_core() if not events.known(n)}
    assert not appended, f"declare these in the domain's events enum: {sorted(appended)}"
    assert not audit.TRANSITIONAL_NAMES
