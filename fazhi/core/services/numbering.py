"""Services: document types and document numbers (文号) such as 泉卫医罚〔2024〕12号.

One counter row per document type and year. Issuing inserts the row if it is missing (ignoring a
conflict with a concurrent insert), then increments it with ``UPDATE … SET last = last + 1``, which
locks the row until the transaction ends: concurrent issuers, in any number of processes, queue on
that lock and each sees the previous one's increment. Every issued number is also stored in
``DocumentNumber`` under two unique constraints, so a duplicate could never be committed even if
the counter were tampered with; a rolled-back transaction gives its serial back (no gap).

Issuing runs inside the caller's transaction (``document_number_issue``), so a decision and its
number commit together and the number names its document; ``document_number_take`` is the
top-level service for a number taken by hand.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model

from fazhi.core import audit, clock, errors
from fazhi.core.audit_events import DocumentEvents
from fazhi.core.formatting import document_number
from fazhi.core.models import (
    DocumentNumber,
    DocumentNumberCounter,
    DocumentType,
    Organisation,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope

KEY_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
EARLIEST_YEAR = 2000


def _guard(actor: User | None, cap: Cap, organisation: Organisation, *, action: str) -> None:
    """``None`` is the system itself (CLI, jobs); a user needs ``cap`` and the organisation in
    scope."""
    if actor is None:
        return
    require_cap(actor, cap, action=action)
    require_in_scope(actor, organisation, action=action)


def document_type_create(
    *, actor: User | None, organisation: Organisation, key: str, name: str, prefix: str
) -> DocumentType:
    """A numbered kind of document, e.g. key "penalty", 行政处罚决定书, prefix 泉卫医罚."""
    _guard(actor, Cap.ORG_MANAGE, organisation, action=DocumentEvents.TYPE_CREATED)
    key = (key or "").strip()
    name = (name or "").strip()
    prefix = (prefix or "").strip()
    if not KEY_RE.fullmatch(key):
        raise errors.ValidationFailed(
            "类型代码须以小写字母开头，由小写字母、数字、-、_组成，最多40位。",
            code="document_type_key_invalid",
            field="key",
        )
    if not name or len(name) > 100:
        raise errors.ValidationFailed(
            "文书名称不能为空，且不超过100个字。", code="document_type_name_invalid", field="name"
        )
    if not prefix or len(prefix) > 30 or any(c in prefix for c in "〔〕[]()（）号 \t"):
        raise errors.ValidationFailed(
            "文号代字不能为空，不超过30个字，且不含括号、空格或“号”字。",
            code="document_type_prefix_invalid",
            field="prefix",
        )
    try:
        return _document_type_insert(
            actor=actor, organisation=organisation, key=key, name=name, prefix=prefix
        )
    except IntegrityError:
        # A concurrent creation took the code-word between our check and our insert.
        if DocumentType.objects.filter(prefix=prefix).exists():
            raise errors.ValidationFailed(
                "该文号代字已被其他文书类型使用。", code="document_prefix_taken", field="prefix"
            ) from None
        raise


def _document_type_insert(
    *, actor: User | None, organisation: Organisation, key: str, name: str, prefix: str
) -> DocumentType:
    with transaction.atomic(durable=True):
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if DocumentType.objects.filter(organisation=organisation, key=key).exists():
            raise errors.ValidationFailed(
                "本机构已有该类型代码的文书类型。", code="document_type_exists", field="key"
            )
        # Two types sharing a code-word would compete for the same numbers.
        if DocumentType.objects.filter(prefix=prefix).exists():
            raise errors.ValidationFailed(
                "该文号代字已被其他文书类型使用。", code="document_prefix_taken", field="prefix"
            )
        doc_type = DocumentType.objects.create(
            organisation=organisation, key=key, name=name, prefix=prefix
        )
        audit.append(
            actor=actor,
            action=DocumentEvents.TYPE_CREATED,
            obj=doc_type,
            details={"key": key, "name": name, "prefix": prefix},
        )
    return doc_type


def document_number_issue(
    *,
    actor: User | None,
    organisation: Organisation,
    type_key: str,
    year: int | None = None,
    subject: Model | None = None,
) -> str:
    """Issue the next number of ``type_key`` for ``year`` (default: this year), never twice,
    inside the calling service's transaction, linked to ``subject``, the document it numbers.

    For other domains' services, which have checked the actor's permission for the document they
    number: a transaction that rolls back takes its number back with it (no orphan, no gap). A
    number taken by hand, without a document, is ``document_number_take``.
    """
    if not connection.in_atomic_block:
        raise RuntimeError(
            "document_number_issue must run inside the calling service's transaction"
        )
    this_year = clock.today().year
    if year is None:
        year = this_year
    if not EARLIEST_YEAR <= year <= this_year + 1:
        raise errors.ValidationFailed(
            f"文号年份应在{EARLIEST_YEAR}年至{this_year + 1}年之间。",
            code="docnumber_year_invalid",
            field="year",
        )
    doc_type = DocumentType.objects.filter(organisation=organisation, key=type_key).first()
    if doc_type is None:
        raise errors.UnknownDocumentType(
            f"本机构没有类型代码为“{type_key}”的文书类型。", type_key=type_key
        )
    DocumentNumberCounter.objects.bulk_create(
        [DocumentNumberCounter(document_type=doc_type, year=year)], ignore_conflicts=True
    )
    counter = DocumentNumberCounter.objects.filter(document_type=doc_type, year=year)
    counter.update(last=F("last") + 1)  # takes the row lock until the caller's commit
    serial = counter.values_list("last", flat=True).get()
    text = document_number(doc_type.prefix, year, serial)
    link: dict[str, Any] = {}
    if subject is not None:
        link = {
            "content_type": ContentType.objects.get_for_model(subject),
            "object_id": str(subject.pk),
        }
    issued = DocumentNumber.objects.create(
        document_type=doc_type, year=year, serial=serial, text=text, **link
    )
    details: dict[str, Any] = {"type_key": type_key, "year": year, "serial": serial, "text": text}
    if subject is not None:
        details |= {"subject_type": subject._meta.label_lower, "subject_id": str(subject.pk)}
    audit.append(
        actor=actor,
        action=DocumentEvents.NUMBER_ISSUED,
        obj=issued,
        organisation_id=organisation.pk,
        details=details,
    )
    return text


def document_number_take(
    *, actor: User | None, organisation: Organisation, type_key: str, year: int | None = None
) -> str:
    """A number taken by hand (the 文书编号 page, the API, ``fazhi docnumber``), for a document
    kept outside Fazhi: a service of its own, in its own transaction."""
    _guard(actor, Cap.DOCNUMBER_ISSUE, organisation, action=DocumentEvents.NUMBER_ISSUED)
    with transaction.atomic(durable=True):
        return document_number_issue(
            actor=actor, organisation=organisation, type_key=type_key, year=year
        )
