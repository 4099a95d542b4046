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

Both protocol versions are checked: fazhi-draw/1 (export fazhi-draw-export/1) and fazhi-draw/2
(export fazhi-draw-export/2: declared public events and their instants, salted witnesses, the
entropy record). A drand value's BLS signature is not checked here (that needs pairing
arithmetic): the script prints the drand mirror address to compare it with.

Exit status: 0 verified, 1 a check failed, 2 unusable input. A draw that used server randomness
is reported "not publicly verifiable" even when every check passes. One file on purpose: it is
downloaded from the portal and run as is.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import itertools
import json
import sys
from typing import Any

EXPORT_FORMAT = "fazhi-draw-export/1"
ALGORITHM = "fazhi-draw/1"
EXPORT_FORMAT_2 = "fazhi-draw-export/2"
ALGORITHM_2 = "fazhi-draw/2"
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


def ranked(seed: bytes, s: dict[str, Any], version: str) -> list[int]:
    """Version 1 ranks by ``t:<id>:<i>``, version 2 by ``t:<stratum key>:<id>:<i>``."""
    prefix = "t:" if version == ALGORITHM else f"t:{s['key']}:"
    weights = weights_of(s) or [1] * len(s["candidates"])
    pairs = []
    for entity, weight in zip(s["candidates"], weights, strict=True):
        key = min(bkey(seed, f"{prefix}{entity}:{i}") for i in range(max(1, weight)))
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


def draw(
    export: dict[str, Any], seed: bytes, context: dict[str, Any], version: str = "fazhi-draw/1"
) -> dict[str, Any]:
    params = export["params"]
    team_size = params["team_size"]
    plan_date = params["plan_date"]
    start, end = params["window"]

    drawn: list[tuple[dict[str, Any], int]] = []
    counts: dict[str, list[int]] = {}
    infeasible_strata: dict[str, Any] = {}
    for s in sorted(export["strata"], key=lambda s: s["key"]):
        k, problem = stratum_size(s)
        picked = ranked(seed, s, version)[:k] if k > 0 else []
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
    version = export.get("algorithm_version")
    if version == ALGORITHM and export.get("format") == EXPORT_FORMAT:
        return verify_v1(export, expect_announcement)
    if version == ALGORITHM_2 and export.get("format") == EXPORT_FORMAT_2:
        return verify_v2(export, expect_announcement)
    raise Mismatch(
        f"unsupported export format {export.get('format')!r} / algorithm version {version!r}"
    )


def check_inputs(
    export: dict[str, Any],
) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, str], str, dict[str, Any]]:
    """Strata, announced strata, list hashes, pool hash and params, checked (section 7, 2-5)."""
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
    params = params_of(export)
    if cj(params) != cj(export["params"]):
        raise Mismatch(
            first_difference("params", params, export["params"]) or "params differ in form"
        )
    return strata, announced, list_hashes, pool_hash, params


def strata_meta(
    strata: list[dict[str, Any]], announced: dict[str, Any], list_hashes: dict[str, str]
) -> list[dict[str, Any]]:
    out = []
    for s in strata:
        meta = {**stratum_params(s), "count": len(s["candidates"]), "hash": list_hashes[s["key"]]}
        if "context_hash" in announced[s["key"]]:
            meta["context_hash"] = announced[s["key"]]["context_hash"]
        out.append(meta)
    return out


def check_expected(announcement_hash: str, expect_announcement: str | None) -> None:
    if expect_announcement is not None and announcement_hash != expect_announcement.lower():
        raise Mismatch(
            f"announcement hash {announcement_hash} != expected {expect_announcement} "
            "(the copy taken before the draw)"
        )


def check_context(
    strata: list[dict[str, Any]], announced: dict[str, Any], announced_context: Any
) -> None:
    for s in strata:
        expected = announced[s["key"]].get("context_hash")
        if expected is None:
            continue
        if announced_context is None:
            raise Mismatch("the export lacks the announced context")
        if sha(context_text(s["candidates"], announced_context)) != expected:
            raise Mismatch(f"stratum {s['key']}: context hash differs from the announcement")


def check_result(export: dict[str, Any], seed_hex: str, context: Any, version: str) -> None:
    if seed_hex != export["draw"]["seed"]:
        raise Mismatch(f"seed {seed_hex} != published {export['draw']['seed']}")
    result = draw(export, bytes.fromhex(seed_hex), context, version)
    diff = first_difference("result", result, export["result"])
    if diff:
        raise Mismatch(diff)
    result_hash = sha(cj(result))
    if result_hash != export["draw"]["result_hash"]:
        raise Mismatch(f"result hash {result_hash} != published {export['draw']['result_hash']}")


def verify_v1(export: dict[str, Any], expect_announcement: str | None) -> list[str]:
    announcement = export["announcement"]
    strata, announced, list_hashes, pool_hash, params = check_inputs(export)
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
                "strata": strata_meta(strata, announced, list_hashes),
            }
        )
    )
    if announcement_hash != announcement["hash"]:
        raise Mismatch(f"announcement hash {announcement_hash} != published {announcement['hash']}")
    check_expected(announcement_hash, expect_announcement)
    announced_context = announcement.get("context")
    check_context(strata, announced, announced_context)
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
    check_result(export, seed_hex, context, ALGORITHM)

    notes = []
    if kind == "server":
        notes.append(NOT_PUBLIC)
    elif kind == "public_number":
        notes.append(
            f"compare the public number {entropy['value']} with the official result of: "
            f"{announcement['entropy_spec']}"
        )
    if expect_announcement is None:
        notes.append(no_expected_note(announcement_hash))
    return notes


NOT_PUBLIC = (
    "not publicly verifiable (不可公开验证): the draw used server randomness, which "
    "nobody outside could fix in advance"
)


def no_expected_note(announcement_hash: str) -> str:
    return (
        "no --expect-announcement given: compare the announcement hash "
        f"{announcement_hash} with the copy published before the draw"
    )


# --- version 2 (specification section 9) --------------------------------------------------------

WITNESS_PREFIX = "fazhi-draw/2:witness:"
DRAND_QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
DRAND_GENESIS = 1692803367
DRAND_PERIOD = 3
LOTTERY_FORMATS = {
    "cwl-3d": (7, 4, 3),
    "sports-pl5": (5, 2, 5),
}  # period digits, year digits, value digits


def utc(seconds: int) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).isoformat()


def instant(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise Mismatch(f"instant {text!r} has no time zone")
    return value


def not_before(declaration: dict[str, Any]) -> str:
    """The instant the declared event happens, from the event alone (section 9.2)."""
    kind, event = declaration["kind"], declaration["event"]
    if kind in LOTTERY_FORMATS:
        period_digits, year_digits, _ = LOTTERY_FORMATS[kind]
        if set(event) != {"date", "period"}:
            raise Mismatch(f"source {kind}: the event must name its date and period")
        day = datetime.date.fromisoformat(event["date"])
        period = event["period"]
        if not (isinstance(period, str) and len(period) == period_digits and period.isdigit()):
            raise Mismatch(f"source {kind}: period {period!r} is not {period_digits} digits")
        if period[:year_digits] != f"{day.year:04d}"[-year_digits:]:
            raise Mismatch(f"source {kind}: period {period} is not of the year {day.year}")
        return f"{day.isoformat()}T13:30:00+00:00"
    if kind == "drand-quicknet":
        if set(event) != {"chain", "round"} or event["chain"] != DRAND_QUICKNET:
            raise Mismatch("source drand-quicknet: the event must name the quicknet chain")
        number = event["round"]
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise Mismatch(f"source drand-quicknet: round {number!r} is not a positive integer")
        return utc(DRAND_GENESIS + DRAND_PERIOD * (number - 1))
    raise Mismatch(f"unknown entropy source kind {kind!r}")


def check_value(kind: str, value: Any) -> None:
    if kind in LOTTERY_FORMATS:
        digits = LOTTERY_FORMATS[kind][2]
        if not (
            isinstance(value, str) and len(value) == digits and value.isascii() and value.isdigit()
        ):
            raise Mismatch(f"source {kind}: value {value!r} is not exactly {digits} digits")
    elif not (
        isinstance(value, str) and len(value) == 96 and all(c in "0123456789abcdef" for c in value)
    ):
        raise Mismatch(f"source {kind}: value {value!r} is not 96 lowercase hex characters")


def reveal_ok(commitment: str, reveal: str) -> bool:
    salt, sep, secret = reveal.partition(":")
    return (
        bool(sep)
        and bool(secret)
        and len(salt) == 32
        and all(c in "0123456789abcdef" for c in salt)
        and sha(WITNESS_PREFIX + reveal) == commitment
    )


def verify_v2(export: dict[str, Any], expect_announcement: str | None) -> list[str]:
    announcement = export["announcement"]
    strata, announced, list_hashes, pool_hash, params = check_inputs(export)
    entropy = export["entropy"]
    record = entropy["record"]
    kind = entropy["kind"]
    if kind != announcement["entropy_kind"] or kind not in ("public_event", "server"):
        raise Mismatch("entropy kind differs from the announcement")
    if set(record) != {"server", "sources", "witnesses"}:
        raise Mismatch("the entropy record must hold exactly server, sources and witnesses")
    declared = announcement["sources"]
    if [(s["kind"], s["event"]) for s in record["sources"]] != [
        (d["kind"], d["event"]) for d in declared
    ]:
        raise Mismatch("entropy sources differ from the announcement's declarations")
    if [w["commitment"] for w in record["witnesses"]] != announcement["witnesses"]:
        raise Mismatch("witness commitments differ from the announcement")
    for position, w in enumerate(record["witnesses"], start=1):
        if w["reveal"] is not None and not reveal_ok(w["commitment"], w["reveal"]):
            raise Mismatch(f"witness {position}: reveal does not match its commitment")
    if kind == "server":
        server = record["server"]
        if declared or record["witnesses"] or not isinstance(server, str) or len(server) != 64:
            raise Mismatch("a server-randomness draw declares no source and no witness")
    elif not declared or record["server"] is not None:
        raise Mismatch("a public-event draw declares at least one source and no server value")
    published_at = instant(announcement["published_at"])
    for d, s in zip(declared, record["sources"], strict=True):
        expected = not_before(d)
        if d["not_before"] != expected:
            raise Mismatch(f"source {d['kind']}: not_before {d['not_before']} != {expected}")
        if instant(expected) <= published_at:
            raise Mismatch(f"source {d['kind']}: the event was not in the future when announced")
        check_value(s["kind"], s["value"])
    deadline = announcement["reveal_deadline"]
    if deadline is not None and not (
        published_at < instant(deadline) <= min(instant(d["not_before"]) for d in declared)
    ):
        raise Mismatch("the reveal deadline is not between the announcement and the events")
    entropy_value = sha(cj(record))
    if entropy_value != entropy["value"]:
        raise Mismatch(f"entropy {entropy_value} != published {entropy['value']}")
    if any("context_hash" not in m for m in announced.values()):
        raise Mismatch("a version 2 announcement fixes every stratum's context")
    announcement_hash = sha(
        cj(
            {
                "algorithm": ALGORITHM_2,
                "entropy_kind": kind,
                "names_public": announcement["names_public"],
                "params": params,
                "plan": export["plan"]["id"],
                "pool": pool_hash,
                "replaces": announcement["replaces"],
                "reveal_deadline": deadline,
                "sources": declared,
                "strata": strata_meta(strata, announced, list_hashes),
                "witnesses": announcement["witnesses"],
            }
        )
    )
    if announcement_hash != announcement["hash"]:
        raise Mismatch(f"announcement hash {announcement_hash} != published {announcement['hash']}")
    check_expected(announcement_hash, expect_announcement)
    check_context(strata, announced, announcement["context"])
    seed_hex = sha(
        cj(
            {
                "algorithm": ALGORITHM_2,
                "announcement": announcement_hash,
                "entropy": entropy_value,
                "lists": list_hashes,
                "params": params,
                "plan": export["plan"]["id"],
                "pool": pool_hash,
            }
        )
    )
    check_result(export, seed_hex, announcement["context"], ALGORITHM_2)

    notes = []
    if kind == "server":
        notes.append(NOT_PUBLIC)
    for d, s in zip(declared, record["sources"], strict=True):
        if d["kind"] == "drand-quicknet":
            notes.append(
                f"drand round {d['event']['round']}: compare the value with any drand mirror, "
                f"e.g. https://api.drand.sh/{DRAND_QUICKNET}/public/{d['event']['round']} "
                "(this script does not check the BLS signature)"
            )
        else:
            notes.append(
                f"{d['kind']} {d['event']['date']} period {d['event']['period']}: compare "
                f"{s['value']} with the official result"
            )
    withheld = sum(1 for w in record["witnesses"] if w["reveal"] is None)
    if withheld:
        notes.append(f"{withheld} witness reveal(s) withheld: the public events still decide")
    if announcement["replaces"] is not None:
        notes.append(
            f"this announcement replaces {announcement['replaces']['hash']}: "
            f"{announcement['replaces']['reason']}"
        )
    if expect_announcement is None:
        notes.append(no_expected_note(announcement_hash))
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
