"""The steps a page or an API client can take on a matter: which service each action of the
tables runs and which inputs it takes. Views and endpoints parse a request's fields here and call
``run_step``; the services check everything else."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fazhi.core import errors, params
from fazhi.core.models import Organisation, User
from fazhi.matters.models import Matter
from fazhi.matters.selectors.matters import matter_approvers
from fazhi.matters.services import complaint_checks
from fazhi.matters.services import disclosure as disclosure_services
from fazhi.matters.services import hotline as hotline_services
from fazhi.matters.services import petitions as petition_services
from fazhi.matters.services import proposals as proposal_services
from fazhi.matters.workflows import workflow_of
from fazhi.registry.models import Entity, SupervisionCategory


@dataclass(frozen=True)
class Step:
    service: Callable[..., Matter]
    fields: tuple[str, ...]


STEPS: dict[tuple[str, str], Step] = {
    ("petition", "accept"): Step(petition_services.petition_accept, ("on",)),
    ("petition", "route"): Step(petition_services.petition_route, ("route", "on", "note")),
    ("petition", "extend"): Step(
        petition_services.petition_extend, ("approved_by", "approved_on", "reason")
    ),
    ("petition", "reply"): Step(
        petition_services.petition_reply, ("reply_type", "reply_text", "on")
    ),
    ("petition", "request_review"): Step(petition_services.petition_request_review, ("on",)),
    ("petition", "review"): Step(
        petition_services.petition_review, ("reply_type", "reply_text", "on")
    ),
    ("petition", "close"): Step(petition_services.petition_close, ("on",)),
    ("petition", "reopen"): Step(petition_services.petition_reopen, ("reason",)),
    ("disclosure", "request_correction"): Step(
        disclosure_services.disclosure_request_correction, ("on", "items")
    ),
    ("disclosure", "correct"): Step(disclosure_services.disclosure_correct, ("on",)),
    ("disclosure", "abandon"): Step(disclosure_services.disclosure_abandon, ("on",)),
    ("disclosure", "consult"): Step(disclosure_services.disclosure_consult, ("on", "third_party")),
    ("disclosure", "end_consultation"): Step(
        disclosure_services.disclosure_end_consultation, ("on",)
    ),
    ("disclosure", "extend"): Step(
        disclosure_services.disclosure_extend, ("approved_by", "approved_on", "reason")
    ),
    ("disclosure", "reply"): Step(
        disclosure_services.disclosure_reply, ("reply_type", "reason", "reply_text", "on")
    ),
    ("hotline", "accept"): Step(hotline_services.hotline_accept, ("on",)),
    ("hotline", "return"): Step(hotline_services.hotline_return, ("on", "reason")),
    ("hotline", "extend"): Step(
        hotline_services.hotline_extend, ("approved_by", "approved_on", "reason")
    ),
    ("hotline", "case_lead"): Step(hotline_services.hotline_start_case_lead, ("entity",)),
    ("hotline", "reply"): Step(hotline_services.hotline_reply, ("reply_type", "reply_text", "on")),
    ("hotline", "call_back"): Step(
        hotline_services.hotline_call_back, ("on", "satisfaction", "note")
    ),
    ("hotline", "rehandle"): Step(hotline_services.hotline_rehandle, ("on", "reason")),
}

# a complaint starts a targeted inspection (投诉举报核查, decision 0091)
INSPECTION_FIELDS = ("entity", "category", "reason")
STEPS[("hotline", "inspection")] = Step(
    complaint_checks.hotline_start_inspection, INSPECTION_FIELDS
)
STEPS[("petition", "inspection")] = Step(
    complaint_checks.petition_start_inspection, INSPECTION_FIELDS
)

# deputies' suggestions and CPPCC proposals: the same steps for both kinds
for _kind in ("suggestion", "proposal"):
    STEPS[(_kind, "reply")] = Step(
        proposal_services.proposal_reply, ("reply_type", "reply_text", "on")
    )
    STEPS[(_kind, "submit_opinion")] = Step(
        proposal_services.proposal_submit_opinion, ("reply_text", "on")
    )
    STEPS[(_kind, "follow_up")] = Step(proposal_services.proposal_follow_up, ("reason", "on"))
    STEPS[(_kind, "close")] = Step(proposal_services.proposal_close, ("on",))

ACTIONS = sorted({action for _, action in STEPS})
DATE_FIELDS = {"on", "approved_on"}


def step_of(matter: Matter, action: str) -> Step:
    step = STEPS.get((matter.kind, action))
    if step is None:
        raise errors.NotFound("没有该办理步骤。", code="unknown_step")
    return step


def _value(matter: Matter, name: str, data: Mapping[str, Any]) -> Any:
    if name in DATE_FIELDS:
        return params.date(data, name)
    if name == "approved_by":
        pk = params.object_id(data, name)
        if pk is None:
            return None
        approver = matter_approvers(matter=matter).filter(pk=pk).first()
        if approver is None:
            raise errors.ValidationFailed(
                "批准人须为本机关负责人。", code="approver_not_head", field=name
            )
        return approver
    if name == "entity":
        return _entity(matter, data)
    if name == "category":
        return _category(data)
    value = data.get(name, "")
    return value if isinstance(value, str) else str(value or "")


def _entity(matter: Matter, data: Mapping[str, Any]) -> Entity | None:
    """An institution named by id, within the matter's organisation's reach."""
    pk = params.object_id(data, "entity")
    if pk is None:
        return None
    entity = Entity.objects.filter(
        pk=pk, organisation__path__startswith=matter.organisation.path
    ).first()
    if entity is None:
        raise errors.ValidationFailed(
            "涉及单位不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )
    return entity


def _category(data: Mapping[str, Any]) -> SupervisionCategory | None:
    """A supervision category (专业类别) named by id; the service refuses an inactive one."""
    pk = params.object_id(data, "category")
    if pk is None:
        return None
    category = SupervisionCategory.objects.filter(pk=pk).first()
    if category is None:
        raise errors.ValidationFailed("专业类别不存在。", code="unknown_category", field="category")
    return category


def run_step(*, actor: User, matter: Matter, action: str, data: Mapping[str, Any]) -> Matter:
    """Parse ``data`` for ``action`` and run its service."""
    step = step_of(matter, action)
    workflow_of(matter).action(action)  # the table knows it
    values = {name: _value(matter, name, data) for name in step.fields}
    return step.service(actor=actor, matter=matter, **values)


def home_organisation(user: User) -> Organisation:
    """Where a user registers a matter: their own organisation."""
    if user.organisation is None:
        raise errors.PermissionDenied("您不属于任何机构，不能登记来件。", code="no_organisation")
    return user.organisation
