"""The case-file review's API (decision 0069): the concluded cases with their findings and latest
score (query count constant, scope, bad filters), scoring a case (201, each refusal a 4xx with its
code, nothing written), and the year's pre-check job (202)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from fazhi.core.models import Job, Role
from fazhi.core.tests.factories import make_user
from fazhi.enforcement.models import CaseFileCheck, CaseFileReview
from fazhi.enforcement.tests.case_support import file_case
from fazhi.enforcement.tests.test_file_review import FULL, closed_case, cw  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = "/api/enforcement/cases/file-review/"
PRECHECK = "/api/enforcement/cases/file-review/precheck/"


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def score_url(case_id: int) -> str:
    return f"/api/enforcement/cases/{case_id}/file-review/"


def test_the_list_has_findings_and_the_latest_score(cw, django_assert_max_num_queries):  # noqa: F811
    clean = closed_case(cw)
    flawed = closed_case(cw, provisions=False)
    file_case(cw)  # open: not listed
    api(cw.reviewer).post(score_url(clean.pk), {"scores": FULL}, format="json")
    client = api(cw.leader)
    with django_assert_max_num_queries(12):
        body = client.get(LIST).json()
    rows = {row["id"]: row for row in body["results"]}
    assert set(rows) == {clean.pk, flawed.pk}
    assert rows[clean.pk]["findings"] == [] and rows[clean.pk]["review_total"] == 100
    assert rows[clean.pk]["review_full"] == 100 and rows[clean.pk]["prechecked"] is True
    assert rows[flawed.pk]["review_total"] is None
    assert any("法律条款" in f["message"] for f in rows[flawed.pk]["findings"])
    for _ in range(3):
        closed_case(cw)
    with django_assert_max_num_queries(12):
        assert len(client.get(LIST).json()["results"]) == 5
    problems = client.get(LIST, {"findings": "problems"}).json()["results"]
    assert [row["id"] for row in problems] == [flawed.pk]
    CaseFileCheck.objects.filter(case=flawed).delete()
    unchecked = client.get(LIST, {"findings": "unchecked"}).json()["results"]
    assert unchecked[0]["findings"] is None and unchecked[0]["prechecked"] is False
    bad = client.get(LIST, {"findings": "nonsense"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_parameter"
    assert client.get(LIST, {"year": "x"}).status_code == 400
    assert api(cw.w.stranger).get(LIST).json()["results"] == []
    assert api(make_user(cw.org, Role.PETITION_OFFICER)).get(LIST).status_code == 403


def test_scoring_a_case_through_the_api(cw):  # noqa: F811
    case = closed_case(cw)
    client = api(cw.reviewer)
    bad = client.post(score_url(case.pk), {"scores": {**FULL, "裁量适当": 11}}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "score_out_of_range"
    wrong_type = client.post(score_url(case.pk), {"scores": "all"}, format="json")
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]["code"] == "invalid_input"
    assert not CaseFileReview.objects.exists()
    done = client.post(score_url(case.pk), {"scores": FULL, "comments": "规范"}, format="json")
    assert done.status_code == 201, done.json()
    assert (done.json()["total"], done.json()["full_marks"]) == (100, 100)
    assert done.json()["comments"] == "规范"
    open_case = file_case(cw)
    early = client.post(score_url(open_case.pk), {"scores": FULL}, format="json")
    assert early.status_code == 409 and early.json()["error"]["code"] == "case_not_concluded"
    assert client.post(score_url(10**9), {"scores": FULL}, format="json").status_code == 404
    handler = api(cw.handler).post(score_url(case.pk), {"scores": FULL}, format="json")
    assert handler.status_code == 403
    stranger = api(make_user(cw.w.other_org, Role.LEGAL_REVIEWER))
    assert stranger.post(score_url(case.pk), {"scores": FULL}, format="json").status_code == 404
    assert CaseFileReview.objects.count() == 1


def test_the_years_precheck_starts_as_a_job(cw, run_jobs):  # noqa: F811
    first = closed_case(cw, provisions=False)
    CaseFileCheck.objects.all().delete()
    client = api(cw.leader)
    with run_jobs():
        response = client.post(PRECHECK, {"year": 2025}, format="json")
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    job.refresh_from_db()
    assert job.state == "succeeded" and job.params == {"year": 2025}
    assert CaseFileCheck.objects.get(case=first).finding_count > 0
    before = Job.objects.count()
    for body in ({"year": "x"}, {}, {"year": 1900}):
        refused = client.post(PRECHECK, body, format="json")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_input"
    assert api(cw.handler).post(PRECHECK, {"year": 2025}, format="json").status_code == 403
    assert Job.objects.count() == before
