#!/usr/bin/env python3
"""Verify a Fazhi draw from its published export, with nothing but Python's standard library.

    python3 verify_draw.py export.json [--expect-announcement HASH]

Written from the protocol's specification (docs/draw-protocol.md, also at
/public/downloads/draw-protocol.md), not from Fazhi's code, and independent of it: it recomputes
every candidate-list hash, the pool hash, the context hashes, the witnesses' commitments, the
announcement hash, the seed, the targets, the inspector teams with every constraint and skip,
and the result hash, and compares each with the export.

Give the announcement hash you copied before the draw (from the posted announcement, a newspaper
or a witness) with --expect-announcement: without it, an export rewritten consistently from
start to end cannot be told from the real one.

Exit status: 0 verified, 1 a check failed, 2 unusable input. A draw that used server randomness
is reported "not publicly verifiable" even when every check passes.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from typing import Any

EXPORT_FORMAT = "fazhi-draw-export/1"
ALGORITHM = "fazhi-draw/1"
U64 = 1 << 64


class Mismatch(Exception):
    """A check failed; the message says which, in words."""


# --- primitives (specification section 1) ---------------------------------------------------


def cj(value: Any) -> str:
    """Canonical JSON (section 1.1)."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _no_floats(value: Any) -> None:
    if isinstance(value, float):
        raise Mismatch(f"a floating-point number ({value!r}) has no canonical form")
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bkey(seed: bytes, message: str) -> int:
    digest = hashlib.blake2b(message.encode("utf-8"), key=seed, digest_size=8).digest()
    return int.from_bytes(digest, "big")


# --- hashed structures (section 2) ------------------------------------------------------------

STRATUM_PARAMS = ("category", "key", "quota", "ratio_bp", "weighted")


def stratum_params(s: dict[str, Any]) -> dict[str, Any]:
    return {name: s[name] for name in STRATUM_PARAMS}


def weights_of(s: dict[str, Any]) -> list[int] | None:
    return s["weights"] if s["weighted"] and s["weights"] is not None else None


def list_text(s: dict[str, Any]) -> str:
    weights = weights_of(s)
    if weights is None:
        return "".join(f"{i}\n" for i in s["candidates"])
    if len(weights) != len(s["candidates"]):
        raise Mismatch(f"stratum {s['key']}: {len(weights)} weights for {len(s['candidates'])}")
    return "".join(f"{i}:{w}\n" for i, w in zip(s["candidates"], weights, strict=True))


def context_text(candidates: list[int], context: dict[str, Any]) -> str:
    lines = []
    for entity in sorted(candidates):
        division, team = context.get(str(entity), ["", []])
        lines.append(f"{entity}:{division}:{','.join(str(o) for o in sorted(team))}\n")
    return "".join(lines)


def params_of(export: dict[str, Any]) -> dict[str, Any]:
    p = export["params"]
    return {
        "plan_date": p["plan_date"],
        "strata": [stratum_params(s) for s in sorted(export["strata"], key=lambda s: s["key"])],
        "team_size": p["team_size"],
        "window": [p["window"][0], p["window"][1]],
    }


# --- the draw (sections 3 to 5) ---------------------------------------------------------------


def stratum_size(s: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    n = len(s["candidates"])
    if n == 0:
        return 0, {"code": "no_candidates", "candidates": 0}
    if s["quota"] is not None:
        if s["quota"] > n:
            return n, {"code": "quota_exceeds_candidates", "candidates": n, "quota": s["quota"]}
        return s["quota"], None
    if s["ratio_bp"] is not None:
        return min(n, (n * s["ratio_bp"] + 9999) // 10000), None
    return 0, {"code": "no_quota_or_ratio", "candidates": n}


def ranked(seed: bytes, s: dict[str, Any]) -> list[int]:
    weights = weights_of(s) or [1] * len(s["candidates"])
    pairs = []
    for entity, weight in zip(s["candidates"], weights, strict=True):
        key = min(bkey(seed, f"t:{entity}:{i}") for i in range(max(1, weight)))
        pairs.append((key, entity))
    return [entity for _, entity in sorted(pairs)]


def uniform(seed: bytes, label: str, j: int, m: int) -> int:
    limit = U64 - (U64 % m)
    counter = 0
    while True:
        value = bkey(seed, f"{label}:{j}:{counter}")
        if value < limit:
            return value % m
        counter += 1


def visit_order(seed: bytes, label: str, m: int) -> Any:
    swaps: dict[int, int] = {}
    for j in range(m):
        r = j + uniform(seed, label, j, m - j)
        picked = swaps.get(r, r)
        swaps[r] = swaps.get(j, j)
        yield picked


def draw(export: dict[str, Any], seed: bytes, context: dict[str, Any]) -> dict[str, Any]:
    params = export["params"]
    team_size = params["team_size"]
    plan_date = params["plan_date"]
    start, end = params["window"]

    drawn: list[tuple[dict[str, Any], int]] = []
    counts: dict[str, list[int]] = {}
    infeasible_strata: dict[str, Any] = {}
    for s in sorted(export["strata"], key=lambda s: s["key"]):
        k, problem = stratum_size(s)
        picked = ranked(seed, s)[:k] if k > 0 else []
        counts[s["key"]] = [len(s["candidates"]), len(picked)]
        if problem is not None:
            infeasible_strata[s["key"]] = problem
        drawn.extend((s, entity) for entity in picked)

    used_context: dict[str, Any] = {}
    for entity in sorted({e for _, e in drawn}):
        division, team = context.get(str(entity), ["", []])
        used_context[str(entity)] = [division, sorted(team)]

    excluded: dict[str, str] = {}
    usable = []
    for officer in sorted(export["pool"], key=lambda o: o["id"]):
        if not any(a <= plan_date <= b for a, b in officer["credentials"]):
            excluded[str(officer["id"])] = "credential_invalid"
        elif any(a <= end and start <= b for a, b in officer["leaves"]):
            excluded[str(officer["id"])] = "on_leave"
        else:
            usable.append(officer)

    load: dict[int, int] = {}
    tasks: list[list[Any]] = []
    skips: dict[str, list[list[Any]]] = {}
    infeasible_tasks: dict[str, Any] = {}
    for s, entity in drawn:
        division, last = used_context[str(entity)]
        last_set = set(last)
        eligible = [
            o
            for o in usable
            if s["category"] in o["categories"]
            and (not o["regions"] or any(division.startswith(r) for r in o["regions"]))
        ]
        label = f"a:{s['key']}:{entity}"
        team: list[int] = []
        skipped: list[list[Any]] = []
        fallback = None
        for index in visit_order(seed, label, len(eligible)):
            officer = eligible[index]
            oid = officer["id"]
            if entity in officer["conflicts"]:
                skipped.append([oid, "conflict"])
            elif officer["max_tasks"] is not None and load.get(oid, 0) >= officer["max_tasks"]:
                skipped.append([oid, "workload_cap"])
            elif (
                len(last_set) == team_size
                and len(team) == team_size - 1
                and set(team) | {oid} == last_set
            ):
                skipped.append([oid, "same_team"])
                if fallback is None:
                    fallback = oid
            else:
                team.append(oid)
                if len(team) == team_size:
                    break
        if len(team) == team_size - 1 and fallback is not None:
            team.append(fallback)
            skipped.append([fallback, "same_team_unavoidable"])
        task_key = f"{s['key']}:{entity}"
        if skipped:
            skips[task_key] = skipped
        if len(team) < team_size:
            infeasible_tasks[task_key] = {
                "code": "not_enough_inspectors",
                "eligible": len(eligible),
                "found": len(team),
                "needed": team_size,
            }
            team = []
        for oid in team:
            load[oid] = load.get(oid, 0) + 1
        tasks.append([s["key"], entity, team])

    return {
        "context": used_context,
        "counts": counts,
        "infeasible": {"strata": infeasible_strata, "tasks": infeasible_tasks},
        "pool_excluded": excluded,
        "skips": skips,
        "tasks": tasks,
    }


def first_difference(path: str, expected: Any, found: Any) -> str | None:
    if type(expected) is not type(found):
        return f"{path}: published {found!r}, recomputed {expected!r}"
    if isinstance(expected, dict):
        for key in sorted(set(expected) | set(found)):
            if key not in found:
                return f"{path}.{key}: missing from the published result"
            if key not in expected:
                return f"{path}.{key}: published but not produced by the recomputation"
            diff = first_difference(f"{path}.{key}", expected[key], found[key])
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        for index, (a, b) in enumerate(zip(expected, found, strict=False)):
            diff = first_difference(f"{path}[{index}]", a, b)
            if diff:
                return diff
        if len(expected) != len(found):
            return f"{path}: published {len(found)} entries, recomputed {len(expected)}"
        return None
    if expected != found:
        return f"{path}: published {found!r}, recomputed {expected!r}"
    return None


# --- verification (section 7) -----------------------------------------------------------------


def verify(export: dict[str, Any], expect_announcement: str | None = None) -> list[str]:
    """Raise Mismatch on the first failed check; return the notes of a verified draw."""
    if export.get("format") != EXPORT_FORMAT:
        raise Mismatch(f"unsupported export format {export.get('format')!r}")
    if export.get("algorithm_version") != ALGORITHM:
        raise Mismatch(f"unsupported algorithm version {export.get('algorithm_version')!r}")
    announcement = export["announcement"]
    announced = {m["key"]: m for m in announcement["strata"]}
    strata = sorted(export["strata"], key=lambda s: s["key"])
    keys = [s["key"] for s in strata]
    if len(set(keys)) != len(keys) or set(keys) != set(announced):
        raise Mismatch("the strata differ from the announcement")
    list_hashes = {}
    for s in strata:
        ids = s["candidates"]
        if any(b <= a for a, b in itertools.pairwise(ids)):
            raise Mismatch(f"stratum {s['key']}: candidate list is not strictly ascending")
        digest = sha(list_text(s))
        meta = announced[s["key"]]
        if digest != meta["hash"]:
            raise Mismatch(f"stratum {s['key']}: list hash {digest} != announced {meta['hash']}")
        if s.get("hash", digest) != digest:
            raise Mismatch(f"stratum {s['key']}: list hash {digest} != published {s['hash']}")
        if len(ids) != meta["count"]:
            raise Mismatch(
                f"stratum {s['key']}: {len(ids)} candidates != announced {meta['count']}"
            )
        list_hashes[s["key"]] = digest
    pool_hash = sha(cj(sorted(export["pool"], key=lambda o: o["id"])))
    if pool_hash != announcement["pool_hash"]:
        raise Mismatch(f"pool hash {pool_hash} != announced {announcement['pool_hash']}")

    entropy = export["entropy"]
    kind = entropy["kind"]
    if kind != announcement["entropy_kind"]:
        raise Mismatch("entropy kind differs from the announcement")
    witnesses = entropy.get("witnesses") or []
    if kind == "witnesses":
        for w in witnesses:
            if not isinstance(w.get("secret"), str) or sha(w["secret"]) != w["commitment"]:
                raise Mismatch(f"witness {w.get('name')}: reveal does not match its commitment")
        if cj([w["secret"] for w in witnesses]) != entropy["value"]:
            raise Mismatch("entropy value is not the witnesses' reveals")

    params = params_of(export)
    if cj(params) != cj(export["params"]):
        raise Mismatch(
            first_difference("params", params, export["params"]) or "params differ in form"
        )

    strata_meta = []
    for s in strata:
        meta = {**stratum_params(s), "count": len(s["candidates"]), "hash": list_hashes[s["key"]]}
        if "context_hash" in announced[s["key"]]:
            meta["context_hash"] = announced[s["key"]]["context_hash"]
        strata_meta.append(meta)
    announcement_hash = sha(
        cj(
            {
                "algorithm": ALGORITHM,
                "commitments": [w["commitment"] for w in witnesses],
                "entropy_kind": kind,
                "entropy_spec": announcement["entropy_spec"],
                "params": params,
                "plan": export["plan"]["id"],
                "pool": pool_hash,
                "strata": strata_meta,
            }
        )
    )
    if announcement_hash != announcement["hash"]:
        raise Mismatch(f"announcement hash {announcement_hash} != published {announcement['hash']}")
    if expect_announcement is not None and announcement_hash != expect_announcement.lower():
        raise Mismatch(
            f"announcement hash {announcement_hash} != expected {expect_announcement} "
            "(the copy taken before the draw)"
        )

    announced_context = announcement.get("context")
    for s in strata:
        expected = announced[s["key"]].get("context_hash")
        if expected is None:
            continue
        if announced_context is None:
            raise Mismatch("the export lacks the announced context")
        if sha(context_text(s["candidates"], announced_context)) != expected:
            raise Mismatch(f"stratum {s['key']}: context hash differs from the announcement")
    context = (
        announced_context if announced_context is not None else export["result"].get("context", {})
    )

    seed_hex = sha(
        cj(
            {
                "algorithm": ALGORITHM,
                "entropy": entropy["value"],
                "lists": list_hashes,
                "params": params,
                "plan": export["plan"]["id"],
                "pool": pool_hash,
            }
        )
    )
    if seed_hex != export["draw"]["seed"]:
        raise Mismatch(f"seed {seed_hex} != published {export['draw']['seed']}")
    result = draw(export, bytes.fromhex(seed_hex), context)
    diff = first_difference("result", result, export["result"])
    if diff:
        raise Mismatch(diff)
    result_hash = sha(cj(result))
    if result_hash != export["draw"]["result_hash"]:
        raise Mismatch(f"result hash {result_hash} != published {export['draw']['result_hash']}")

    notes = []
    if kind == "server":
        notes.append(
            "not publicly verifiable (不可公开验证): the draw used server randomness, which "
            "nobody outside could fix in advance"
        )
    elif kind == "public_number":
        notes.append(
            f"compare the public number {entropy['value']} with the official result of: "
            f"{announcement['entropy_spec']}"
        )
    if expect_announcement is None:
        notes.append(
            "no --expect-announcement given: compare the announcement hash "
            f"{announcement_hash} with the copy published before the draw"
        )
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Fazhi draw export (standard library).")
    parser.add_argument("export", help="export JSON file ('-' for standard input)")
    parser.add_argument(
        "--expect-announcement",
        metavar="HASH",
        help="the announcement hash published before the draw; fail when it differs",
    )
    args = parser.parse_args(argv)
    try:
        if args.export == "-":
            export = json.load(sys.stdin)
        else:
            with open(args.export, encoding="utf-8") as fh:
                export = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"cannot read export: {exc}")
        return 2
    if not isinstance(export, dict):
        print("cannot read export: not a JSON object")
        return 2
    try:
        notes = verify(export, args.expect_announcement)
    except Mismatch as exc:
        print(f"MISMATCH: {exc}")
        return 1
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        print(f"malformed export: {type(exc).__name__}: {exc}")
        return 1
    draw_info = export["draw"]
    verdict = "OK" if export["entropy"]["kind"] != "server" else "OK (not publicly verifiable)"
    print(
        f"{verdict} plan {export['plan']['id']} draw {draw_info.get('number')}: "
        f"{len(export['result']['tasks'])} tasks, announcement {export['announcement']['hash']}, "
        f"seed {draw_info['seed']}, result hash {draw_info['result_hash']}"
    )
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
