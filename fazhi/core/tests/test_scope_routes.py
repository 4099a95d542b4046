"""Every URL route that takes an id, walked with another city's ids.

The routes come from the URL resolver, so a new route is walked as soon as it exists; a route
this test cannot fill in (an id it does not know how to choose) fails the test with its name,
until it is taught the route or excludes it with a reason. Two sibling cities each get one object
of every kind through the real services; a system administrator of city A, given every
capability for this test (so that only the data scope can refuse), asks for each of city B's
objects: every route must answer 404, exactly as for a missing row, and leave exactly one
``access.denied`` event in the audit chain (and nothing else). The same routes, read with city
A's own ids, must not be refused: that proves each id was understood as the object meant.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from fazhi.appeals.models import Appeal
from fazhi.appeals.services import appeal_register
from fazhi.core import clock
from fazhi.core.models import (
    Attachment,
    AuditEvent,
    Credential,
    Deadline,
    Department,
    Job,
    Officer,
    Organisation,
    Role,
    User,
)
from fazhi.core.roles import ROLE_GRANTS, Cap, Grant, Scope
from fazhi.core.services import deadlines as deadline_services
from fazhi.core.services import org as org_services
from fazhi.core.services.jobs import job_run
from fazhi.core.tests.factories import OrgTree, make_officer, make_org_tree, make_user
from fazhi.core.tests.images import image_bytes
from fazhi.credit.models import CreditListEntry, PointAlert
from fazhi.credit.services.lists import credit_list_enter
from fazhi.discretion.models import Benchmark, BenchmarkImport, BenchmarkItem
from fazhi.discretion.services.imports import benchmark_import
from fazhi.discretion.tests.support import make_benchmark
from fazhi.discretion.tests.test_imports import GOOD, META, xlsx
from fazhi.disputes.models import MedicalDispute
from fazhi.disputes.services.disputes import dispute_register
from fazhi.enforcement.models import CaseLead, CaseLeadSource, PenaltyCase
from fazhi.enforcement.services.cases import case_file
from fazhi.enforcement.services.leads import case_lead_create
from fazhi.inspections.models import (
    ConflictDeclaration,
    Draw,
    DrawAnnouncement,
    InspectionItem,
    InspectionPlan,
    InspectionTask,
    InspectorLeave,
    InspectorProfile,
    PlanStratum,
    ReannouncementRequest,
    RedrawRequest,
    TaskPhoto,
)
from fazhi.inspections.services import pool as pool_services
from fazhi.inspections.services import tasks as task_services
from fazhi.inspections.services.redraws import redraw_request
from fazhi.inspections.tests.task_support import TaskWorld, category, make_drawn_plan, make_entity
from fazhi.matters.hotline_models import HotlineImport
from fazhi.matters.models import (
    Channel,
    Matter,
    ProactiveItem,
    RequesterKind,
    SupervisionOrder,
)
from fazhi.matters.services.hotline_import import hotline_import
from fazhi.matters.services.oversight import supervision_issue
from fazhi.matters.services.petitions import petition_register
from fazhi.matters.services.proactive import proactive_register
from fazhi.registry.jobs import entity_export_enqueue
from fazhi.registry.models import Entity, ImportBatch, Licence
from fazhi.registry.selectors.entities import EntityFilters
from fazhi.registry.services import licences as licence_services
from fazhi.registry.services.imports import import_batch_stage
from fazhi.registry.tests.helpers import csv_bytes, ensure_categories, good_row

pytestmark = pytest.mark.django_db

JPEG = image_bytes("JPEG")

# Routes with parameters that are not ids of an organisation's rows, each with its reason.
EXCLUDED: dict[str, str] = {
    "portal:plan_detail": "public portal, no login: shows published plans of every organisation",
    "portal:draw_detail": "public portal, no login: shows published draws of every organisation",
    "portal:draw_export": "public portal, no login: the published export of a draw",
    "portal:entity_results": "public portal, no login: published results of an entity",
    "portal:decision_detail": "public portal, no login: a published penalty decision",
    "portal:download": "public portal, no login: a named static download, not an id",
    "core:calendar_year": "a year of the national holiday calendar, not an organisation's row",
    "api-calendar-day": "a day of the national holiday calendar, not an organisation's row",
    "api-rule-detail": "a rule key of the national rule pack, not an organisation's row",
    "api-figures-year": "a year: the figures are computed over the user's scope",
    "core:audit_object_history": (
        "a filter of the audit list by object type and id, not a look-up of the object (which "
        "may be gone while its history stays readable): events are narrowed by their own "
        "organisation (checked below)"
    ),
    "admin:app_list": "an app label of the Django admin, not an id",
    "admin:view_on_site": (
        "Django's redirect to a model's get_absolute_url: no Fazhi model has one, so it is a 404 "
        "for every id (checked below)"
    ),
    "admin/(?P<url>.*)$": "the Django admin's catch-all redirect, not an id",
}
# Django-admin pages of models that belong to no organisation: no one but a superuser may open
# them (reference data and third-party tables), so there is no other city's row to ask for.
EXCLUDED_ADMIN_MODELS: dict[str, str] = {
    "auth.group": "Django's groups: unused, superuser only",
    "authtoken.tokenproxy": "API tokens: superuser only",
    "axes.accessattempt": "login lockout records: superuser only",
    "axes.accesslog": "login records: superuser only",
    "axes.accessfailurelog": "login failure records: superuser only",
    "core.calendaryear": "the national holiday calendar: reference data of no organisation",
    "core.calendarday": "the national holiday calendar: reference data of no organisation",
    "registry.supervisioncategory": "supervision categories: national reference data",
    "django_tasks_database.dbtaskresult": (
        "the task backend's records (a job id and, on a crash, the traceback): superuser only; "
        "users see jobs through core.job"
    ),
}
# The admin's bare ``<app>/<model>/<id>/`` only redirects to ``<id>/change/`` (walked) without
# reading the row.
ADMIN_REDIRECT = re.compile(r"admin/\w+/\w+/<path:object_id>/$")

# The model an id stands for, by the URL segment before it (or by the parameter's own name).
BY_SEGMENT: dict[str, type[Model]] = {
    "org": Organisation,
    "organisations": Organisation,
    "departments": Department,
    "users": User,
    "officers": Officer,
    "credentials": Credential,
    "deadlines": Deadline,
    "attachments": Attachment,
    "audit": AuditEvent,
    "events": AuditEvent,
    "registry": Entity,
    "entities": Entity,
    "licences": Licence,
    "import": ImportBatch,
    "imports": ImportBatch,
    "plans": InspectionPlan,
    "publish-plan": InspectionPlan,
    "strata": PlanStratum,
    "announcements": DrawAnnouncement,
    "draws": Draw,
    "redraws": RedrawRequest,
    "reannouncements": ReannouncementRequest,
    "items": InspectionItem,
    "findings": InspectionItem,
    "pool": InspectorProfile,
    "leaves": InspectorLeave,
    "conflicts": ConflictDeclaration,
    "tasks": InspectionTask,
    "photos": TaskPhoto,
    "jobs": Job,
}
BY_PARAM: dict[str, type[Model]] = {
    "entity_id": Entity,
    "batch_id": ImportBatch,
    "licence_id": Licence,
    "stratum_pk": PlanStratum,
    "item_pk": InspectionItem,
    "photo_pk": TaskPhoto,
    "lead_id": CaseLead,
    "benchmark_id": Benchmark,
    "item_id": BenchmarkItem,
    "import_id": BenchmarkImport,
    "case_id": PenaltyCase,
    "matter_id": Matter,
    "alert_id": PointAlert,
    "entry_id": CreditListEntry,
    "appeal_id": Appeal,
    "dispute_id": MedicalDispute,
    "order_id": SupervisionOrder,
    "proactive_id": ProactiveItem,
    "hotline_import_id": HotlineImport,
}
ID_FIELD: dict[type[Model], str] = {Draw: "number", DrawAnnouncement: "number", AuditEvent: "seq"}
PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass
class Route:
    pattern: str  # "inspections/plans/<int:pk>/"
    name: str  # "inspections:plan_detail", or the pattern when the route has no name
    callback: Any

    @property
    def params(self) -> list[str]:
        return [m["name"] for m in PARAM.finditer(self.pattern)] + list(
            re.compile(self.pattern).groupindex if "(?P<" in self.pattern else []
        )

    def methods(self) -> list[str]:
        view_class = getattr(self.callback, "cls", None)
        if view_class is not None and issubclass(view_class, APIView):
            return [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view_class, m)]
        return ["get", "post"]  # a page view: whichever of the two it takes


def all_routes() -> Iterator[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[Route]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            else:
                assert isinstance(entry, URLPattern)
                pattern = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else pattern
                yield Route(pattern, name, entry.callback)

    yield from walk(get_resolver().url_patterns, "", "")


@dataclass
class City:
    org: Organisation
    objects: dict[type[Model], Model] = field(default_factory=dict)

    def value(self, model: type[Model], *, by_pk: bool = False) -> str:
        obj = self.objects[model]
        return str(getattr(obj, "pk" if by_pk else ID_FIELD.get(model, "pk")))


def _reannouncement_request(world: TaskWorld) -> ReannouncementRequest:
    """A second plan, announced under protocol 2 and awaiting a decision on replacing it."""
    from fazhi.inspections.services import announcements_v2
    from fazhi.inspections.services.plans import plan_create, stratum_add

    today = clock.today()
    plan = plan_create(
        actor=world.planner,
        organisation=world.org,
        kind="random",
        title="第2版公告计划",
        year=today.year,
        window_start=today,
        window_end=today + dt.timedelta(days=10),
    )
    stratum_add(actor=world.planner, plan=plan, key="gg", category=world.public_places, quota=1)
    day = today + dt.timedelta(days=2)
    announcements_v2.plan_announce_v2(
        actor=world.planner,
        plan=plan,
        sources=[("cwl-3d", {"period": f"{day.year}001", "date": day.isoformat()})],
    )
    return announcements_v2.reannouncement_request(
        actor=world.planner, plan=plan, reason="分层设置有误"
    )


def build_city(tree: OrgTree, district: Organisation) -> City:
    """One object of every kind, in one district's supervision institute, through the services."""
    org = tree.institute_of(district)
    planner = make_user(org, Role.SUPERVISOR, full_name="计划员")
    inspectors = [make_user(org, Role.SUPERVISOR, full_name=f"检查员{n}") for n in "甲乙"]
    officers = [make_officer(org, name=u.full_name, user=u) for u in inspectors]
    world = TaskWorld(
        tree=tree,
        org=org,
        other_org=org,
        planner=planner,
        leader=make_user(district, Role.LEADER),
        inspector_a=inspectors[0],
        inspector_b=inspectors[1],
        outsider=planner,
        stranger=planner,
        officer_a=officers[0],
        officer_b=officers[1],
        public_places=category("public_places"),
        water=category("drinking_water"),
    )
    plan = make_drawn_plan(world, entities=2, quota=1)
    task = InspectionTask.objects.filter(plan=plan).first()
    assert task is not None
    lead = task.task_inspectors.order_by("role", "officer_id").first()
    assert lead is not None and lead.officer.user is not None
    task_services.task_start(actor=lead.officer.user, task=task)
    photo = task_services.task_attach_photo(
        actor=lead.officer.user,
        task=task,
        file=io.BytesIO(JPEG),
        filename="现场.jpg",
        content_type="image/jpeg",
    )
    entity = make_entity(world)
    today = clock.today()
    licence = licence_services.licence_add(
        actor=planner,
        entity_id=entity.pk,
        kind="public_place",
        number=f"卫公证字{entity.pk}号",
        valid_from=today,
    )
    batch = import_batch_stage(
        actor=planner,
        organisation=org,
        file_name="名录.csv",
        content=csv_bytes([good_row(org.division_code)]),
    )
    leave = pool_services.inspector_leave_add(
        actor=planner, officer=officers[0], start=today, end=today + dt.timedelta(days=2)
    )
    conflict = pool_services.conflict_declare(
        actor=planner, officer=officers[0], entity=entity, reason="近亲属任职", declared_on=today
    )
    with transaction.atomic():
        case_lead = case_lead_create(
            actor=planner,
            organisation=org,
            entity=entity,
            source=CaseLeadSource.COMPLAINT,
            facts="无证经营",
        )
    penalty_case = case_file(
        actor=make_user(district, Role.LEADER),
        organisation=org,
        handler=planner,
        cause="无证经营",
        act_ended_on=today,
        entity=entity,
        source=CaseLeadSource.COMPLAINT,
        facts="无证经营",
    )
    deadline = deadline_services.deadline_open(
        actor=planner,
        organisation=org,
        title="行政处罚决定公示",
        rule_key="penalty.publicity",
        start_date=today,
    )
    reviewer = make_user(org, Role.LEGAL_REVIEWER)
    benchmark = make_benchmark(reviewer, org)
    benchmark_file = benchmark_import(
        actor=reviewer, organisation=org, meta=META, file_name="基准.xlsx", content=xlsx(GOOD)
    )
    matter = petition_register(
        actor=make_user(org, Role.PETITION_OFFICER),
        organisation=org,
        channel=Channel.LETTER,
        received_on=today,
        requester_kind=RequesterKind.PERSON,
        requester_name="张三",
        title="反映诊所收费",
        content="超标准收费",
    )
    credit_entry = credit_list_enter(
        actor=make_user(district, Role.LEADER),
        entity=entity,
        kind="red",
        grounds="诚信示范",
        basis="示例办法",
    )
    alert = PointAlert.objects.create(  # the pack of a random test province has no points rules
        organisation=org,
        entity=entity,
        subject="institution",
        cycle=today.year,
        consequence="重点监管",
        threshold=12,
        score=12,
        reached_on=today,
    )
    appeal = appeal_register(
        actor=make_user(org, Role.LEGAL_REVIEWER),
        organisation=org,
        kind="litigation",
        applicant="某诊所",
        reviewing_body="某区人民法院",
        act="责令改正通知",
        lodged_on=today,
        received_on=today,
    )
    dispute = dispute_register(
        actor=make_user(org, Role.PETITION_OFFICER),
        organisation=org,
        entity=entity,
        occurred_on=today,
        reported_on=today,
        patient_name="陈某",
        summary="术后纠纷",
        route="negotiation",
    )
    assert org.parent is not None
    order = supervision_issue(
        actor=make_user(org.parent, Role.LEADER),
        matter=matter,
        on=today,
        due_on=today + dt.timedelta(days=10),
        requirement="请报告办理结果。",
    )
    proactive = proactive_register(
        actor=make_user(org, Role.PETITION_OFFICER),
        organisation=org,
        title="抽查结果",
        made_on=today,
    )
    hotline_file = hotline_import(  # a file with an error: recorded, nothing imported
        actor=make_user(org, Role.PETITION_OFFICER),
        organisation=org,
        platform="12345",
        file_name="工单.csv",
        content="工单编号,来电时间\nA1,2026-01-05 09:00\n".encode(),
    )
    export = entity_export_enqueue(actor=planner, filters=EntityFilters(), fmt="csv")
    job_run(export.pk)  # succeeded, with its file: every job route has something to serve
    city = City(org=org)
    for obj in (
        _reannouncement_request(world),
        org,
        org_services.department_create(actor=None, organisation=org, name="监督一科"),
        planner,
        officers[0],
        officers[0].credentials.get(),
        deadline,
        photo.attachment,
        entity,
        licence,
        batch,
        plan,
        plan.strata.get(),
        DrawAnnouncement.objects.get(plan=plan),
        Draw.objects.get(plan=plan),
        redraw_request(actor=planner, plan=plan, reason="抽取现场断电"),
        plan.items.get(),
        InspectorProfile.objects.get(officer=officers[0]),
        leave,
        conflict,
        task,
        photo,
        case_lead,
        benchmark,
        benchmark.items.get(),
        benchmark.items.get().tiers.order_by("id").first(),
        benchmark_file,
        penalty_case,
        matter,
        credit_entry,
        alert,
        appeal,
        dispute,
        order,
        proactive,
        hotline_file,
        Job.objects.get(pk=export.pk, state="succeeded"),
        AuditEvent.objects.filter(organisation=org).order_by("-seq").first(),
    ):
        assert obj is not None
        city.objects[type(obj)] = obj
    return city


@pytest.fixture
def cities(settings: Any, tmp_path: Any) -> tuple[City, City]:
    settings.MEDIA_ROOT = tmp_path
    ensure_categories()
    tree = make_org_tree()
    return build_city(tree, tree.districts[0]), build_city(tree, tree.districts[2])


@pytest.fixture
def prober(monkeypatch: pytest.MonkeyPatch, cities: tuple[City, City]) -> User:
    """City A's system administrator holding every capability: only scope can refuse."""
    district = cities[0].org.parent  # institute -> district -> city
    assert district is not None and district.parent is not None
    home = district.parent
    assert home.level == "city"
    monkeypatch.setitem(ROLE_GRANTS, Role.SYSTEM_ADMIN, Grant(Scope.SUBTREE, frozenset(Cap)))
    return make_user(home, Role.SYSTEM_ADMIN)


class CannotWalk(Exception):
    pass


def admin_model(route: Route) -> type[Model] | None:
    match = re.match(r"admin/(\w+)/(\w+)/", route.pattern)
    return apps.get_model(match[1], match[2]) if match else None


def url_for(route: Route, city: City) -> str:
    """The route's URL with ``city``'s ids; CannotWalk when a parameter is not understood."""
    model = admin_model(route)

    def fill(match: re.Match[str]) -> str:
        name = match["name"]
        if model is not None and name == "object_id":
            target: type[Model] | None = model
        elif name in BY_PARAM:
            target = BY_PARAM[name]
        else:  # pk, number, seq: the segment before it names the kind
            before = route.pattern[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            target = BY_SEGMENT.get(before)
        if target is None or target not in city.objects:
            raise CannotWalk(f"{route.name}: no object for <{name}>")
        return city.value(target, by_pk=model is not None)  # the admin names rows by pk

    if "(?P<" in route.pattern:
        raise CannotWalk(f"{route.name}: a regular-expression route")
    return "/" + PARAM.sub(fill, route.pattern)


def walked_routes() -> list[Route]:
    routes = []
    for route in all_routes():
        if not route.params or route.name in EXCLUDED or ADMIN_REDIRECT.fullmatch(route.pattern):
            continue
        model = admin_model(route)
        if model is not None and model._meta.label_lower in EXCLUDED_ADMIN_MODELS:
            continue
        routes.append(route)
    return routes


def _events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def _last_seq() -> int:
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def test_every_route_refuses_another_citys_ids_and_records_it(cities, prober):
    away = cities[1]
    client = APIClient()
    client.force_login(prober)
    routes = walked_routes()
    assert len(routes) > 100  # the walk found the routes (pages, API, admin)
    failures: list[str] = []
    for route in routes:
        try:
            url = url_for(route, away)
        except CannotWalk as exc:
            failures.append(str(exc))
            continue
        answered = []
        for method in route.methods():
            before = _last_seq()
            response = getattr(client, method)(url)
            if response.status_code == 405:
                continue
            answered.append(method)
            events = _events_after(before)
            if response.status_code != 404:
                failures.append(f"{route.name} {method.upper()} {url}: {response.status_code}")
            elif [(e.action, e.actor_id) for e in events] != [("access.denied", prober.pk)]:
                failures.append(
                    f"{route.name} {method.upper()} {url}: events {[e.action for e in events]}"
                )
        if not answered:
            failures.append(f"{route.name}: no method answered")
    assert not failures, "\n".join(failures)


def test_the_same_routes_serve_the_users_own_ids(cities, prober):
    """The control: city A's own ids are found, so each id above was read as the object meant."""
    home, _ = cities
    client = APIClient()
    client.force_login(prober)
    failures = []
    for route in walked_routes():
        if "get" not in route.methods():
            continue
        before = _last_seq()
        response = client.get(url_for(route, home))
        if response.status_code == 405:
            continue
        not_found = [e for e in _events_after(before) if '"reason":"not_found"' in e.details_json]
        if response.status_code == 404 or not_found:  # (the read-only admin's delete is a 403)
            failures.append(f"{route.name}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_exclusions_are_true(cities, prober):
    """What EXCLUDED says of the object history and the admin's view-on-site link holds."""
    away = cities[1]
    client = APIClient()
    client.force_login(prober)
    entity = away.objects[Entity]
    response = client.get(f"/audit/history/registry.entity/{entity.pk}/")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(object_type="registry.entity", object_id=str(entity.pk))
    assert f"registry.entity/{entity.pk}" not in response.content.decode()
    assert not response.context["events"]
    for model in apps.get_models():
        assert not hasattr(model, "get_absolute_url"), model
    names = {route.name for route in all_routes()}
    assert set(EXCLUDED) <= names, set(EXCLUDED) - names


def test_a_route_the_walk_cannot_fill_in_fails_with_its_name(cities):
    route = Route("inspections/widgets/<int:pk>/", "inspections:widget_detail", None)
    with pytest.raises(CannotWalk, match="inspections:widget_detail"):
        url_for(route, cities[1])
