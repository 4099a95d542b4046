"""The one task Fazhi gives the task framework: run a background job by its id.

Everything about a job (its kind, parameters, starter, state, progress) is in the ``Job`` row;
the task backend only carries the id to a worker (``fazhi db_worker``), so the backend can be
replaced (Django 6's ``django.tasks``, another backend) without touching a job (decision 0014).
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_job(job_id: int) -> None:
    from fazhi.core.services.jobs import job_run

    job_run(job_id)
