"""Credit's Excel exports as background jobs (decision 0083): the red and black lists, the
practice-point entries and the credit records, each with its page's filters, in the user's scope,
one audit event each; bad filters are a 400 and queue nothing; a reader without the capability is
refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from fazhi.core import clock as fazhi_clock
from fazhi.core import errors
from fazhi.core.models import AuditEvent, Job, Role
from fazhi.core.selectors.attachments import attachment_open
from fazhi.core.tests.factories import make_user
from fazhi.credit import jobs as credit_jobs
from fazhi.credit.services import lists, points
from fazhi.credit.tests.support import clinic, served_case, served_heavy_case, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw(clock: Any) -> Any:
    return world(clock)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(job: Job, user: Any) -> list[tuple[Any, ...]]:
    job.refresh_from_db()
    assert job.state == "succeeded", (job.error_code, job.error_message)
    _, handle = attachment_open(user=user, pk=int(job.result_id))
    with handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _job(response: Any) -> Job:
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    return Job.objects.order_by("-pk").first()  # type: ignore[return-value]


def test_the_lists_export_is_a_job_with_the_page_filters(cw: Any, run_jobs: Any) -> None:
    lists.credit_list_enter(
        actor=cw.leader,
        entity=clinic(cw, name="诚信诊所"),
        kind="red",
        grounds="示范",
        basis="示例办法",
    )
    served_heavy_case(cw)  # a black-list entry too
    client = login(cw.leader)
    with run_jobs():
        job = _job(client.post("/credit/lists/export/?kind=red"))
    rows = _rows(job, cw.leader)
    assert rows[0][:2] == ("名单", "主体") and len(rows) == 2
    assert rows[1][0] == "红名单" and rows[1][1] == "诚信诊所"
    with run_jobs():
        second = _job(client.post("/credit/lists/export/"))
    every = _rows(second, cw.leader)
    assert len(every) == 3
    assert AuditEvent.objects.filter(action="credit_list.exported").count() == 2
    before = Job.objects.count()
    assert client.post("/credit/lists/export/?kind=grey").status_code == 400
    assert client.get("/credit/lists/export/").status_code == 405
    assert Job.objects.count() == before


def test_the_points_export_with_cycle_subject_and_entity(cw: Any, run_jobs: Any) -> None:
    mine, other = clinic(cw, name="甲诊所"), clinic(cw, name="乙诊所")
    today = fazhi_clock.today()
    behaviour = next(
        iter(points.behaviours(subject="institution", organisation=mine.organisation, on=today))
    )
    for entity in (mine, other):
        points.points_record(
            actor=cw.handler, entity=entity, subject="institution", behaviour=behaviour
        )
    client = login(cw.handler)
    with run_jobs():
        job = _job(client.post(f"/credit/points/export/?cycle={today.year}&entity={mine.pk}"))
    rows = _rows(job, cw.handler)
    assert rows[0][0] == "记分日期" and len(rows) == 2
    assert rows[1][1] == "甲诊所" and rows[1][4] == behaviour and rows[1][6] == today.year
    assert job.params["filters"] == {"cycle": today.year, "subject": None, "entity_id": mine.pk}
    with run_jobs():
        last_year = _job(client.post(f"/credit/points/export/?cycle={today.year - 1}"))
    assert len(_rows(last_year, cw.handler)) == 1  # the headers only
    for bad in ("cycle=abc", "subject=nobody", "entity=x"):
        assert client.post(f"/credit/points/export/?{bad}").status_code == 400, bad
    event = AuditEvent.objects.filter(action="point_entry.exported").order_by("pk").first()
    assert event is not None and event.details["count"] == 1


def test_the_records_export_by_year_and_name(cw: Any, run_jobs: Any) -> None:
    served_case(cw, entity=clinic(cw, name="丙诊所"))
    served_case(cw, entity=clinic(cw, name="丁诊所"))
    client = login(cw.leader)
    with run_jobs():
        job = _job(client.post("/credit/records/export/?q=丙"))
    rows = _rows(job, cw.leader)
    assert rows[0][0] == "当事人" and [r[0] for r in rows[1:]] == ["丙诊所"]
    year = fazhi_clock.today().year
    with run_jobs():
        by_year = _job(client.post(f"/credit/records/export/?year={year}"))
    assert len(_rows(by_year, cw.leader)) == 3
    assert client.post("/credit/records/export/?year=abc").status_code == 400


def test_the_exports_are_scoped_and_need_the_capability(cw: Any, run_jobs: Any) -> None:
    served_case(cw, entity=clinic(cw, name="戊诊所"))
    petition_officer = make_user(cw.org, Role.PETITION_OFFICER)
    for url in ("/credit/lists/export/", "/credit/points/export/", "/credit/records/export/"):
        assert login(petition_officer).post(url).status_code == 403, url
    with pytest.raises(errors.PermissionDenied):
        credit_jobs.records_export_enqueue(actor=petition_officer, filters={})
    with pytest.raises(errors.ValidationFailed) as exc:
        credit_jobs.points_export_enqueue(actor=cw.leader, filters={"cycle": "2025"})
    assert exc.value.code == "invalid_parameter"
    assert not Job.objects.exists()
    # another district's supervisor exports nothing of this one
    with run_jobs():
        job = credit_jobs.records_export_enqueue(actor=cw.w.stranger, filters={})
    assert len(_rows(job, cw.w.stranger)) == 1
