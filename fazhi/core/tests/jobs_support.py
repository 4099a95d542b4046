"""Test helpers for pages that start a background job (with the ``run_jobs`` fixture)."""

from __future__ import annotations

from typing import Any

from django.urls import resolve, reverse

from fazhi.core.models import Job


def job_from(response: Any) -> Job:
    """The job a page started: its redirect leads to the job's page."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.url_name == "job_detail", response["Location"]
    return Job.objects.get(pk=match.kwargs["pk"])


def download(client: Any, job: Job) -> bytes:
    """The file a succeeded job produced, through its download link."""
    job.refresh_from_db()
    assert job.state == "succeeded", (job.state, job.error_code, job.error_message)
    response = client.get(reverse("core:job_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)
