"""Background jobs on pages and in the API: "我的后台任务", the polling status fragment, retry,
download, permission and scope; failures in Chinese only."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fazhi.core import errors, jobs
from fazhi.core.jobs import Outcome
from fazhi.core.models import AuditEvent, Job, Role
from fazhi.core.roles import Cap
from fazhi.core.services import jobs as job_services
from fazhi.core.tests.factories import make_org_tree, make_user

pytestmark = pytest.mark.django_db

KIND = "test.page_probe"


def _probe(job, progress):
    progress(3, 12, "正在核对")
    if job.params.get("fail"):
        raise errors.Conflict("名录库已登记了其中2个代码，请重新上传。", code="directory_changed")
    return Outcome("核对完成。")


@pytest.fixture
def world():
    jobs.kind(KIND, "试验核对", cap=Cap.REGISTRY_MANAGE, unit="行")(_probe)
    tree = make_org_tree()

    w = SimpleNamespace()
    w.inst0 = tree.institute_of(tree.districts[0])
    w.sup0 = make_user(w.inst0, Role.SUPERVISOR)
    w.sup0b = make_user(w.inst0, Role.SUPERVISOR)
    w.sup1 = make_user(tree.institute_of(tree.districts[1]), Role.SUPERVISOR)
    yield w
    jobs._kinds.pop(KIND)


def _job(world, run_jobs=None, user=None, **params):
    user = user or world.sup0
    if run_jobs is None:
        return job_services.job_enqueue(
            actor=user, kind=KIND, organisation=world.inst0, params=params
        )
    with run_jobs():
        job = job_services.job_enqueue(
            actor=user, kind=KIND, organisation=world.inst0, params=params
        )
    job.refresh_from_db()
    return job


def _running(world):
    job = job_services.job_start(_job(world))
    job_services.job_progress(job, done=3, total=12, message="正在核对")
    return job


def test_the_status_fragment_polls_while_the_job_runs_and_stops_when_it_ends(
    world, client, run_jobs
):
    client.force_login(world.sup0)
    queued = _job(world)
    body = client.get(reverse("core:job_detail", args=[queued.pk])).content.decode()
    assert "排队中" in body and 'hx-trigger="every 1s"' in body and "试验核对" in body
    assert "已排队超过一分钟" not in body
    Job.objects.filter(pk=queued.pk).update(created_at=queued.created_at - dt.timedelta(minutes=2))
    body = client.get(reverse("core:job_status", args=[queued.pk])).content.decode()
    assert "已排队超过一分钟" in body and "fazhi db_worker" in body
    running = _running(world)
    body = client.get(reverse("core:job_status", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "正在核对" in body and "已处理 3 / 12 行（25%）" in body and "已用时" in body
    assert '<progress class="job-progress" max="100" value="25">' in body
    done = _job(world, run_jobs)
    body = client.get(reverse("core:job_status", args=[done.pk])).content.decode()
    assert "hx-trigger" not in body and "核对完成。" in body and "已完成" in body
    assert "HX-Redirect" not in client.get(  # this kind does not go on to a result
        reverse("core:job_status", args=[done.pk]), headers={"HX-Request": "true"}
    )


def test_a_failure_reads_in_chinese_and_its_starter_can_retry(world, client, run_jobs):
    failed = _job(world, run_jobs, fail=True)
    client.force_login(world.sup0)
    body = client.get(reverse("core:job_detail", args=[failed.pk])).content.decode()
    assert "名录库已登记了其中2个代码，请重新上传。" in body
    assert "directory_changed" not in body and "Traceback" not in body
    assert reverse("core:job_retry", args=[failed.pk]) in body
    Job.objects.filter(pk=failed.pk).update(params={})  # the cause was fixed meanwhile
    with run_jobs():
        response = client.post(reverse("core:job_retry", args=[failed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[failed.pk])
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == ("succeeded", 2)
    # retrying a job that is not finished is refused on the page, nothing written
    queued = _job(world)
    response = client.post(reverse("core:job_retry", args=[queued.pk]), follow=True)
    assert "不能重试" in response.content.decode()
    assert not AuditEvent.objects.filter(action="job.retried", object_id=str(queued.pk)).exists()


def test_a_colleague_sees_the_job_but_cannot_retry_it(world, client, run_jobs):
    failed = _job(world, run_jobs, fail=True)
    client.force_login(world.sup0b)
    body = client.get(reverse("core:job_detail", args=[failed.pk])).content.decode()
    assert "名录库已登记" in body and reverse("core:job_retry", args=[failed.pk]) not in body
    response = client.post(reverse("core:job_retry", args=[failed.pk]))
    assert response.status_code == 403
    denied = AuditEvent.objects.filter(action="access.denied").latest("seq")
    assert denied.actor_id == world.sup0b.pk and denied.details["reason"] == "job_not_yours"


def test_another_district_gets_404_everywhere_and_a_recorded_denial(world, client, run_jobs):
    job = _job(world, run_jobs)
    client.force_login(world.sup1)
    for name in ("core:job_detail", "core:job_status", "core:job_download"):
        before = AuditEvent.objects.filter(action="access.denied").count()
        assert client.get(reverse(name, args=[job.pk])).status_code == 404, name
        assert AuditEvent.objects.filter(action="access.denied").count() == before + 1
    assert client.post(reverse("core:job_retry", args=[job.pk])).status_code == 404
    client.force_login(world.sup0)
    # a job without a file has nothing to download
    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 404


def test_my_jobs_lists_only_mine_with_bounded_queries(
    world, client, run_jobs, django_assert_max_num_queries
):
    mine = [_job(world, run_jobs), _job(world, run_jobs, fail=True), _running(world), _job(world)]
    theirs = _job(world, run_jobs, user=world.sup0b)
    client.force_login(world.sup0)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:job_list"))
    body = response.content.decode()
    assert all(reverse("core:job_detail", args=[j.pk]) in body for j in mine)
    assert reverse("core:job_detail", args=[theirs.pk]) not in body
    assert "名录库已登记了其中2个代码" in body and "3 / 12 行（25%）" in body
    assert "我的后台任务" in client.get(reverse("core:workbench")).content.decode()  # the menu
    client.force_login(world.sup1)
    assert "暂无后台任务" in client.get(reverse("core:job_list")).content.decode()


def test_api_lists_shows_and_retries(world, run_jobs):
    ok = _job(world, run_jobs)
    failed = _job(world, run_jobs, fail=True)
    mine = APIClient()
    mine.force_authenticate(world.sup0)
    body = mine.get("/api/jobs/", {"state": "failed"}).json()
    assert [r["id"] for r in body["results"]] == [failed.pk]
    detail = mine.get(f"/api/jobs/{failed.pk}/").json()
    assert detail["state"] == "failed" and detail["result"] is None
    assert detail["error"] == {
        "code": "directory_changed",
        "message": "名录库已登记了其中2个代码，请重新上传。",
    }
    assert detail["kind_label"] == "试验核对" and detail["done"] == 3 and detail["total"] == 12
    detail = mine.get(f"/api/jobs/{ok.pk}/").json()
    assert detail["result"] == {
        "object_type": "",
        "object_id": "",
        "summary": "核对完成。",
        "url": "",
    }
    assert detail["percent"] == 100 and detail["error"] is None
    assert mine.get("/api/jobs/", {"state": "lost"}).status_code == 400
    Job.objects.filter(pk=failed.pk).update(params={})
    with run_jobs():
        response = mine.post(f"/api/jobs/{failed.pk}/retry/")
    assert response.status_code == 202 and response.json()["state"] == "queued"
    assert mine.get(f"/api/jobs/{failed.pk}/").json()["state"] == "succeeded"
    response = _job(world)
    refused = mine.post(f"/api/jobs/{response.pk}/retry/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "job_not_finished"
    colleague = APIClient()
    colleague.force_authenticate(world.sup0b)
    assert colleague.get("/api/jobs/", {"mine": "true"}).json()["count"] == 0
    assert colleague.get("/api/jobs/").json()["count"] == 3
    assert colleague.post(f"/api/jobs/{ok.pk}/retry/").status_code == 403
    other = APIClient()
    other.force_authenticate(world.sup1)
    assert other.get(f"/api/jobs/{ok.pk}/").status_code == 404
    assert other.post(f"/api/jobs/{ok.pk}/retry/").status_code == 404
    assert other.get("/api/jobs/").json()["count"] == 0
