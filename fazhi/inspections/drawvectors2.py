"""Test vectors of protocol ``fazhi-draw/2`` (``docs/draw-vectors/v2-*.json``), computed by the
engine (``drawengine`` with version 2, ``drawv2``), like ``drawvectors`` for version 1."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fazhi.inspections import drawengine as engine
from fazhi.inspections import drawv2
from fazhi.inspections.drawvectors import _context_text, _officer, _ranking, task_steps

# drand quicknet round 123 and its signature (a real, BLS-valid value)
DRAND_ROUND = 123
DRAND_SIGNATURE = (
    "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482"
    "e26cd02df835d3546d23c4b13e0dfc92"
)


@dataclass(frozen=True)
class Witness:
    name: str
    salt: str
    secret: str
    revealed: bool = True


@dataclass(frozen=True)
class Scenario2:
    name: str
    description: str
    inputs: engine.DrawInputs
    context: Mapping[int, tuple[str, Sequence[int]]]
    published_at: str
    sources: Sequence[tuple[str, dict[str, Any], str]] = ()  # kind, event, value as typed
    witnesses: Sequence[Witness] = ()
    reveal_deadline: str | None = None
    names_public: str = "window_start"
    replaces: dict[str, str] | None = None
    server: str | None = None


def _salt(label: str) -> str:
    return hashlib.sha256(label.encode()).hexdigest()[:32]


def scenarios() -> list[Scenario2]:
    window = ("2026-03-01", "2026-11-30")
    shared = list(range(1001, 1013))
    out = [
        Scenario2(
            name="v2-01-public-events-witnesses",
            description="两个含相同对象的分层（分层独立排序），福彩3D与drand两个公开事件，"
            "两名见证人（一人未揭示），揭示截止时间",
            inputs=engine.DrawInputs(
                plan_id=21,
                strata=[
                    engine.Stratum(key="public-places", category=1, candidates=shared, quota=4),
                    engine.Stratum(
                        key="drinking-water", category=2, candidates=shared[2:], quota=4
                    ),
                ],
                pool=[
                    _officer(61, categories=(1, 2), conflicts=(1003,)),
                    _officer(62, categories=(1, 2)),
                    _officer(63, categories=(1,), regions=("1101",)),
                    _officer(64, categories=(2,), leaves=(window,)),
                    _officer(65, categories=(1, 2)),
                ],
                plan_date=window[0],
                window=window,
                team_size=2,
                algorithm_version=drawv2.ALGORITHM_VERSION,
            ),
            context={e: ("110105", (61, 62) if e == 1004 else ()) for e in shared},
            published_at="2023-08-20T01:00:00+00:00",
            sources=[
                ("cwl-3d", {"date": "2023-08-25", "period": "2023226"}, "０ 7 ９"),
                ("drand-quicknet", {"round": DRAND_ROUND}, DRAND_SIGNATURE.upper()),
            ],
            witnesses=[
                Witness("见证人甲", _salt("w1"), "红豆生南国 2026"),
                Witness("见证人乙", _salt("w2"), "b" * 32, revealed=False),
            ],
            reveal_deadline="2023-08-23T13:00:00+00:00",
        ),
        Scenario2(
            name="v2-02-server-routine",
            description="日常监督计划的服务器随机数：可复算，但不可公开验证",
            inputs=engine.DrawInputs(
                plan_id=22,
                strata=[
                    engine.Stratum(
                        key="routine",
                        category=1,
                        candidates=list(range(2001, 2009)),
                        ratio_bp=10000,
                    )
                ],
                pool=[_officer(i, categories=(1,)) for i in range(71, 74)],
                plan_date=window[0],
                window=window,
                team_size=2,
                algorithm_version=drawv2.ALGORITHM_VERSION,
            ),
            context={e: ("310101", ()) for e in range(2001, 2009)},
            published_at="2026-02-20T01:00:00+00:00",
            server=hashlib.sha256(b"vector-v2-2").hexdigest(),
        ),
        Scenario2(
            name="v2-03-replacement-weighted",
            description="经批准替换的公告（原因公开），体彩排列5，风险加权，三人小组，结果公示时公开名单",
            inputs=engine.DrawInputs(
                plan_id=23,
                strata=[
                    engine.Stratum(
                        key="clinics",
                        category=3,
                        candidates=list(range(3001, 3016)),
                        quota=4,
                        weighted=True,
                        weights=[1 + (e % 4) for e in range(3001, 3016)],
                    )
                ],
                pool=[_officer(i, categories=(3,), max_tasks=3) for i in range(81, 86)],
                plan_date=window[0],
                window=window,
                team_size=3,
                algorithm_version=drawv2.ALGORITHM_VERSION,
            ),
            context={e: ("440305", (81, 82, 83) if e % 3 == 0 else ()) for e in range(3001, 3016)},
            published_at="2026-02-20T01:00:00+00:00",
            sources=[("sports-pl5", {"date": "2026-02-28", "period": "26050"}, "1 2 3 4 5")],
            witnesses=[Witness("见证人", _salt("w3"), "c0ffee" * 5 + "ab")],
            reveal_deadline="2026-02-27T00:00:00+00:00",
            names_public="result_published",
            replaces={"hash": "7" * 64, "reason": "原公告的候选名单漏列一家新开业诊所"},
        ),
    ]
    return out


def build(s: Scenario2) -> dict[str, Any]:
    declared = [drawv2.declare_source(kind, event) for kind, event, _ in s.sources]
    values = [
        drawv2.source_value(d, raw) for d, (_, _, raw) in zip(declared, s.sources, strict=True)
    ]
    commitments = [drawv2.witness_commitment(w.salt, w.secret) for w in s.witnesses]
    reveals = [f"{w.salt}:{w.secret}" if w.revealed else None for w in s.witnesses]
    record = drawv2.entropy_record(
        sources=declared, values=values, commitments=commitments, reveals=reveals, server=s.server
    )
    entropy_value = drawv2.entropy_value(record)
    kind = drawv2.SERVER if s.server is not None else drawv2.PUBLIC_EVENT
    strata = sorted(s.inputs.strata, key=lambda x: x.key)
    params = s.inputs.params()
    phash = engine.pool_hash(s.inputs.pool)
    context_hashes = {x.key: engine.context_hash(x.candidates, s.context) for x in strata}
    meta = [
        {
            **x.params(),
            "count": len(x.candidates),
            "hash": x.hash(),
            "context_hash": context_hashes[x.key],
        }
        for x in strata
    ]
    announcement_fields: dict[str, Any] = {
        "algorithm": drawv2.ALGORITHM_VERSION,
        "entropy_kind": kind,
        "names_public": s.names_public,
        "params": params,
        "plan": s.inputs.plan_id,
        "pool": phash,
        "replaces": s.replaces,
        "reveal_deadline": s.reveal_deadline,
        "sources": declared,
        "strata": meta,
        "witnesses": commitments,
    }
    announcement_json = engine.canonical_json(announcement_fields)
    ahash = drawv2.announcement_hash(
        plan_id=s.inputs.plan_id,
        strata=meta,
        pool_hash_value=phash,
        params=params,
        entropy_kind=kind,
        sources=declared,
        commitments=commitments,
        reveal_deadline=s.reveal_deadline,
        names_public=s.names_public,
        replaces=s.replaces,
    )
    assert engine.sha256_hex(announcement_json) == ahash
    inputs = engine.DrawInputs(
        plan_id=s.inputs.plan_id,
        strata=s.inputs.strata,
        pool=s.inputs.pool,
        plan_date=s.inputs.plan_date,
        window=s.inputs.window,
        team_size=s.inputs.team_size,
        entropy=entropy_value,
        algorithm_version=drawv2.ALGORITHM_VERSION,
        announcement_hash=ahash,
    )
    outcome = engine.run(inputs, lambda ids: {e: s.context[e] for e in ids if e in s.context})
    seed_json = engine.canonical_json(
        {
            "algorithm": drawv2.ALGORITHM_VERSION,
            "announcement": ahash,
            "entropy": entropy_value,
            "lists": {x.key: x.hash() for x in strata},
            "params": params,
            "plan": s.inputs.plan_id,
            "pool": phash,
        }
    )
    assert engine.sha256_hex(seed_json) == outcome.seed
    seed = bytes.fromhex(outcome.seed)
    export = {
        "format": drawv2.EXPORT_FORMAT,
        "algorithm_version": drawv2.ALGORITHM_VERSION,
        "plan": {
            "id": s.inputs.plan_id,
            "title": f"测试向量 {s.name}",
            "organisation": "测试",
            "year": 2026,
        },
        "announcement": {
            "number": 1,
            "published_at": s.published_at,
            "hash": ahash,
            "entropy_kind": kind,
            "names_public": s.names_public,
            "replaces": s.replaces,
            "reveal_deadline": s.reveal_deadline,
            "sources": declared,
            "witnesses": commitments,
            "strata": meta,
            "pool_hash": phash,
            "context": {str(e): [d, sorted(t)] for e, (d, t) in sorted(s.context.items())},
        },
        "strata": [
            {
                "key": x.key,
                "category": x.category,
                "quota": x.quota,
                "ratio_bp": x.ratio_bp,
                "weighted": x.weighted,
                "candidates": list(x.candidates),
                "weights": list(x.weights) if x.weights is not None else None,
                "hash": x.hash(),
            }
            for x in strata
        ],
        "pool": sorted(s.inputs.pool, key=lambda o: o["id"]),
        "params": params,
        "entropy": {
            "kind": kind,
            "record": record,
            "value": entropy_value,
            "witness_names": [w.name for w in s.witnesses],
            "publicly_verifiable": kind != drawv2.SERVER,
        },
        "draw": {
            "number": 1,
            "state": "effective",
            "seed": outcome.seed,
            "result_hash": outcome.result_hash,
            "created_at": "2026-03-01T02:00:00+00:00",
            "reason": "",
        },
        "result": outcome.result,
    }
    problem = drawv2.verify_export(export, expect_announcement=ahash)
    assert problem is None, problem
    intermediate: dict[str, Any] = {
        "lists": {
            x.key: {
                "text": engine.list_text(x.candidates, x.weights if x.weighted else None),
                "sha256": x.hash(),
            }
            for x in strata
        },
        "pool": {"canonical_json": engine.canonical_json(export["pool"]), "sha256": phash},
        "context": {
            x.key: {"text": _context_text(x.candidates, s.context), "sha256": context_hashes[x.key]}
            for x in strata
        },
        "sources": [
            {"declaration": d, "typed": raw, "value": v}
            for d, (_, _, raw), v in zip(declared, s.sources, values, strict=True)
        ],
        "witnesses": [
            {
                "commitment_input": f"{drawv2.WITNESS_PREFIX}{w.salt}:{w.secret}",
                "commitment": c,
                "reveal": r,
            }
            for w, c, r in zip(s.witnesses, commitments, reveals, strict=True)
        ],
        "entropy": {
            "record_canonical_json": engine.canonical_json(record),
            "sha256": entropy_value,
        },
        "announcement": {"canonical_json": announcement_json, "sha256": ahash},
        "seed": {"canonical_json": seed_json, "sha256": outcome.seed},
        "stratum_sizes": {x.key: outcome.result["counts"][x.key][1] for x in strata},
        "ranking": {x.key: _ranking(seed, x, prefix=f"t:{x.key}:") for x in strata},
        "tasks": task_steps(seed, inputs, outcome),
        "result": {
            "canonical_json": engine.canonical_json(outcome.result),
            "sha256": outcome.result_hash,
        },
    }
    for x in strata:
        k = intermediate["stratum_sizes"][x.key]
        drawn = [e for key, e, _ in outcome.result["tasks"] if key == x.key]
        assert drawn == intermediate["ranking"][x.key]["ranked"][:k]
    return {
        "name": s.name,
        "description": s.description,
        "protocol": drawv2.ALGORITHM_VERSION,
        "export": export,
        "intermediate": intermediate,
    }
