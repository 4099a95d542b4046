"""Services: the entropy of a version-2 draw (``fazhi-draw/2``), used by ``services.draws``.

The draw is refused before the last declared event's time (by ``fazhi.core.clock``); each value
is checked against its kind's format, and a drand value against the chain's public key (BLS,
offline), so a value the network did not sign cannot be typed in. Witnesses revealed before the
deadline take part; the others are withheld (``null``) and do not stall the draw: the declared
public events are always part of the entropy, so nobody gains a choice by withholding.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

from fazhi.core import clock, errors
from fazhi.inspections import drand, drawv2
from fazhi.inspections.models import DrawAnnouncement, EntropyKind


def entropy_v2(announcement: DrawAnnouncement, values: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """(entropy value entering the seed, the entropy record the export publishes)."""
    witnesses = list(announcement.witnesses.order_by("position"))
    commitments = [w.commitment for w in witnesses]
    reveals = [
        w.revealed_secret
        if w.revealed_secret is not None and drawv2.reveal_matches(w.commitment, w.revealed_secret)
        else None
        for w in witnesses
    ]
    if announcement.entropy_kind == EntropyKind.SERVER:
        record = drawv2.entropy_record(
            sources=[], values=[], commitments=[], reveals=[], server=secrets.token_hex(32)
        )
        return drawv2.entropy_value(record), record
    sources: list[dict[str, Any]] = list(announcement.sources)
    latest = drawv2.latest_event(sources)
    if latest is None:
        raise errors.Conflict("公告未声明随机源。", code="no_sources")
    now = clock.now()
    if now < latest:
        raise errors.Conflict(
            "公告声明的公开随机事件尚未发生，不能抽取："
            + "；".join(drawv2.describe_source(s) for s in sources),
            code="event_not_yet",
        )
    if len(values) != len(sources) or any(not v.strip() for v in values):
        raise errors.ValidationFailed(
            f"请按公告顺序填写全部{len(sources)}个随机事件的结果。", code="source_values_required"
        )
    clean: list[str] = []
    for declaration, raw in zip(sources, values, strict=True):
        try:
            value = drawv2.source_value(declaration, raw)
        except drawv2.SourceError as exc:
            raise errors.ValidationFailed(
                f"{drawv2.describe_source(declaration)}：{exc.message}", code=exc.code
            ) from None
        if declaration["kind"] == "drand-quicknet" and not drand.verify_quicknet(
            int(declaration["event"]["round"]), value
        ):
            raise errors.ValidationFailed(
                f"{drawv2.describe_source(declaration)}：签名未通过drand公钥验证，"
                "请核对轮次和签名。",
                code="drand_signature_invalid",
            )
        clean.append(value)
    record = drawv2.entropy_record(
        sources=sources, values=clean, commitments=commitments, reveals=reveals
    )
    return drawv2.entropy_value(record), record
