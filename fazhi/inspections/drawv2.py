"""Protocol ``fazhi-draw/2``: what version 2 adds around the draw engine (standard library only).

The ranking (stratum key in every ranking key) and the seed (bound to the announcement hash) are
in ``drawengine``; this module holds the rest, as pure functions of published values:

* entropy sources: a registry of kinds, each with an exact future public event (a lottery draw
  by its period and date, a drand round), the instant before which it cannot be known
  (``not_before``) and the format of its value;
* witnesses: salted commitments ``SHA-256("fazhi-draw/2:witness:<salt>:<secret>")``; a reveal
  is ``"<salt>:<secret>"``, a withheld one ``null``;
* the entropy: SHA-256 over the canonical JSON of the record of every source's value (declared
  order) and every witness's reveal (position order) — the public event always takes part, so a
  withheld reveal gives nobody a choice;
* the announcement hash, which fixes all of the above (and the names-public setting, the
  reveal deadline and the announcement it replaces) before any value exists;
* the verification of a version-2 export.

The byte-level specification is ``docs/draw-protocol.md``. The drand signature check needs
pairing arithmetic and lives in ``fazhi.inspections.drand`` (py_ecc), outside this module.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fazhi.inspections import drawengine
from fazhi.inspections.drawengine import canonical_json, sha256_hex

ALGORITHM_VERSION = drawengine.ALGORITHM_VERSION_2
EXPORT_FORMAT = "fazhi-draw-export/2"
PUBLIC_EVENT = "public_event"
SERVER = "server"
NAMES_PUBLIC = ("window_start", "result_published")

WITNESS_PREFIX = "fazhi-draw/2:witness:"
SALT_HEX = 32  # 128 bits
SECRET_HEX = 32  # a generated secret: 128 bits
CHOSEN_SECRET_MIN = 8
CHOSEN_SECRET_MAX = 200

_HEX = re.compile(r"^[0-9a-f]+$")

# drand quicknet (scheme bls-unchained-g1-rfc9380): the chain's published information.
DRAND_QUICKNET: dict[str, Any] = {
    "hash": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "public_key": (
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d10"
        "64510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae899"
        "1ef5ece45a"
    ),
    "genesis_time": 1692803367,
    "period": 3,
    "scheme": "bls-unchained-g1-rfc9380",
}


class SourceError(ValueError):
    """A declaration or value that the kind refuses; ``code`` names the reason, the message is
    shown to the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def utc_text(instant: dt.datetime) -> str:
    """An instant as the protocol writes it: UTC, seconds, ``+00:00``."""
    return instant.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def parse_instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# --- entropy source kinds ------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceKind:
    key: str
    label: str
    value_label: str
    clean_event: Callable[[Mapping[str, Any]], dict[str, Any]]
    not_before: Callable[[Mapping[str, Any]], dt.datetime]
    clean_value: Callable[[str], str]

    def describe(self, event: Mapping[str, Any]) -> str:
        if "round" in event:
            return f"{self.label} 第{event['round']}轮"
        return f"{self.label} 第{event['period']}期（{event['date']}开奖）"


_BEIJING_EVENING = dt.time(13, 30, tzinfo=dt.UTC)  # 21:30 Beijing time, after the lottery draws


def _lottery_event(
    period_digits: int, year_digits: int
) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def clean(event: Mapping[str, Any]) -> dict[str, Any]:
        period = str(event.get("period", "")).strip()
        date_text = str(event.get("date", "")).strip()
        try:
            day = dt.date.fromisoformat(date_text)
        except ValueError:
            raise SourceError("bad_event_date", "请填写开奖日期（年-月-日）。") from None
        if not (len(period) == period_digits and period.isdigit()):
            raise SourceError("bad_event_period", f"期号须为{period_digits}位数字。")
        if period[:year_digits] != f"{day.year:04d}"[-year_digits:]:
            raise SourceError("period_year_mismatch", "期号的年份与开奖日期不符。")
        return {"date": day.isoformat(), "period": period}

    return clean


def _lottery_time(event: Mapping[str, Any]) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(str(event["date"])), _BEIJING_EVENING)


def _digits(count: int) -> Callable[[str], str]:
    def clean(raw: str) -> str:
        value = drawengine.normalise_public_number(raw)
        if len(value) != count:
            raise SourceError(
                "entropy_value_invalid", f"开奖号码须为{count}位数字（0–9），请核对后填写。"
            )
        return value

    return clean


def _drand_event(event: Mapping[str, Any]) -> dict[str, Any]:
    try:
        number = int(str(event.get("round", "")).strip())
    except ValueError:
        raise SourceError("bad_event_round", "请填写drand轮次（正整数）。") from None
    if number < 1:
        raise SourceError("bad_event_round", "请填写drand轮次（正整数）。")
    return {"chain": DRAND_QUICKNET["hash"], "round": number}


def drand_round_time(number: int) -> dt.datetime:
    seconds = int(DRAND_QUICKNET["genesis_time"]) + int(DRAND_QUICKNET["period"]) * (number - 1)
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def drand_round_at(instant: dt.datetime) -> int:
    """The first round emitted at or after ``instant``."""
    elapsed = int(instant.timestamp()) - int(DRAND_QUICKNET["genesis_time"])
    period = int(DRAND_QUICKNET["period"])
    return max(1, -(-elapsed // period) + 1)


def _drand_time(event: Mapping[str, Any]) -> dt.datetime:
    return drand_round_time(int(event["round"]))


def _drand_value(raw: str) -> str:
    value = unicodedata.normalize("NFKC", raw).strip().lower()
    if len(value) != 96 or not _HEX.match(value):
        raise SourceError(
            "entropy_value_invalid", "drand签名须为96位十六进制字符（该轮次的BLS签名）。"
        )
    return value


SOURCE_KINDS: dict[str, SourceKind] = {
    k.key: k
    for k in (
        SourceKind(
            "cwl-3d",
            "中国福利彩票3D",
            "开奖号码（3位数字）",
            _lottery_event(7, 4),
            _lottery_time,
            _digits(3),
        ),
        SourceKind(
            "sports-pl5",
            "体育彩票排列5",
            "开奖号码（5位数字）",
            _lottery_event(5, 2),
            _lottery_time,
            _digits(5),
        ),
        SourceKind(
            "drand-quicknet",
            "drand随机信标（quicknet）",
            "该轮次的BLS签名（96位十六进制）",
            _drand_event,
            _drand_time,
            _drand_value,
        ),
    )
}


def declare_source(kind: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """The declaration the announcement publishes: ``{"event", "kind", "not_before"}``."""
    spec = SOURCE_KINDS.get(kind)
    if spec is None:
        raise SourceError("bad_source_kind", "随机源类型不正确。")
    clean = spec.clean_event(event)
    return {"event": clean, "kind": kind, "not_before": utc_text(spec.not_before(clean))}


def source_value(declaration: Mapping[str, Any], raw: str) -> str:
    """The value of a declared source, checked against its kind's format (not its signature)."""
    return SOURCE_KINDS[str(declaration["kind"])].clean_value(raw)


def describe_source(declaration: Mapping[str, Any]) -> str:
    spec = SOURCE_KINDS.get(str(declaration.get("kind")))
    return spec.describe(declaration["event"]) if spec else str(declaration.get("kind"))


def latest_event(sources: Sequence[Mapping[str, Any]]) -> dt.datetime | None:
    return max((parse_instant(str(s["not_before"])) for s in sources), default=None)


def earliest_event(sources: Sequence[Mapping[str, Any]]) -> dt.datetime | None:
    return min((parse_instant(str(s["not_before"])) for s in sources), default=None)


# --- witnesses ---------------------------------------------------------------------------------


def witness_commitment(salt: str, secret: str) -> str:
    return sha256_hex(f"{WITNESS_PREFIX}{salt}:{secret}")


def split_reveal(reveal: str) -> tuple[str, str]:
    """``"<salt>:<secret>"`` (the secret may itself contain ``:``)."""
    salt, sep, secret = reveal.strip().partition(":")
    if not sep or len(salt) != SALT_HEX or not _HEX.match(salt) or not secret:
        raise SourceError(
            "bad_reveal", "揭示值格式不正确，应为公告时显示的“盐值:秘密值”（可扫描二维码）。"
        )
    return salt, secret


def reveal_matches(commitment: str, reveal: str) -> bool:
    try:
        salt, secret = split_reveal(reveal)
    except SourceError:
        return False
    return witness_commitment(salt, secret) == commitment


def check_chosen_secret(secret: str) -> str:
    value = secret.strip()
    if not CHOSEN_SECRET_MIN <= len(value) <= CHOSEN_SECRET_MAX:
        raise SourceError(
            "weak_witness_secret",
            f"见证人自选的秘密值须为{CHOSEN_SECRET_MIN}–{CHOSEN_SECRET_MAX}个字符。",
        )
    return value


# --- entropy, announcement, seed ---------------------------------------------------------------


def entropy_record(
    *,
    sources: Sequence[Mapping[str, Any]],
    values: Sequence[str],
    commitments: Sequence[str],
    reveals: Sequence[str | None],
    server: str | None = None,
) -> dict[str, Any]:
    return {
        "server": server,
        "sources": [
            {"event": dict(s["event"]), "kind": s["kind"], "value": v}
            for s, v in zip(sources, values, strict=True)
        ],
        "witnesses": [
            {"commitment": c, "reveal": r} for c, r in zip(commitments, reveals, strict=True)
        ],
    }


def entropy_value(record: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(dict(record)))


def announcement_hash(
    *,
    plan_id: int,
    strata: Sequence[Mapping[str, Any]],
    pool_hash_value: str,
    params: Mapping[str, Any],
    entropy_kind: str,
    sources: Sequence[Mapping[str, Any]],
    commitments: Sequence[str],
    reveal_deadline: str | None,
    names_public: str,
    replaces: Mapping[str, str] | None,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "algorithm": ALGORITHM_VERSION,
                "entropy_kind": entropy_kind,
                "names_public": names_public,
                "params": dict(params),
                "plan": plan_id,
                "pool": pool_hash_value,
                "replaces": dict(replaces) if replaces is not None else None,
                "reveal_deadline": reveal_deadline,
                "sources": [dict(s) for s in sources],
                "strata": sorted((dict(s) for s in strata), key=lambda s: s["key"]),
                "witnesses": list(commitments),
            }
        )
    )


# --- verification of an export -------------------------------------------------------------------

NOT_PUBLICLY_VERIFIABLE = "服务器随机数：抽取结果可复算，但随机源不可公开验证"


def verify_export(
    export: Mapping[str, Any], *, expect_announcement: str | None = None
) -> str | None:
    """Recompute an export of either version. None when it matches (and, when given, the
    announcement hash is the expected one), else the first difference in words."""
    if expect_announcement is not None:
        published = str(export.get("announcement", {}).get("hash", ""))
        if published != expect_announcement.strip().lower():
            return (
                f"announcement hash {published} != expected {expect_announcement.strip().lower()}"
            )
    if export.get("algorithm_version") != ALGORITHM_VERSION:
        return drawengine.verify_export(export)
    if export.get("format") != EXPORT_FORMAT:
        return f"unknown export format {export.get('format')!r}"
    return _verify_v2(export)


def publicly_verifiable(export: Mapping[str, Any]) -> bool:
    return str(export.get("entropy", {}).get("kind")) != SERVER


def _verify_v2(export: Mapping[str, Any]) -> str | None:
    inputs = drawengine.inputs_from_export(export)
    announcement = export["announcement"]
    published = {s["key"]: s for s in announcement["strata"]}
    for s in sorted(inputs.strata, key=lambda s: s.key):
        if sorted(set(s.candidates)) != list(s.candidates):
            return f"stratum {s.key}: candidate list is not canonically sorted"
        meta = published.get(s.key)
        if meta is None:
            return f"stratum {s.key}: not in the announcement"
        if s.hash() != meta["hash"]:
            return f"stratum {s.key}: candidate list hash {s.hash()} != announced {meta['hash']}"
        if len(s.candidates) != meta["count"]:
            return f"stratum {s.key}: {len(s.candidates)} candidates != announced {meta['count']}"
    if set(published) != {s.key for s in inputs.strata}:
        return "the strata differ from the announcement"
    phash = drawengine.pool_hash(inputs.pool)
    if phash != announcement["pool_hash"]:
        return f"inspector pool hash {phash} != announced {announcement['pool_hash']}"
    params = inputs.params()
    if params != export["params"]:
        return drawengine._first_difference("params", params, export["params"]) or "params differ"
    entropy = export["entropy"]
    record = entropy["record"]
    if entropy["kind"] != announcement["entropy_kind"]:
        return "entropy kind differs from the announcement"
    declared = announcement["sources"]
    if [(s["kind"], s["event"]) for s in record["sources"]] != [
        (s["kind"], s["event"]) for s in declared
    ]:
        return "entropy sources differ from the announcement's declarations"
    if [w["commitment"] for w in record["witnesses"]] != list(announcement["witnesses"]):
        return "witness commitments differ from the announcement"
    for position, w in enumerate(record["witnesses"], start=1):
        if w["reveal"] is not None and not reveal_matches(w["commitment"], w["reveal"]):
            return f"witness {position}: reveal does not match its commitment"
    if entropy["kind"] == SERVER:
        if declared or record["witnesses"] or not record["server"]:
            return "a server-randomness draw declares no source and no witness"
    elif not declared or record["server"] is not None:
        return "a public-event draw declares at least one source and no server value"
    for s in record["sources"]:
        try:
            if source_value(s, str(s["value"])) != s["value"]:
                return f"source {s['kind']}: value {s['value']!r} is not in canonical form"
        except SourceError as exc:
            return f"source {s['kind']}: value {s['value']!r} refused ({exc.code})"
    value = entropy_value(record)
    if value != entropy["value"]:
        return f"entropy {value} != published {entropy['value']}"
    ahash = announcement_hash(
        plan_id=inputs.plan_id,
        strata=[
            {
                **s.params(),
                "count": len(s.candidates),
                "hash": s.hash(),
                "context_hash": published[s.key]["context_hash"],
            }
            for s in inputs.strata
        ],
        pool_hash_value=phash,
        params=params,
        entropy_kind=entropy["kind"],
        sources=declared,
        commitments=announcement["witnesses"],
        reveal_deadline=announcement["reveal_deadline"],
        names_public=announcement["names_public"],
        replaces=announcement["replaces"],
    )
    if ahash != announcement["hash"]:
        return f"announcement hash {ahash} != published {announcement['hash']}"
    context = announcement["context"]
    divisions = {int(k): str(v[0]) for k, v in context.items()}
    teams = drawengine.team_texts({int(k): v[1] for k, v in context.items() if v[1]})
    for s in inputs.strata:
        if (
            drawengine.split_context_hash(s.candidates, divisions, teams)
            != published[s.key]["context_hash"]
        ):
            return f"stratum {s.key}: context hash differs from the announcement"

    def context_for(ids: list[int]) -> dict[int, tuple[str, Sequence[int]]]:
        return {e: (context[str(e)][0], context[str(e)][1]) for e in ids if str(e) in context}

    outcome = drawengine.run(
        drawengine.DrawInputs(
            plan_id=inputs.plan_id,
            strata=inputs.strata,
            pool=inputs.pool,
            plan_date=inputs.plan_date,
            window=inputs.window,
            team_size=inputs.team_size,
            entropy=value,
            algorithm_version=ALGORITHM_VERSION,
            announcement_hash=ahash,
        ),
        context_for,
    )
    draw = export["draw"]
    if outcome.seed != draw["seed"]:
        return f"seed {outcome.seed} != published {draw['seed']}"
    diff = drawengine._first_difference("result", outcome.result, export["result"])
    if diff:
        return diff
    if outcome.result_hash != draw["result_hash"]:
        return f"result hash {outcome.result_hash} != published {draw['result_hash']}"
    return None
