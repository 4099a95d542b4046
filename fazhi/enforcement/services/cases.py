"""Services: a penalty case from filing (立案) to the end of the investigation and the notice.

Filing on a lead takes the lead's ``file`` action in the same transaction; the decision period
(``penalty.decision``, in the version in force on the filing day) is attached to the case then.
A decision on the spot (简易程序, 行政处罚法 Art. 51) creates the case already decided. The
later steps are in ``case_steps.py``; the clock stops and extensions in ``case_clock.py``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction

from fazhi.core import audit, clock, errors, rules, workflow
from fazhi.core.models import (
    AttachmentKind,
    AttachmentLink,
    Officer,
    Organisation,
    OrganisationKind,
    User,
)
from fazhi.core.roles import Cap
from fazhi.core.scope import has_cap, require_cap, require_in_scope
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.core.services.deadlines import deadline_attach, deadlines_close_for
from fazhi.core.services.numbering import document_number_issue
from fazhi.enforcement import policy
from fazhi.enforcement.events import CaseEvent
from fazhi.enforcement.limitation import limitation_check
from fazhi.enforcement.models import (
    CaseLead,
    CaseLeadSource,
    CaseLeadState,
    CaseOfficer,
    CaseOutcome,
    CaseProcedure,
    CaseState,
    EvidencePreservation,
    PenaltyCase,
    PenaltyKind,
)
from fazhi.enforcement.services import case_common as common
from fazhi.enforcement.services.case_provisions import provisions_clean
from fazhi.enforcement.signals import decision_effective
from fazhi.enforcement.workflows import (
    CASE_LEAD,
    MIN_OFFICERS,
    PENALTY_CASE,
    provisions_sourced,
)

if TYPE_CHECKING:
    from fazhi.registry.models import Entity

DECISION_RULE = "penalty.decision"
SUMMARY_RULE = "penalty.summary_threshold"
PRESERVATION_RULE = "penalty.preservation_decision"
DECISION_DOCUMENT = "penalty_decision"  # the organisation's document type for 处理决定书
SUMMARY_KINDS = {PenaltyKind.WARNING, PenaltyKind.FINE}
EVIDENCE_STATES = (
    CaseState.FILED,
    CaseState.INVESTIGATED,
    CaseState.NOTIFIED,
    CaseState.HEARING,
    CaseState.HEARD,
)


def numbering_organisation(organisation: Organisation) -> Organisation:
    """Whose document numbers a case's decision takes: a supervision institute decides in the
    name of its commission (decision 0040), so the commission's 行政处罚决定书 series."""
    if organisation.kind == OrganisationKind.SUPERVISION_INSTITUTE and organisation.parent:
        return organisation.parent
    return organisation


def _check_handler(handler: User, organisation: Organisation) -> None:
    if handler.organisation_id != organisation.pk or not has_cap(handler, Cap.CASE_HANDLE):
        raise errors.ValidationFailed(
            "主办人须为本机构的执法人员。", code="bad_handler", field="handler"
        )


def _check_party(entity: Entity, organisation: Organisation) -> None:
    if not entity.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "当事人不在该机构的监管范围内。", code="entity_out_of_reach", field="entity"
        )


def case_file(
    *,
    actor: User,
    organisation: Organisation,
    handler: User,
    cause: str,
    act_ended_on: dt.date,
    lead: CaseLead | None = None,
    entity: Entity | None = None,
    source: str = "",
    facts: str = "",
    filed_on: dt.date | None = None,
    life_or_health_harm: bool = False,
    complex_case: bool = False,
    serious_violation: bool = False,
    major_public_interest: bool = False,
) -> PenaltyCase:
    """File a case (立案), on a lead (its party, source and facts) or directly (a complaint, a
    routine check, an assignment from above, a transfer from another agency), after the
    limitation check (行政处罚法 Art. 36). Opens the decision period."""
    require_cap(actor, Cap.CASE_DECIDE, action=CaseEvent.FILED)
    require_in_scope(actor, organisation, action=CaseEvent.FILED)
    cause = common.text(cause, field="cause", label="案由", max_length=200)
    if not cause:
        raise errors.ValidationFailed("请填写案由。", code="cause_required", field="cause")
    filed_on = common.day(filed_on, field="filed_on", label="立案日期")
    if act_ended_on > filed_on:
        raise errors.ValidationFailed(
            "违法行为日期不能晚于立案日期。", code="act_after_filing", field="act_ended_on"
        )
    if lead is not None:
        if lead.organisation_id != organisation.pk:
            raise errors.ValidationFailed("案源不属于该机构。", code="lead_elsewhere", field="lead")
        entity, source = lead.entity, lead.source
        facts = facts or lead.facts
    if entity is None:
        raise errors.ValidationFailed("请选择当事人。", code="entity_required", field="entity")
    if source not in CaseLeadSource.values:
        raise errors.ValidationFailed("未知的案件来源。", code="unknown_source", field="source")
    facts = common.text(facts, field="facts", label="违法事实")
    if not facts:
        raise errors.ValidationFailed("请填写违法事实。", code="facts_required", field="facts")
    _check_party(entity, organisation)
    _check_handler(handler, organisation)
    try:
        limitation = limitation_check(
            act_ended_on=act_ended_on,
            discovered_on=filed_on,
            life_or_health_harm=life_or_health_harm,
            province=organisation.province_code(),
        )
    except errors.UnknownRule:
        raise errors.ValidationFailed(
            "违法行为发生在规则包收录的追责时效规则施行之前，请按当时的法律人工审查追责时效。",
            code="limitation_unknown",
            field="act_ended_on",
        ) from None
    if limitation.expired and limitation.certain:
        raise errors.Conflict(limitation.summary + "。", code="limitation_expired")
    with transaction.atomic(durable=True):
        if lead is not None:
            if lead.state != CaseLeadState.NEW:  # the table refuses it too, after the lock
                raise CASE_LEAD.refuse(lead, CASE_LEAD.action("file"))
            workflow.transition(
                CASE_LEAD,
                lead,
                "file",
                actor=actor,
                changes={"decided_by": actor, "decided_at": clock.now()},
            )
        case = PenaltyCase.objects.create(
            organisation=organisation,
            lead=lead,
            entity=entity,
            source=source,
            procedure=CaseProcedure.GENERAL,
            cause=cause,
            facts=facts,
            state=CaseState.FILED,
            filed_on=filed_on,
            filed_by=actor,
            handler=handler,
            act_ended_on=act_ended_on,
            limitation_note=limitation.summary[:300],
            complex_case=complex_case,
            serious_violation=serious_violation,
            major_public_interest=major_public_interest,
        )
        audit.append(
            actor=actor,
            action=CaseEvent.FILED,
            obj=case,
            details={
                "to": CaseState.FILED,
                "lead_id": lead.pk if lead else None,
                "source": source,
                "limitation": limitation.summary,
            },
        )
        deadline_attach(
            actor=actor,
            organisation=organisation,
            title=common.title(case, "作出处理决定"),
            rule_key=DECISION_RULE,
            start_date=filed_on,
            subject=case,
            assignee=handler,
        )
    return case


def _valid_officers(officers: list[Officer], organisation: Organisation, on: dt.date) -> None:
    if len({o.pk for o in officers}) < MIN_OFFICERS:
        raise errors.ValidationFailed(
            "须由两名以上执法人员办理（行政处罚法第四十二条）。", code="officers_required"
        )
    for officer in officers:
        _check_officer(officer, organisation, on)


def _check_officer(officer: Officer, organisation: Organisation, on: dt.date) -> None:
    if officer.organisation_id != organisation.pk or not officer.is_active:
        raise errors.ValidationFailed(
            f"{officer.name}不是本机构在岗的执法人员。", code="officer_elsewhere", field="officer"
        )
    if officer.valid_credential(on) is None:
        raise errors.ValidationFailed(
            f"{officer.name}没有有效的执法证。", code="no_valid_credential", field="officer"
        )


def case_decide_on_the_spot(
    *,
    actor: User,
    organisation: Organisation,
    entity: Entity,
    handler: User,
    officers: list[Officer],
    cause: str,
    facts: str,
    kinds: list[str],
    fine: Any = None,
    decided_on: dt.date | None = None,
    item: Any = None,
    violated: str = "",
    penalty: str = "",
    reason: str = "",
) -> PenaltyCase:
    """A decision on the spot (简易程序, 行政处罚法 Art. 51–52): conclusive facts, a warning or a
    fine up to the province's limit for the party, and the provisions the decision states
    (Art. 52: from a benchmark ``item`` the caller read in scope, or typed with a reason, as
    ``case_provisions_set`` takes them; decision 0068); numbered in the same transaction."""
    require_cap(actor, Cap.CASE_HANDLE, action=CaseEvent.DECIDED_ON_THE_SPOT)
    require_in_scope(actor, organisation, action=CaseEvent.DECIDED_ON_THE_SPOT)
    provisions = provisions_clean(item=item, violated=violated, penalty=penalty, reason=reason)
    provisions_sourced(None, {"from_item": provisions.from_item, "reason": provisions.reason})
    decided_on = common.day(decided_on, field="decided_on", label="决定日期")
    cause = common.text(cause, field="cause", label="案由", max_length=200)
    facts = common.text(facts, field="facts", label="违法事实")
    if not cause or not facts:
        raise errors.ValidationFailed("请填写案由和违法事实。", code="facts_required")
    chosen = common.kinds(kinds)
    amount = common.money(fine, field="fine", label="罚款金额")
    if not chosen or not set(chosen) <= SUMMARY_KINDS:
        raise errors.ValidationFailed(
            "简易程序只适用于警告或者罚款（行政处罚法第五十一条）。", code="summary_kind"
        )
    common.check_money_kinds(chosen, amount, None)
    limit_rule = rules.rule(SUMMARY_RULE, on=decided_on, province=organisation.province_code())
    party = "公民" if entity.is_individual else "法人或者其他组织"
    limit = Decimal(str(limit_rule.value.amounts[party]))
    if amount is not None and amount > limit:
        raise errors.ValidationFailed(
            f"简易程序罚款不能超过{limit:,.0f}元（{party}，{limit_rule.citation}），"
            "请按普通程序立案。",
            code="summary_over_limit",
            field="fine",
        )
    _check_party(entity, organisation)
    _check_handler(handler, organisation)
    _valid_officers(officers, organisation, decided_on)
    with transaction.atomic(durable=True):
        case = PenaltyCase.objects.create(
            organisation=organisation,
            entity=entity,
            source=CaseLeadSource.ROUTINE,
            procedure=CaseProcedure.SUMMARY,
            cause=cause,
            facts=facts,
            state=CaseState.DECIDED,
            filed_on=decided_on,
            filed_by=actor,
            handler=handler,
            act_ended_on=decided_on,
            penalty_kinds=chosen,
            outcome=CaseOutcome.PENALTY,
            fine=amount,
            decided_on=decided_on,
            decided_by=actor,
            **provisions.changes(),
        )
        for officer in officers:
            CaseOfficer.objects.create(case=case, officer=officer, added_on=decided_on)
        case.decision_number = document_number_issue(
            actor=actor,
            organisation=numbering_organisation(organisation),
            type_key=DECISION_DOCUMENT,
            subject=case,
        )
        case.save(update_fields=["decision_number"])
        audit.append(
            actor=actor,
            action=CaseEvent.DECIDED_ON_THE_SPOT,
            obj=case,
            details={
                "to": CaseState.DECIDED,
                "kinds": chosen,
                "fine": str(amount) if amount is not None else None,
                "decision_number": case.decision_number,
                "officers": [o.pk for o in officers],
                "provisions": provisions.details(),
            },
        )
        decision_effective.send(sender=PenaltyCase, actor=actor, case=case)
    return case


def _open_case(case: PenaltyCase, action: str) -> PenaltyCase:
    """The case locked, refused unless it is still under investigation."""
    row = PENALTY_CASE.lock(case)
    if row.state != CaseState.FILED:
        raise errors.InvalidTransition(
            f"行政处罚案件当前状态为“{row.get_state_display()}”，调查已终结。",
            code="case_not_investigating",
            action=action,
        )
    return row


def case_officer_assign(*, actor: User, case: PenaltyCase, officer: Officer) -> CaseOfficer:
    """Assign an officer to investigate (承办人员): active, of the case's organisation, with a
    valid enforcement credential today."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.OFFICER_ASSIGNED)
    today = clock.today()
    _check_officer(officer, case.organisation, today)
    with transaction.atomic(durable=True):
        row = _open_case(case, "assign_officer")
        if CaseOfficer.objects.filter(case=row, officer=officer).exists():
            raise errors.Conflict(f"{officer.name}已是本案承办人员。", code="already_assigned")
        link = CaseOfficer.objects.create(case=row, officer=officer, added_on=today)
        audit.append(
            actor=actor,
            action=CaseEvent.OFFICER_ASSIGNED,
            obj=row,
            details={"officer_id": officer.pk},
        )
    return link


def case_officer_recuse(
    *, actor: User, case: PenaltyCase, officer: Officer, reason: str
) -> CaseOfficer:
    """Recuse an officer (回避, decided by the agency head: 行政处罚法 Art. 43); the
    investigation goes on, and needs two officers again before it ends."""
    common.require_case_cap(actor, case, Cap.CASE_DECIDE, CaseEvent.OFFICER_RECUSED)
    reason = common.text(reason, field="reason", label="回避理由", max_length=200)
    if len(reason) < 2:
        raise errors.ValidationFailed("请填写回避理由。", code="reason_required", field="reason")
    with transaction.atomic(durable=True):
        row = _open_case(case, "recuse_officer")
        link = CaseOfficer.objects.filter(
            case=row, officer=officer, recused_on__isnull=True
        ).first()
        if link is None:
            raise errors.Conflict(f"{officer.name}不是本案在办的承办人员。", code="not_assigned")
        link.recused_on = clock.today()
        link.recusal_reason = reason
        link.save(update_fields=["recused_on", "recusal_reason"])
        audit.append(
            actor=actor,
            action=CaseEvent.OFFICER_RECUSED,
            obj=row,
            details={"officer_id": officer.pk, "reason": reason},
        )
    return link


def case_evidence_add(
    *,
    actor: User,
    case: PenaltyCase,
    file: IO[bytes] | Any,
    filename: str,
    content_type: str = "",
) -> AttachmentLink:
    """Keep a file as the case's evidence (证据材料) until the decision: stored by its hash before
    the transaction, linked to the case inside it (row, link and chained event)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, "attachment.linked")
    _evidence_open(case)
    blob = attachment_store_blob(
        actor=actor,
        organisation=case.organisation,
        file=file,
        filename=filename,
        content_type=content_type,
    )
    with transaction.atomic(durable=True):
        row = _evidence_open(PENALTY_CASE.lock(case))
        return attachment_link(
            actor=actor, attachment_or_blob=blob, subject=row, kind=AttachmentKind.EVIDENCE
        )


def _evidence_open(case: PenaltyCase) -> PenaltyCase:
    if case.state not in EVIDENCE_STATES:
        raise errors.InvalidTransition(
            f"行政处罚案件当前状态为“{case.get_state_display()}”，不能再补充证据。",
            code="evidence_closed",
        )
    return case


def case_evidence_preserve(
    *,
    actor: User,
    case: PenaltyCase,
    items: str,
    approved_by: User,
    registered_on: dt.date | None = None,
) -> EvidencePreservation:
    """先行登记保存 with the agency head's approval (行政处罚法 Art. 56): the decision on the
    items is due within 7 working days (``penalty.preservation_decision``)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.EVIDENCE_PRESERVED)
    items = common.text(items, field="items", label="保存物品", max_length=2000)
    if not items:
        raise errors.ValidationFailed("请填写保存物品。", code="items_required", field="items")
    registered_on = common.day(
        registered_on, field="registered_on", label="登记保存日期", not_before=case.filed_on
    )
    if (
        not has_cap(approved_by, Cap.CASE_DECIDE)
        or not approved_by.organisation
        or not (case.organisation.path.startswith(approved_by.organisation.path))
    ):
        raise errors.ValidationFailed(
            "先行登记保存须经本机关负责人批准。", code="bad_approver", field="approved_by"
        )
    with transaction.atomic(durable=True):
        row = _open_case(case, "preserve_evidence")
        preservation = EvidencePreservation.objects.create(
            case=row, items=items, registered_on=registered_on, approved_by=approved_by
        )
        audit.append(
            actor=actor,
            action=CaseEvent.EVIDENCE_PRESERVED,
            obj=row,
            details={"preservation_id": preservation.pk, "approved_by": approved_by.pk},
        )
        deadline_attach(
            actor=actor,
            organisation=row.organisation,
            title=common.title(row, "先行登记保存处理决定"),
            rule_key=PRESERVATION_RULE,
            start_date=registered_on,
            subject=preservation,
            assignee=row.handler,
        )
    return preservation


def case_preservation_decide(
    *,
    actor: User,
    preservation: EvidencePreservation,
    decision: str,
    decided_on: dt.date | None = None,
) -> EvidencePreservation:
    """The decision on preserved items (return, seal, confiscate, …): closes its deadline."""
    case = preservation.case
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.PRESERVATION_DECIDED)
    decision = common.text(decision, field="decision", label="处理决定", max_length=200)
    if not decision:
        raise errors.ValidationFailed(
            "请填写处理决定。", code="decision_required", field="decision"
        )
    decided_on = common.day(
        decided_on, field="decided_on", label="处理决定日期", not_before=preservation.registered_on
    )
    with transaction.atomic(durable=True):
        row = EvidencePreservation.objects.select_for_update().get(pk=preservation.pk)
        if row.decided_on is not None:
            raise errors.Conflict("该登记保存已作出处理决定。", code="already_decided")
        row.decision, row.decided_on = decision, decided_on
        row.save(update_fields=["decision", "decided_on"])
        audit.append(
            actor=actor,
            action=CaseEvent.PRESERVATION_DECIDED,
            obj=case,
            details={"preservation_id": row.pk, "decision": decision},
        )
        deadlines_close_for(actor=actor, subject=row, rule_key=PRESERVATION_RULE, on=decided_on)
    return row


def case_end_investigation(
    *, actor: User, case: PenaltyCase, report: str, on: dt.date | None = None
) -> PenaltyCase:
    """调查终结 with the investigation-end report: two officers, no preservation undecided."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.INVESTIGATION_ENDED)
    report = common.text(report, field="report", label="调查终结报告")
    on = common.day(on, field="on", label="调查终结日期", not_before=case.filed_on)
    with transaction.atomic(durable=True):
        return common.move(
            case,
            "end_investigation",
            actor=actor,
            ctx={"on": on, "report": report},
            changes={"investigation_report": report, "investigated_on": on},
        )


def case_notify(
    *,
    actor: User,
    case: PenaltyCase,
    kinds: list[str],
    fine: Any = None,
    confiscation: Any = None,
    on: dt.date | None = None,
) -> PenaltyCase:
    """The notice of the proposed penalty with the party's rights (行政处罚法 Art. 44, 63):
    the hearing right when the penalty reaches the province's thresholds; opens the party's
    window (hearing request, else statement)."""
    common.require_case_cap(actor, case, Cap.CASE_HANDLE, CaseEvent.NOTIFIED)
    chosen = common.kinds(kinds)
    if not chosen:
        raise errors.ValidationFailed("请选择拟处罚种类。", code="kinds_required", field="kinds")
    fine_amount = common.money(fine, field="fine", label="拟罚款金额")
    confiscated = common.money(confiscation, field="confiscation", label="拟没收金额")
    common.check_money_kinds(chosen, fine_amount, confiscated)
    on = common.day(on, field="on", label="告知日期", not_before=case.investigated_on)
    reasons = policy.hearing_right_reasons(
        case, kinds=chosen, fine=fine_amount, confiscation=confiscated, on=on
    )
    with transaction.atomic(durable=True):
        row = common.move(
            case,
            "notify",
            actor=actor,
            changes={
                "penalty_kinds": chosen,
                "proposed_fine": fine_amount,
                "proposed_confiscation": confiscated,
                "notified_on": on,
                "hearing_right": bool(reasons),
            },
            details={
                "kinds": chosen,
                "fine": str(fine_amount) if fine_amount is not None else None,
                "confiscation": str(confiscated) if confiscated is not None else None,
                "hearing_right": reasons,
            },
        )
        from fazhi.enforcement.workflows import window_rule

        deadline_attach(
            actor=actor,
            organisation=row.organisation,
            title=common.title(row, "当事人申请听证期限" if reasons else "当事人陈述申辩期限"),
            rule_key=window_rule(row),
            start_date=on,
            subject=row,
            assignee=row.handler,
        )
    return row
