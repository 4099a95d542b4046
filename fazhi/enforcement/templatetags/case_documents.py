"""``{% case_documents case as documents %}``: (name, download URL) of the documents the case's
state allows (the case page is read with ``case.view``, which the download needs too)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from fazhi.enforcement.documents import catalogue
from fazhi.enforcement.models import PenaltyCase

register = template.Library()


@register.simple_tag
def case_documents(case: PenaltyCase) -> list[tuple[str, str]]:
    return [
        (label, reverse("enforcement:case_document", kwargs={"case_id": case.pk, "key": key}))
        for key, label in catalogue.available(case)
    ]
