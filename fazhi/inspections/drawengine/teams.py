"""Teams and constraints: the inspectors of each drawn task, the skip reasons, and the result
(standard library only).

Part of the draw engine package; the algorithm is described in ``drawengine/__init__.py``
and ``docs/draw-protocol.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .encoding import ALGORITHM_VERSION_2, VERSIONS, canonical_json, sha256_hex
from .inputs import DrawInputs, Stratum, compute_seed, pool_hash
from .ranking import _select, _stratum_size, lazy_permutation


def _interval_contains(intervals: Iterable[Sequence[str]], day: str) -> bool:
    return any(start <= day <= end for start, end in intervals)


def _intervals_overlap(intervals: Iterable[Sequence[str]], start: str, end: str) -> bool:
    return any(a <= end and start <= b for a, b in intervals)


ContextFn = Callable[[list[int]], Mapping[int, tuple[str, Sequence[int]]]]


@dataclass
class DrawOutcome:
    seed: str
    result: dict[str, Any]
    result_hash: str
    list_hashes: dict[str, str] = field(default_factory=dict)
    pool_hash: str = ""


def run(inputs: DrawInputs, context_for: ContextFn) -> DrawOutcome:
    """Compute the draw. ``context_for(entity_ids)`` gives each drawn entity's division code and
    last team; the engine publishes what it was given in ``result["context"]``."""
    version = inputs.algorithm_version
    if version not in VERSIONS:
        raise ValueError(f"unsupported algorithm version {version!r}")
    strata = sorted(inputs.strata, key=lambda s: s.key)
    hashes = {s.key: s.hash() for s in strata}
    phash = pool_hash(inputs.pool)
    params = inputs.params()
    seed_hex = compute_seed(
        plan_id=inputs.plan_id,
        algorithm_version=inputs.algorithm_version,
        list_hashes=hashes,
        pool_hash_value=phash,
        params=params,
        entropy=inputs.entropy,
        announcement=inputs.announcement_hash if version == ALGORITHM_VERSION_2 else None,
    )
    seed = bytes.fromhex(seed_hex)

    # 1. targets per stratum
    drawn: list[tuple[Stratum, int]] = []
    counts: dict[str, list[int]] = {}
    infeasible_strata: dict[str, dict[str, Any]] = {}
    for s in strata:
        k, problem = _stratum_size(s, len(s.candidates))
        picked = _select(seed, s, k, version)
        counts[s.key] = [len(s.candidates), len(picked)]
        if problem is not None:
            infeasible_strata[s.key] = problem
        drawn.extend((s, entity) for entity in picked)

    entity_ids = sorted({entity for _, entity in drawn})
    given = context_for(entity_ids)
    context: dict[str, list[Any]] = {}
    for entity in entity_ids:
        division, last_team = given.get(entity, ("", ()))
        context[str(entity)] = [str(division), sorted(int(o) for o in last_team)]

    # 2. inspectors
    excluded: dict[str, str] = {}
    usable: list[Mapping[str, Any]] = []
    for officer in sorted(inputs.pool, key=lambda o: o["id"]):
        if not _interval_contains(officer["credentials"], inputs.plan_date):
            excluded[str(officer["id"])] = "credential_invalid"
        elif _intervals_overlap(officer["leaves"], inputs.window[0], inputs.window[1]):
            excluded[str(officer["id"])] = "on_leave"
        else:
            usable.append(officer)
    by_category: dict[int, list[Mapping[str, Any]]] = {}
    for officer in usable:
        for category in officer["categories"]:
            by_category.setdefault(category, []).append(officer)
    conflicts = {o["id"]: frozenset(o["conflicts"]) for o in usable}
    caps = {o["id"]: o["max_tasks"] for o in usable}
    load: dict[int, int] = {}
    candidates_cache: dict[tuple[int, str], list[int]] = {}
    team_size = inputs.team_size

    tasks: list[list[Any]] = []
    skips: dict[str, list[list[Any]]] = {}
    infeasible_tasks: dict[str, dict[str, Any]] = {}
    for s, entity in drawn:
        division, last_team = context[str(entity)]
        cache_key = (s.category, division)
        officers = candidates_cache.get(cache_key)
        if officers is None:
            officers = [
                o["id"]
                for o in by_category.get(s.category, ())
                if not o["regions"] or any(division.startswith(r) for r in o["regions"])
            ]
            candidates_cache[cache_key] = officers
        label = f"a:{s.key}:{entity}"
        team: list[int] = []
        skipped: list[list[Any]] = []
        fallback: int | None = None
        last = frozenset(last_team)
        for index in lazy_permutation(seed, label, len(officers)):
            officer_id = officers[index]
            if entity in conflicts[officer_id]:
                skipped.append([officer_id, "conflict"])
                continue
            cap = caps[officer_id]
            if cap is not None and load.get(officer_id, 0) >= cap:
                skipped.append([officer_id, "workload_cap"])
                continue
            if (
                len(last) == team_size
                and len(team) == team_size - 1
                and frozenset([*team, officer_id]) == last
            ):
                skipped.append([officer_id, "same_team"])
                if fallback is None:
                    fallback = officer_id
                continue
            team.append(officer_id)
            if len(team) == team_size:
                break
        if len(team) == team_size - 1 and fallback is not None:
            team.append(fallback)
            skipped.append([fallback, "same_team_unavoidable"])
        task_key = f"{s.key}:{entity}"
        if skipped:
            skips[task_key] = skipped
        if len(team) < team_size:
            infeasible_tasks[task_key] = {
                "code": "not_enough_inspectors",
                "eligible": len(officers),
                "found": len(team),
                "needed": team_size,
            }
            team = []
        for officer_id in team:
            load[officer_id] = load.get(officer_id, 0) + 1
        tasks.append([s.key, entity, team])

    result = {
        "context": context,
        "counts": counts,
        "infeasible": {"strata": infeasible_strata, "tasks": infeasible_tasks},
        "pool_excluded": excluded,
        "skips": skips,
        "tasks": tasks,
    }
    return DrawOutcome(
        seed=seed_hex,
        result=result,
        result_hash=sha256_hex(canonical_json(result)),
        list_hashes=hashes,
        pool_hash=phash,
    )
