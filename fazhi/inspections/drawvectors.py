"""Test vectors of the draw protocol (``docs/draw-vectors/``), computed by the engine itself.

Each vector is a complete export (``fazhi-draw-export/1``) of a small synthetic draw plus every
intermediate value the specification (``docs/draw-protocol.md``) names: the hashed texts and
their hashes, the seed's input, each candidate's ranking key, each task's permutation steps and
the result's canonical JSON. ``fazhi draw_vectors --check`` and the tests compare the committed
files with a fresh computation, so the engine cannot drift away from its published vectors.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fazhi.inspections import drawengine as engine

_U64 = 1 << 64


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    inputs: engine.DrawInputs
    context: Mapping[int, tuple[str, Sequence[int]]]
    entropy_kind: str
    entropy_spec: str
    witnesses: Sequence[tuple[str, str]] = ()
    announced_context: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _officer(
    officer_id: int,
    *,
    categories: Sequence[int] = (1,),
    regions: Sequence[str] = (),
    credentials: Sequence[tuple[str, str]] = (("2024-01-01", "2030-12-31"),),
    leaves: Sequence[tuple[str, str]] = (),
    conflicts: Sequence[int] = (),
    max_tasks: int | None = None,
) -> dict[str, Any]:
    return engine.pool_record(
        officer_id=officer_id,
        categories=categories,
        regions=regions,
        credentials=credentials,
        leaves=leaves,
        conflicts=conflicts,
        max_tasks=max_tasks,
    )


def _divisions(ids: Sequence[int], codes: Sequence[str]) -> dict[int, str]:
    return {e: codes[i % len(codes)] for i, e in enumerate(ids)}


def scenarios() -> list[Scenario]:
    window = ("2026-03-01", "2026-11-30")
    out: list[Scenario] = []

    # 1. quota and ratio strata, witnesses, regions, one conflict, pool exclusions
    a_ids = list(range(1001, 1021))
    b_ids = list(range(2001, 2014))
    divisions = _divisions(a_ids + b_ids, ["440103", "440104", "440305"])
    out.append(
        Scenario(
            name="v1-01-quota-ratio-witnesses",
            description="两个分层（定额、比例），见证人承诺—揭示，区域限制、回避、证件失效与请假",
            inputs=engine.DrawInputs(
                plan_id=7,
                strata=[
                    engine.Stratum(key="public-places", category=1, candidates=a_ids, quota=4),
                    engine.Stratum(
                        key="drinking-water", category=2, candidates=b_ids, ratio_bp=1500
                    ),
                ],
                pool=[
                    _officer(11, categories=(1, 2), regions=("4401",), conflicts=(1004, 1019)),
                    _officer(12, categories=(1, 2)),
                    _officer(13, categories=(1,), regions=("440103", "440305")),
                    _officer(14, categories=(2,), regions=("4401",)),
                    _officer(15, categories=(1, 2), credentials=(("2020-01-01", "2025-12-31"),)),
                    _officer(16, categories=(1, 2), leaves=(window,)),
                    _officer(17, categories=(1, 2), regions=("4403",)),
                    _officer(18, categories=(2,)),
                ],
                plan_date=window[0],
                window=window,
                team_size=2,
            ),
            context={e: (divisions[e], ()) for e in a_ids + b_ids},
            entropy_kind="witnesses",
            entropy_spec="",
            witnesses=[("见证人甲", "红豆 2026"), ("见证人乙", "blue-sky-42")],
        )
    )

    # 2. weighted stratum (risk grades as weights), ratio rounding up, a public number
    w_ids = list(range(3001, 3031))
    weights = {e: 1 + (e * 7) % 4 for e in w_ids}
    out.append(
        Scenario(
            name="v1-02-weighted-public-number",
            description="风险加权分层（权重1～4），比例向上取整，事先公告的公开号码",
            inputs=engine.DrawInputs(
                plan_id=8,
                strata=[
                    engine.Stratum(
                        key="clinics",
                        category=3,
                        candidates=w_ids,
                        ratio_bp=1250,
                        weighted=True,
                        weights=[weights[e] for e in w_ids],
                    ),
                ],
                pool=[_officer(i, categories=(3,)) for i in range(21, 27)],
                plan_date=window[0],
                window=window,
                team_size=2,
            ),
            context={e: ("110105", ()) for e in w_ids},
            entropy_kind="public_number",
            entropy_spec="中国福利彩票3D 2026年第001期开奖号码",
            extra={"entropy_value": engine.normalise_public_number("３, 0 7")},
        )
    )

    # 3. teams of three: workload cap, same team refused and taken back, shortfalls
    c_ids = list(range(4001, 4009))
    last_teams: dict[int, tuple[int, ...]] = {4001: (31, 32, 33), 4002: (31, 32, 34)}
    for e in c_ids[2:]:
        last_teams[e] = (31, 33, 34)
    out.append(
        Scenario(
            name="v1-03-teams-of-three-constraints",
            description="三人小组：工作量上限、避免同一小组（无法避免时沿用）、人员不足、定额超过候选数、空分层、未设定额或比例",
            inputs=engine.DrawInputs(
                plan_id=9,
                strata=[
                    engine.Stratum(key="a-schools", category=4, candidates=c_ids, quota=6),
                    engine.Stratum(key="b-pools", category=5, candidates=[5001, 5002], quota=3),
                    engine.Stratum(key="c-empty", category=4, candidates=[], quota=2),
                    engine.Stratum(key="d-unset", category=4, candidates=[6001, 6002]),
                ],
                pool=[
                    _officer(31, categories=(4,), max_tasks=5),
                    _officer(32, categories=(4,), max_tasks=2),
                    _officer(33, categories=(4, 5), conflicts=(4001, 4003, 4004)),
                    _officer(34, categories=(4, 5)),
                ],
                plan_date=window[0],
                window=window,
                team_size=3,
            ),
            context={
                e: ("320102", tuple(last_teams.get(e, ())))
                for e in [*c_ids, 5001, 5002, 6001, 6002]
            },
            entropy_kind="witnesses",
            entropy_spec="",
            witnesses=[("见证人", "一二三")],
        )
    )

    # 4. server randomness: reproducible, not publicly verifiable
    s_ids = list(range(7001, 7011))
    out.append(
        Scenario(
            name="v1-04-server-randomness",
            description="服务器随机数（内部抽取）：可复算，但不可公开验证",
            inputs=engine.DrawInputs(
                plan_id=10,
                strata=[engine.Stratum(key="routine", category=1, candidates=s_ids, quota=3)],
                pool=[_officer(i, categories=(1,)) for i in range(41, 45)],
                plan_date=window[0],
                window=window,
                team_size=1,
            ),
            context={e: ("510104", (41,) if e == 7003 else ()) for e in s_ids},
            entropy_kind="server",
            entropy_spec="服务器随机数（内部抽取，不可公开验证）",
            extra={"entropy_value": hashlib.sha256(b"vector-4").hexdigest()},
        )
    )

    # 5. an announcement made before the context was fixed: the result carries it
    l_ids = list(range(8001, 8016))
    out.append(
        Scenario(
            name="v1-05-without-announced-context",
            description="公告未固定背景信息的早期抽取：背景信息取自结果",
            inputs=engine.DrawInputs(
                plan_id=11,
                strata=[engine.Stratum(key="legacy", category=1, candidates=l_ids, quota=5)],
                pool=[_officer(i, categories=(1,), regions=("33",)) for i in range(51, 56)],
                plan_date=window[0],
                window=window,
                team_size=2,
            ),
            context={e: ("330106", (51, 52) if e % 2 else ()) for e in l_ids},
            entropy_kind="witnesses",
            entropy_spec="",
            witnesses=[("甲", "s1-legacy"), ("乙", "s2-legacy")],
            announced_context=False,
        )
    )
    return out


# --- one vector ----------------------------------------------------------------------------------


def _entropy(s: Scenario) -> tuple[str, list[dict[str, Any]]]:
    if s.entropy_kind == "witnesses":
        witnesses = [
            {"name": name, "commitment": engine.witness_commitment(secret), "secret": secret}
            for name, secret in s.witnesses
        ]
        return engine.witness_entropy([secret for _, secret in s.witnesses]), witnesses
    return str(s.extra["entropy_value"]), []


def _context_text(ids: Sequence[int], context: Mapping[int, tuple[str, Sequence[int]]]) -> str:
    lines = []
    for e in sorted(ids):
        division, team = context.get(e, ("", ()))
        lines.append(f"{e}:{division}:{','.join(map(str, sorted(team)))}\n")
    return "".join(lines)


def _key_hex(seed: bytes, message: str) -> str:
    return hashlib.blake2b(message.encode("utf-8"), key=seed, digest_size=8).hexdigest()


def _ranking(seed: bytes, stratum: engine.Stratum, prefix: str = "t:") -> dict[str, Any]:
    weights = stratum.weights if stratum.weighted and stratum.weights is not None else None
    keys = []
    for index, entity in enumerate(stratum.candidates):
        w = max(1, int(weights[index])) if weights is not None else 1
        parts = [_key_hex(seed, f"{prefix}{entity}:{j}") for j in range(w)]
        entry: dict[str, Any] = {"id": entity, "key": min(parts)}
        if weights is not None:
            entry["weight"] = int(weights[index])
            entry["keys"] = parts
        keys.append(entry)
    ranked = [e["id"] for e in sorted(keys, key=lambda e: (e["key"], e["id"]))]
    return {"keys": keys, "ranked": ranked}


def _permutation_steps(seed: bytes, label: str, n: int) -> list[dict[str, Any]]:
    """Every step of the lazy Fisher–Yates permutation, with the hash values it consumed."""
    steps = []
    swaps: dict[int, int] = {}
    for j in range(n):
        m = n - j
        limit = _U64 - (_U64 % m)
        counter = 0
        rejected = []
        while True:
            digest = _key_hex(seed, f"{label}:{j}:{counter}")
            value = int(digest, 16)
            if value < limit:
                break
            rejected.append(digest)
            counter += 1
        r = j + value % m
        picked = swaps.get(r, r)
        swaps[r] = swaps.get(j, j)
        step: dict[str, Any] = {"j": j, "hash": digest, "r": r, "index": picked}
        if rejected:
            step["rejected"] = rejected
        steps.append(step)
    return steps


def task_steps(
    seed: bytes, inputs: engine.DrawInputs, outcome: engine.DrawOutcome
) -> list[dict[str, Any]]:
    """Every task's eligible officers, permutation label, steps and visit order."""
    strata = sorted(inputs.strata, key=lambda x: x.key)
    tasks = []
    for key, entity, _team in outcome.result["tasks"]:
        stratum = next(x for x in strata if x.key == key)
        division = outcome.result["context"][str(entity)][0]
        eligible = [
            o["id"]
            for o in sorted(inputs.pool, key=lambda o: o["id"])
            if str(o["id"]) not in outcome.result["pool_excluded"]
            and stratum.category in o["categories"]
            and (not o["regions"] or any(division.startswith(r) for r in o["regions"]))
        ]
        label = f"a:{key}:{entity}"
        steps = _permutation_steps(seed, label, len(eligible))
        order = list(engine.lazy_permutation(seed, label, len(eligible)))
        assert [st["index"] for st in steps] == order
        tasks.append(
            {
                "task": f"{key}:{entity}",
                "eligible": eligible,
                "label": label,
                "steps": steps,
                "visit_order": [eligible[i] for i in order],
            }
        )
    return tasks


def build(s: Scenario) -> dict[str, Any]:
    """The vector of one scenario: its export and every intermediate value."""
    entropy_value, witnesses = _entropy(s)
    inputs = engine.DrawInputs(
        plan_id=s.inputs.plan_id,
        strata=s.inputs.strata,
        pool=s.inputs.pool,
        plan_date=s.inputs.plan_date,
        window=s.inputs.window,
        team_size=s.inputs.team_size,
        entropy=entropy_value,
    )
    strata = sorted(inputs.strata, key=lambda x: x.key)
    params = inputs.params()
    phash = engine.pool_hash(inputs.pool)
    context_hashes = {x.key: engine.context_hash(x.candidates, s.context) for x in strata}
    meta = [
        {
            **x.params(),
            "count": len(x.candidates),
            "hash": x.hash(),
            **({"context_hash": context_hashes[x.key]} if s.announced_context else {}),
        }
        for x in strata
    ]
    commitments = [w["commitment"] for w in witnesses]
    announcement_json = engine.canonical_json(
        {
            "algorithm": inputs.algorithm_version,
            "commitments": commitments,
            "entropy_kind": s.entropy_kind,
            "entropy_spec": s.entropy_spec,
            "params": params,
            "plan": inputs.plan_id,
            "pool": phash,
            "strata": meta,
        }
    )
    ahash = engine.announcement_hash(
        plan_id=inputs.plan_id,
        algorithm_version=inputs.algorithm_version,
        strata=meta,
        pool_hash_value=phash,
        params=params,
        entropy_kind=s.entropy_kind,
        entropy_spec=s.entropy_spec,
        commitments=commitments,
    )
    assert engine.sha256_hex(announcement_json) == ahash

    def context_for(ids: list[int]) -> dict[int, tuple[str, Sequence[int]]]:
        return {e: s.context[e] for e in ids if e in s.context}

    outcome = engine.run(inputs, context_for)
    seed_json = engine.canonical_json(
        {
            "algorithm": inputs.algorithm_version,
            "entropy": entropy_value,
            "lists": {x.key: x.hash() for x in strata},
            "params": params,
            "plan": inputs.plan_id,
            "pool": phash,
        }
    )
    assert engine.sha256_hex(seed_json) == outcome.seed
    seed = bytes.fromhex(outcome.seed)
    announced = {str(e): [d, sorted(t)] for e, (d, t) in sorted(s.context.items())}
    export = {
        "format": engine.EXPORT_FORMAT,
        "algorithm_version": inputs.algorithm_version,
        "plan": {
            "id": inputs.plan_id,
            "title": f"测试向量 {s.name}",
            "organisation": "测试",
            "year": 2026,
        },
        "announcement": {
            "number": 1,
            "published_at": "2026-02-20T09:00:00+08:00",
            "hash": ahash,
            "entropy_kind": s.entropy_kind,
            "entropy_spec": s.entropy_spec,
            "strata": meta,
            "pool_hash": phash,
            **({"context": announced} if s.announced_context else {}),
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
        "pool": sorted(inputs.pool, key=lambda o: o["id"]),
        "params": params,
        "entropy": {
            "kind": s.entropy_kind,
            "spec": s.entropy_spec,
            "value": entropy_value,
            "witnesses": witnesses,
            "publicly_verifiable": s.entropy_kind != "server",
        },
        "draw": {
            "number": 1,
            "state": "effective",
            "seed": outcome.seed,
            "result_hash": outcome.result_hash,
            "created_at": "2026-03-01T10:00:00+08:00",
            "reason": "",
        },
        "result": outcome.result,
    }
    problem = engine.verify_export(export)
    assert problem is None, problem

    tasks = task_steps(seed, inputs, outcome)
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
        "params": {"canonical_json": engine.canonical_json(params)},
        "announcement": {"canonical_json": announcement_json, "sha256": ahash},
        "entropy": {"value": entropy_value, "commitments": commitments},
        "seed": {"canonical_json": seed_json, "sha256": outcome.seed},
        "stratum_sizes": {x.key: outcome.result["counts"][x.key][1] for x in strata},
        "ranking": {x.key: _ranking(seed, x) for x in strata},
        "tasks": tasks,
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
        "protocol": engine.ALGORITHM_VERSION,
        "export": export,
        "intermediate": intermediate,
    }


def blake2b_vectors() -> dict[str, Any]:
    """Keyed BLAKE2b-64 as the protocol uses it, and RFC 7693's own example (BLAKE2b-512 of
    "abc"), for anyone writing their own BLAKE2b."""
    seed = hashlib.sha256(b"fazhi").digest()
    keyed = []
    for message in ["t:1:0", "t:1001:3", "a:public-places:1001:0:0", "a:分层:9:1:2", ""]:
        keyed.append(
            {
                "key": seed.hex(),
                "message_utf8": message,
                "digest_size": 8,
                "digest": _key_hex(seed, message),
            }
        )
    long_message = "x" * 300
    keyed.append(
        {
            "key": seed.hex(),
            "message_utf8": long_message,
            "digest_size": 8,
            "digest": _key_hex(seed, long_message),
        }
    )
    return {
        "description": "BLAKE2b 测试向量：协议使用的带密钥64位摘要，以及 RFC 7693 附录A的示例",
        "rfc7693": {
            "message_utf8": "abc",
            "digest_size": 64,
            "digest": hashlib.blake2b(b"abc").hexdigest(),
        },
        "unkeyed": [
            {
                "message_utf8": m,
                "digest_size": 64,
                "digest": hashlib.blake2b(m.encode()).hexdigest(),
            }
            for m in ["", "abc", "y" * 128, "z" * 129]
        ],
        "keyed": keyed,
    }


def render(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def files() -> dict[str, str]:
    """File name → content of every vector file under ``docs/draw-vectors/``."""
    from fazhi.inspections import drawvectors2

    out = {f"{s.name}.json": render(build(s)) for s in scenarios()}
    out.update({f"{s.name}.json": render(drawvectors2.build(s)) for s in drawvectors2.scenarios()})
    out["blake2b.json"] = render(blake2b_vectors())
    return out


def differences(directory: Path, produce: Callable[[], dict[str, str]] = files) -> list[str]:
    """Names of the vector files that are missing, stale or extra in ``directory``."""
    expected = produce()
    found = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    out = []
    for name, content in sorted(expected.items()):
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            out.append(name)
    out.extend(sorted(found - set(expected)))
    return out
