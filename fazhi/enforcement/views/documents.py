"""Pages: a case's documents (执法文书) as .docx, and a batch of one document type for a year
as a background job."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from fazhi.core import clock, errors
from fazhi.core.access import acting_user
from fazhi.core.roles import Cap
from fazhi.enforcement.documents import catalogue
from fazhi.enforcement.documents import jobs as document_jobs
from fazhi.enforcement.events import CaseEvent


def docx_response(document: catalogue.RenderedDocument) -> HttpResponse:
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = content_disposition_header(True, document.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def case_document(request: HttpRequest, case_id: int, key: str) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.VIEWED)
    return docx_response(catalogue.case_document(user=user, case_id=case_id, key=key))


class BatchForm(forms.Form):
    key = forms.ChoiceField(
        label="文书",
        choices=[(kind.key, kind.label) for kind in catalogue.KINDS.values()],
        initial="decision",
    )
    year = forms.IntegerField(
        label="年份",
        min_value=document_jobs.YEARS[0],
        max_value=document_jobs.YEARS[1],
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_documents_batch(request: HttpRequest) -> HttpResponse:
    user = acting_user(request, Cap.CASE_VIEW, action=CaseEvent.LISTED)
    form = BatchForm(request.POST or None, initial={"year": clock.today().year})
    if request.method == "POST" and form.is_valid():
        try:
            job = document_jobs.case_documents_batch_enqueue(
                actor=user, key=form.cleaned_data["key"], year=form.cleaned_data["year"]
            )
        except errors.ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            return redirect("core:job_detail", pk=job.pk)
    return render(request, "enforcement/documents/batch.html", {"form": form})


urlpatterns = [
    path("cases/documents/batch/", case_documents_batch, name="case_documents_batch"),
    # one route per document (the key is no free path segment): reverse with kwargs
    *(
        path(
            f"cases/<id:case_id>/documents/{key}.docx",
            case_document,
            {"key": key},
            name="case_document",
        )
        for key in catalogue.KINDS
    ),
]
