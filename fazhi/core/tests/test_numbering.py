"""Document types and document numbers: services, guards, CLI, and concurrent issuing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from django.core.management import call_command
from django.db import transaction

from fazhi.core import clock, errors
from fazhi.core.audit_verify import verify
from fazhi.core.models import AuditEvent, DocumentNumber, DocumentNumberCounter, DocumentType, Role
from fazhi.core.selectors.numbering import document_number_list, document_type_list
from fazhi.core.services import numbering as numbering_services
from fazhi.core.services.numbering import (
    document_number_issue,
    document_number_take,
    document_type_create,
)
from fazhi.core.testing import needs_postgres, postgres_env
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db
YEAR = clock.today().year


@pytest.fixture
def org():
    tree = make_org_tree()
    district = tree.districts[0]
    admin = make_user(district, Role.SYSTEM_ADMIN)
    document_type_create(
        actor=admin, organisation=district, key="penalty", name="行政处罚决定书", prefix="泉卫医罚"
    )
    return {
        "tree": tree,
        "district": district,
        "admin": admin,
        "sup": make_user(district, Role.SUPERVISOR),
        "viewer": make_user(district, Role.VIEWER),
        "other_sup": make_user(tree.districts[1], Role.SUPERVISOR),
    }


def test_issue_counts_per_type_and_year(org):
    issue = lambda **kw: document_number_issue(  # noqa: E731
        actor=org["sup"], organisation=org["district"], **kw
    )
    assert issue(type_key="penalty", year=2024) == "泉卫医罚〔2024〕1号"
    assert issue(type_key="penalty", year=2024) == "泉卫医罚〔2024〕2号"
    assert issue(type_key="penalty", year=2025) == "泉卫医罚〔2025〕1号"
    assert issue(type_key="penalty") == f"泉卫医罚〔{YEAR}〕{2 if YEAR == 2024 else 1}号"
    document_type_create(
        actor=org["admin"],
        organisation=org["district"],
        key="order",
        name="卫生监督意见书",
        prefix="泉卫医意",
    )
    assert issue(type_key="order", year=2024) == "泉卫医意〔2024〕1号"
    assert issue(type_key="penalty", year=2024) == "泉卫医罚〔2024〕3号"
    event = AuditEvent.objects.filter(action="document_number.issued").latest("seq")
    assert json.loads(event.details_json) == {
        "serial": 3,
        "text": "泉卫医罚〔2024〕3号",
        "type_key": "penalty",
        "year": 2024,
    }
    assert event.actor_id == org["sup"].pk and event.organisation_id == org["district"].pk
    assert verify().ok


def test_unknown_type(org):
    with pytest.raises(errors.UnknownDocumentType) as info:
        document_number_issue(
            actor=org["sup"], organisation=org["district"], type_key="nope", year=2024
        )
    assert info.value.code == "unknown_document_type"
    assert not DocumentNumberCounter.objects.exists()


def test_type_of_another_organisation_is_unknown_here(org):
    neighbour = org["tree"].districts[1]
    with pytest.raises(errors.UnknownDocumentType):
        document_number_issue(actor=None, organisation=neighbour, type_key="penalty", year=2024)


@pytest.mark.parametrize("year", [1999, YEAR + 2])
def test_bad_year(org, year):
    with pytest.raises(errors.ValidationFailed) as info:
        document_number_issue(
            actor=org["sup"], organisation=org["district"], type_key="penalty", year=year
        )
    assert info.value.code == "docnumber_year_invalid"


def test_taking_a_number_by_hand_needs_capability_and_scope(org):
    with pytest.raises(errors.PermissionDenied) as exc:
        document_number_take(
            actor=org["viewer"], organisation=org["district"], type_key="penalty", year=2024
        )
    assert exc.value.details["attempted"] == "document_number.issued"
    with pytest.raises(errors.OutOfScope):
        document_number_take(
            actor=org["other_sup"], organisation=org["district"], type_key="penalty", year=2024
        )
    assert not DocumentNumber.objects.exists()
    number = document_number_take(
        actor=org["sup"], organisation=org["district"], type_key="penalty", year=2024
    )
    issued = DocumentNumber.objects.get(text=number)
    assert issued.subject is None and issued.content_type_id is None  # taken by hand


def test_a_number_issued_inside_a_service_names_its_document(org):
    from fazhi.core.services import deadlines as deadline_services

    with transaction.atomic():
        document = deadline_services.deadline_attach(  # any record will do: here a deadline
            actor=org["sup"],
            organisation=org["district"],
            title="处罚决定",
            rule_key="fixed",
            start_date=clock.today(),
            due_date=clock.today(),
        )
        text = document_number_issue(
            actor=org["sup"],
            organisation=org["district"],
            type_key="penalty",
            year=2024,
            subject=document,
        )
    issued = DocumentNumber.objects.get(text=text)
    assert issued.subject == document
    event = AuditEvent.objects.filter(action="document_number.issued").latest("seq")
    assert event.details["subject_type"] == "core.deadline"
    assert event.details["subject_id"] == str(document.pk)


@pytest.mark.django_db(transaction=True)
def test_issuing_joins_the_callers_transaction_and_rolls_back_with_it(org):
    def issue() -> str:
        return document_number_issue(
            actor=org["sup"], organisation=org["district"], type_key="penalty", year=2024
        )

    with pytest.raises(RuntimeError):  # never a transaction of its own
        issue()
    with transaction.atomic():
        assert issue() == "泉卫医罚〔2024〕1号"

    class DecisionFailed(Exception):
        pass

    with pytest.raises(DecisionFailed), transaction.atomic():
        assert issue() == "泉卫医罚〔2024〕2号"
        raise DecisionFailed  # the decision it numbered was not made
    assert list(DocumentNumber.objects.values_list("text", flat=True)) == ["泉卫医罚〔2024〕1号"]
    assert not AuditEvent.objects.filter(details_json__contains="〔2024〕2号").exists()
    with transaction.atomic():
        assert issue() == "泉卫医罚〔2024〕2号"  # the serial came back: no orphan, no gap
    assert verify().ok


@pytest.mark.parametrize(
    ("key", "name", "prefix", "code"),
    [
        ("Penalty", "决定书", "泉卫甲", "document_type_key_invalid"),
        ("1x", "决定书", "泉卫甲", "document_type_key_invalid"),
        ("x" * 41, "决定书", "泉卫甲", "document_type_key_invalid"),
        ("x", "", "泉卫甲", "document_type_name_invalid"),
        ("x", "决定书", "", "document_type_prefix_invalid"),
        ("x", "决定书", "泉卫〔罚", "document_type_prefix_invalid"),
        ("x", "决定书", "泉卫 罚", "document_type_prefix_invalid"),
        ("penalty", "决定书", "泉卫甲", "document_type_exists"),
        ("x", "决定书", "泉卫医罚", "document_prefix_taken"),
    ],
)
def test_document_type_bad_input(org, key, name, prefix, code):
    with pytest.raises(errors.ValidationFailed) as info:
        document_type_create(
            actor=org["admin"], organisation=org["district"], key=key, name=name, prefix=prefix
        )
    assert info.value.code == code
    assert DocumentType.objects.count() == 1


def test_document_type_needs_org_manage_and_scope(org):
    with pytest.raises(errors.PermissionDenied):
        document_type_create(
            actor=org["sup"], organisation=org["district"], key="x", name="书", prefix="甲"
        )
    city_admin = make_user(org["tree"].cities[1], Role.SYSTEM_ADMIN)
    with pytest.raises(errors.OutOfScope):
        document_type_create(
            actor=city_admin, organisation=org["district"], key="x", name="书", prefix="甲"
        )


def test_selectors_are_scoped(org, django_assert_max_num_queries):
    for _ in range(3):
        document_number_issue(actor=None, organisation=org["district"], type_key="penalty")
    assert [t.key for t in document_type_list(user=org["sup"])] == ["penalty"]
    assert list(document_type_list(user=org["other_sup"])) == []
    city_leader = make_user(org["tree"].cities[0], Role.LEADER)
    texts = [n.text for n in document_number_list(user=city_leader, type_key="penalty")]
    assert len(texts) == 3
    with django_assert_max_num_queries(1):  # the type comes with the number: no N+1
        assert [n.document_type.prefix for n in document_number_list(user=city_leader)] == [
            "泉卫医罚"
        ] * 3
    assert list(document_number_list(user=org["other_sup"])) == []
    assert document_number_list(user=org["sup"], year=1990).count() == 0


def test_cli_issues_and_reports_unknown_type(org, capsys):
    call_command("docnumber", str(org["district"].pk), "penalty", "--year", "2024")
    assert capsys.readouterr().out.strip() == "泉卫医罚〔2024〕1号"
    with pytest.raises(SystemExit) as info:
        call_command("docnumber", str(org["district"].pk), "nope")
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("unknown_document_type:")
    with pytest.raises(SystemExit) as info:
        call_command("docnumber", "999999", "penalty")
    assert info.value.code == 1


# --- several processes --------------------------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "fazhi.settings"
    django.setup()
    from fazhi.core.models import Organisation
    from fazhi.core.services.numbering import document_number_take
    org = Organisation.objects.get(pk=int(sys.argv[1]))
    for i in range(int(sys.argv[2])):
        print(document_number_take(actor=None, organisation=org, type_key="penalty", year=2024))
    """
)


@needs_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_from_four_processes(org):
    processes, per_process = 4, 40
    env = postgres_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(org["district"].pk), str(per_process)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    issued: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        issued += out.decode().split()
    total = processes * per_process
    assert len(issued) == len(set(issued)) == total
    assert sorted(issued) == sorted(f"泉卫医罚〔2024〕{n}号" for n in range(1, total + 1))
    serials = sorted(DocumentNumber.objects.values_list("serial", flat=True))
    assert serials == list(range(1, total + 1))
    assert verify().ok


def test_prefix_is_unique_in_the_database_and_a_lost_race_answers_prefix_taken(org, monkeypatch):
    from django.db import IntegrityError, transaction

    other = org["tree"].districts[1]
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentType.objects.create(organisation=other, key="p", name="决定书", prefix="泉卫医罚")

    def insert_without_the_check(**kw):  # as if another request inserted in between
        with transaction.atomic():
            return DocumentType.objects.create(
                organisation=kw["organisation"], key=kw["key"], name=kw["name"], prefix=kw["prefix"]
            )

    monkeypatch.setattr(numbering_services, "_document_type_insert", insert_without_the_check)
    with pytest.raises(errors.ValidationFailed) as exc:
        document_type_create(
            actor=None, organisation=other, key="p", name="决定书", prefix="泉卫医罚"
        )
    assert exc.value.code == "document_prefix_taken"
    assert DocumentType.objects.filter(prefix="泉卫医罚").count() == 1
