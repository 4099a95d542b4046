"""Services: a reconsideration or a lawsuit against an act of the commission, from the copy of
the application (complaint) received to the answer (defence), the hearings, the outcome, the
correction follow-up and the close.

Clocks (core deadlines attached to the appeal, from the day the copy was received):
``reconsideration.answer`` (10 working days, 行政复议法 第四十八条、第八十八条第二款),
``reconsideration.answer_simple`` (5 working days in the simplified procedure, 第五十四条),
``litigation.defence`` (15 days, 行政诉讼法 第六十七条). Decision 0072.

A challenged penalty case: the enforcement ``CaseChallenge`` is opened on the day the
application was lodged and ended on the day of the outcome, inside this app's transaction
(``enforcement.services.case_challenges``), so the case's late surcharge pauses meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.db import transaction

from fazhi.appeals.events import AppealEvent
from fazhi.appeals.models import (
    ADVERSE,
    Appeal,
    AppealHearing,
    AppealKind,
    AppealState,
    Procedure,
    outcome_label,
)
from fazhi.appeals.workflows import APPEAL
from fazhi.core import audit, errors, inputs, workflow
from fazhi.core.models import AttachmentKind, AttachmentLink, Organisation, User
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.core.services.attachments import attachment_link, attachment_store_blob
from fazhi.core.services.deadlines import (
    deadline_attach,
    deadlines_cancel_for,
    deadlines_close_for,
)
from fazhi.enforcement.models import PenaltyCase
from fazhi.enforcement.services.case_challenges import (
    case_challenge_end_within,
    case_challenge_open_within,
)
from fazhi.enforcement.services.case_decisions import (
    case_decision_alter_within,
    decision_alterable,
)
from fazhi.matters.models import Matter, MatterKind

NAME_MAX = 200
BODY_MAX = 100
TEXT_MAX = 10_000


def answer_rule(kind: str, procedure: str) -> str:
    """The rule of the answer (defence) clock of an appeal of ``kind`` in ``procedure``."""
    if kind == AppealKind.LITIGATION:
        return "litigation.defence"
    if procedure == Procedure.SIMPLIFIED:
        return "reconsideration.answer_simple"
    return "reconsideration.answer"


def _require_handle(actor: User, organisation: Organisation, action: str) -> None:
    require_cap(actor, Cap.APPEAL_HANDLE, action=action)
    require_in_scope(actor, organisation, action=action)


_text = inputs.text
_choice = inputs.choice
_day = inputs.day  # before the earlier date: date_too_early


def _case_act(case: PenaltyCase) -> str:
    number = f" {case.decision_number}" if case.decision_number else ""
    return f"行政处罚决定{number}（{case.cause}）"


def _request_act(matter: Matter) -> str:
    return f"政府信息公开申请答复（{matter.title}，{matter.received_on:%Y-%m-%d}收到）"


def _check_disclosure_request(
    matter: Matter, *, organisation: Organisation, lodged: dt.date
) -> None:
    if matter.kind != MatterKind.DISCLOSURE:
        raise errors.ValidationFailed(
            "所选事项不是政府信息公开申请。",
            code="not_a_disclosure_request",
            field="disclosure_request",
        )
    if not matter.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "所选政府信息公开申请不属于该机关。",
            code="request_out_of_reach",
            field="disclosure_request",
        )
    if lodged < matter.received_on:
        raise errors.ValidationFailed(
            f"申请（起诉）日期不能早于该政府信息公开申请的收到日期（{matter.received_on:%Y-%m-%d}）。",
            code="date_too_early",
            field="lodged_on",
        )


def _check_reconsideration(
    earlier: Appeal, *, organisation: Organisation, kind: str, lodged: dt.date
) -> None:
    if kind != AppealKind.LITIGATION:
        raise errors.ValidationFailed(
            "只有行政诉讼可以关联起诉前的行政复议。",
            code="reconsideration_not_allowed",
            field="reconsideration",
        )
    if earlier.kind != AppealKind.RECONSIDERATION:
        raise errors.ValidationFailed(
            "所选事项不是行政复议。", code="not_a_reconsideration", field="reconsideration"
        )
    if not earlier.organisation.path.startswith(organisation.path):
        raise errors.ValidationFailed(
            "所选行政复议不属于该机关。",
            code="reconsideration_out_of_reach",
            field="reconsideration",
        )
    if lodged < earlier.lodged_on:
        raise errors.ValidationFailed(
            f"起诉日期不能早于行政复议的申请日期（{earlier.lodged_on:%Y-%m-%d}）。",
            code="date_too_early",
            field="lodged_on",
        )


def appeal_register(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    applicant: str,
    reviewing_body: str,
    lodged_on: dt.date | None,
    received_on: dt.date | None,
    act: str = "",
    procedure: str = Procedure.ORDINARY,
    reference: str = "",
    penalty_case: PenaltyCase | None = None,
    disclosure_request: Matter | None = None,
    reconsideration: Appeal | None = None,
) -> Appeal:
    """Register a reconsideration application or a lawsuit whose copy reached the commission on
    ``received_on``: the answer (defence) clock starts; a challenged penalty case's surcharge
    pauses from ``lodged_on``. ``disclosure_request``: the disclosure request whose handling is
    challenged (counted in the annual disclosure report, decision 0084); ``reconsideration``: for
    a lawsuit, the earlier reconsideration it follows (复议后起诉), whose disclosure request it
    inherits when none is given."""
    _require_handle(actor, organisation, AppealEvent.RECEIVED)
    kind = _choice(kind, AppealKind.values, field="kind", label="类型")
    procedure = _choice(procedure, Procedure.values, field="procedure", label="程序")
    if kind == AppealKind.LITIGATION and procedure != Procedure.ORDINARY:
        # 行政诉讼法 第八十二条: the court's simplified procedure leaves the defence period as is
        procedure = Procedure.ORDINARY
    fields = {
        "applicant": _text(
            applicant, field="applicant", label="申请人（原告）", max_length=NAME_MAX
        ),
        "reviewing_body": _text(
            reviewing_body,
            field="reviewing_body",
            label="复议机关（人民法院）",
            max_length=BODY_MAX,
        ),
        "reference": _text(
            reference, field="reference", label="案号", max_length=BODY_MAX, required=False
        ),
    }
    lodged = _day(lodged_on, field="lodged_on", label="申请（起诉）日期")
    received = _day(
        received_on,
        field="received_on",
        label="收到副本日期",
        not_before=lodged,
        not_before_label="申请（起诉）日期",
    )
    if penalty_case is not None:
        if not penalty_case.organisation.path.startswith(organisation.path):
            raise errors.ValidationFailed(
                "被申请（被诉）的案件不属于该机关。", code="case_out_of_reach", field="penalty_case"
            )
        act = str(act or "").strip() or _case_act(penalty_case)
    if reconsideration is not None:
        _check_reconsideration(reconsideration, organisation=organisation, kind=kind, lodged=lodged)
        if disclosure_request is None:
            disclosure_request = reconsideration.disclosure_request
    if disclosure_request is not None:
        _check_disclosure_request(disclosure_request, organisation=organisation, lodged=lodged)
        act = str(act or "").strip() or _request_act(disclosure_request)
    act = _text(act, field="act", label="被申请（被诉）的行政行为", max_length=TEXT_MAX)
    with transaction.atomic(durable=True):
        appeal = Appeal.objects.create(
            organisation=organisation,
            kind=kind,
            procedure=procedure,
            act=act,
            lodged_on=lodged,
            received_on=received,
            penalty_case=penalty_case,
            disclosure_request=disclosure_request,
            reconsideration=reconsideration,
            created_by=actor,
            **fields,
        )
        if penalty_case is not None:
            appeal.challenge = case_challenge_open_within(
                actor=actor,
                case=penalty_case,
                kind=kind,
                on=lodged,
                reference=fields["reference"],
            )
            appeal.save(update_fields=["challenge"])
        audit.append(
            actor=actor,
            action=AppealEvent.RECEIVED,
            obj=appeal,
            details={
                "kind": kind,
                "procedure": procedure,
                "lodged_on": lodged.isoformat(),
                "received_on": received.isoformat(),
                "penalty_case": penalty_case.pk if penalty_case else None,
                "disclosure_request": disclosure_request.pk if disclosure_request else None,
                "reconsideration": reconsideration.pk if reconsideration else None,
            },
        )
        label = "行政复议答复" if kind == AppealKind.RECONSIDERATION else "行政诉讼答辩"
        deadline_attach(
            actor=actor,
            organisation=organisation,
            title=f"{label}：{appeal.applicant}"[:200],
            rule_key=answer_rule(kind, procedure),
            start_date=received,
            subject=appeal,
            assignee=actor,
        )
    return appeal


def _store(actor: User, appeal: Appeal, file: IO[bytes] | Any | None, filename: str) -> Any:
    if file is None:
        return None
    return attachment_store_blob(
        actor=actor, organisation=appeal.organisation, file=file, filename=filename
    )


def appeal_answer(
    *,
    actor: User,
    appeal: Appeal,
    on: dt.date | None,
    note: str = "",
    file: IO[bytes] | Any | None = None,
    filename: str = "",
) -> Appeal:
    """The written answer (答复) or defence (答辩状) with the evidence and basis was submitted on
    ``on``: the clock is met (late if after its due date); the answer's file, if any, is kept as
    the appeal's document."""
    _require_handle(actor, appeal.organisation, AppealEvent.ANSWERED)
    on = _day(
        on,
        field="on",
        label="提交日期",
        not_before=appeal.received_on,
        not_before_label="收到副本日期",
    )
    note = _text(note, field="note", label="答复（答辩）要点", max_length=TEXT_MAX, required=False)
    blob = _store(actor, appeal, file, filename)
    with transaction.atomic(durable=True):
        appeal = workflow.transition(
            APPEAL,
            appeal,
            "answer",
            actor=actor,
            changes={"answered_on": on, "answer_note": note},
            details={"on": on.isoformat(), "document": blob is not None},
        )
        deadlines_close_for(
            actor=actor,
            subject=appeal,
            rule_key=answer_rule(appeal.kind, appeal.procedure),
            on=on,
        )
        if blob is not None:
            attachment_link(
                actor=actor, attachment_or_blob=blob, subject=appeal, kind=AttachmentKind.DOCUMENT
            )
    return appeal


def appeal_record_hearing(
    *,
    actor: User,
    appeal: Appeal,
    held_on: dt.date | None,
    attended_by: str,
    head_appeared: bool = False,
    note: str = "",
) -> AppealHearing:
    """A hearing or court session held on ``held_on``, who attended for the commission and
    whether its head appeared (负责人出庭应诉, 行政诉讼法 第三条第三款; 参加听证, 行政复议法
    第五十一条第三款)."""
    _require_handle(actor, appeal.organisation, AppealEvent.HEARING_RECORDED)
    held = _day(
        held_on,
        field="held_on",
        label="审理（开庭）日期",
        not_before=appeal.received_on,
        not_before_label="收到副本日期",
    )
    attended = _text(
        attended_by, field="attended_by", label="出庭（参加）人员", max_length=NAME_MAX
    )
    note = _text(note, field="note", label="说明", max_length=TEXT_MAX, required=False)
    head = bool(head_appeared)
    with transaction.atomic(durable=True):
        row = APPEAL.lock(appeal)  # the flag as stored, not as the caller last read it
        appeal = workflow.transition(
            APPEAL,
            row,
            "record_hearing",
            actor=actor,
            changes={"head_appeared": row.head_appeared or head},
            details={"held_on": held.isoformat(), "head_appeared": head},
            locked=True,
        )
        return AppealHearing.objects.create(
            appeal=appeal,
            held_on=held,
            head_appeared=head,
            attended_by=attended,
            note=note,
            created_by=actor,
        )


def appeal_decide(
    *, actor: User, appeal: Appeal, on: dt.date | None, outcome: str, note: str = ""
) -> Appeal:
    """The reviewing body's decision or the court's judgment (ruling, settlement, withdrawal)
    of ``on``: counted as corrected (复议纠错) or lost (败诉) when it goes against the act
    (decision 0073); the answer clock, if still running, is cancelled; a challenged case's
    surcharge resumes from the day after."""
    _require_handle(actor, appeal.organisation, AppealEvent.DECIDED)
    on = _day(
        on,
        field="on",
        label="决定（裁判）日期",
        not_before=appeal.answered_on or appeal.received_on,
        not_before_label="提交答复日期" if appeal.answered_on else "收到副本日期",
    )
    note = _text(
        note, field="note", label="决定（裁判）文书及要点", max_length=TEXT_MAX, required=False
    )
    adverse = outcome in ADVERSE
    with transaction.atomic(durable=True):
        was_answered = appeal.state != AppealState.RECEIVED
        appeal = workflow.transition(
            APPEAL,
            appeal,
            "decide",
            actor=actor,
            ctx={"outcome": outcome},
            changes={
                "decided_on": on,
                "outcome": outcome,
                "outcome_note": note,
                "corrected": adverse and appeal.kind == AppealKind.RECONSIDERATION,
                "lost": adverse and appeal.kind == AppealKind.LITIGATION,
            },
            details={"on": on.isoformat(), "outcome": outcome},
        )
        if not was_answered:
            deadlines_cancel_for(
                actor=actor, subject=appeal, reason=f"已审结：{outcome_label(appeal.kind, outcome)}"
            )
        if appeal.challenge is not None:
            case_challenge_end_within(
                actor=actor,
                challenge=appeal.challenge,
                on=on,
                result=f"{appeal.get_kind_display()}：{outcome_label(appeal.kind, outcome)}",
            )
        if appeal.penalty_case is not None and decision_alterable(appeal.penalty_case, outcome):
            case_decision_alter_within(  # the publicity withdrawn, the credit record too (0082)
                actor=actor,
                case=appeal.penalty_case,
                alteration=outcome,
                reason=f"{appeal.get_kind_display()}{appeal.reference}："
                f"{outcome_label(appeal.kind, outcome)}",
                on=on,
            )
    return appeal


def appeal_follow_up(*, actor: User, appeal: Appeal, on: dt.date | None, text: str) -> Appeal:
    """What the commission did after a decision against its act (re-made, revoked, refunded),
    completed on ``on``."""
    _require_handle(actor, appeal.organisation, AppealEvent.FOLLOWED_UP)
    on = _day(
        on,
        field="on",
        label="整改完成日期",
        not_before=appeal.decided_on,
        not_before_label="决定（裁判）日期",
    )
    text = _text(text, field="text", label="纠错整改情况", max_length=TEXT_MAX)
    with transaction.atomic(durable=True):
        return workflow.transition(
            APPEAL,
            appeal,
            "follow_up",
            actor=actor,
            changes={"follow_up": text, "followed_up_on": on},
            details={"on": on.isoformat()},
        )


def appeal_close(*, actor: User, appeal: Appeal, on: dt.date | None) -> Appeal:
    _require_handle(actor, appeal.organisation, AppealEvent.CLOSED)
    on = _day(
        on,
        field="on",
        label="办结日期",
        not_before=appeal.followed_up_on or appeal.decided_on,
        not_before_label="决定或整改日期",
    )
    with transaction.atomic(durable=True):
        return workflow.transition(
            APPEAL,
            appeal,
            "close",
            actor=actor,
            changes={"closed_on": on},
            details={"on": on.isoformat()},
        )


def appeal_add_document(
    *, actor: User, appeal: Appeal, file: IO[bytes] | Any, filename: str
) -> AttachmentLink:
    """Keep a file (the decision, the judgment, a hearing record) as the appeal's document."""
    _require_handle(actor, appeal.organisation, AppealEvent.DOCUMENT_ADDED)
    blob = attachment_store_blob(
        actor=actor, organisation=appeal.organisation, file=file, filename=filename
    )
    with transaction.atomic(durable=True):
        row = APPEAL.lock(appeal)
        link = attachment_link(
            actor=actor, attachment_or_blob=blob, subject=row, kind=AttachmentKind.DOCUMENT
        )
        audit.append(
            actor=actor,
            action=AppealEvent.DOCUMENT_ADDED,
            obj=row,
            details={"filename": blob.filename},
        )
    return link
