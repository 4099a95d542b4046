"""A draw recomputed from its version-1 export: inputs read back and the first difference
(standard library only).

Part of the draw engine package; the algorithm is described in ``drawengine/__init__.py``
and ``docs/draw-protocol.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .encoding import ALGORITHM_VERSION, EXPORT_FORMAT
from .inputs import (
    DrawInputs,
    Stratum,
    announcement_hash,
    pool_hash,
    split_context_hash,
    team_texts,
    witness_commitment,
    witness_entropy,
)
from .teams import run

# --- export and verification -----------------------------------------------------------------


def inputs_from_export(export: Mapping[str, Any]) -> DrawInputs:
    strata = [
        Stratum(
            key=s["key"],
            category=int(s["category"]),
            candidates=s["candidates"],
            quota=s["quota"],
            ratio_bp=s["ratio_bp"],
            weighted=bool(s["weighted"]),
            weights=s.get("weights"),
        )
        for s in export["strata"]
    ]
    params = export["params"]
    return DrawInputs(
        plan_id=int(export["plan"]["id"]),
        strata=strata,
        pool=export["pool"],
        plan_date=params["plan_date"],
        window=(params["window"][0], params["window"][1]),
        team_size=int(params["team_size"]),
        entropy=export["entropy"]["value"],
        algorithm_version=export["algorithm_version"],
    )


def _first_difference(path: str, expected: Any, found: Any) -> str | None:
    if type(expected) is not type(found):
        return f"{path}: published {found!r}, recomputed {expected!r}"
    if isinstance(expected, dict):
        for key in sorted(set(expected) | set(found)):
            if key not in found:
                return f"{path}.{key}: missing from the published result"
            if key not in expected:
                return f"{path}.{key}: published but not produced by the recomputation"
            diff = _first_difference(f"{path}.{key}", expected[key], found[key])
            if diff:
                return diff
        return None
    if isinstance(expected, list):
        for index, (a, b) in enumerate(zip(expected, found, strict=False)):
            diff = _first_difference(f"{path}[{index}]", a, b)
            if diff:
                return diff
        if len(expected) != len(found):
            return f"{path}: published {len(found)} entries, recomputed {len(expected)}"
        return None
    if expected != found:
        return f"{path}: published {found!r}, recomputed {expected!r}"
    return None


def verify_export(export: Mapping[str, Any]) -> str | None:
    """Recompute a draw from its published export. None when it matches, else the first
    difference, in words."""
    if export.get("format") != EXPORT_FORMAT:
        return f"unknown export format {export.get('format')!r}"
    if export.get("algorithm_version") != ALGORITHM_VERSION:
        return f"unsupported algorithm version {export.get('algorithm_version')!r}"
    inputs = inputs_from_export(export)
    announcement = export["announcement"]
    published = {s["key"]: s for s in announcement["strata"]}
    for s in sorted(inputs.strata, key=lambda s: s.key):
        if sorted(set(s.candidates)) != list(s.candidates):
            return f"stratum {s.key}: candidate list is not canonically sorted"
        meta = published.get(s.key)
        if meta is None:
            return f"stratum {s.key}: not in the announcement"
        digest = s.hash()
        if digest != meta["hash"]:
            return f"stratum {s.key}: candidate list hash {digest} != announced {meta['hash']}"
        if len(s.candidates) != meta["count"]:
            return f"stratum {s.key}: {len(s.candidates)} candidates != announced {meta['count']}"
    if set(published) != {s.key for s in inputs.strata}:
        return "the strata differ from the announcement"
    phash = pool_hash(inputs.pool)
    if phash != announcement["pool_hash"]:
        return f"inspector pool hash {phash} != announced {announcement['pool_hash']}"
    entropy = export["entropy"]
    witnesses = entropy.get("witnesses") or []
    if entropy["kind"] != announcement["entropy_kind"]:
        return "entropy kind differs from the announcement"
    if entropy["kind"] == "witnesses":
        for w in witnesses:
            if w.get("secret") is None or witness_commitment(w["secret"]) != w["commitment"]:
                return f"witness {w.get('name')}: reveal does not match its commitment"
        if witness_entropy([w["secret"] for w in witnesses]) != entropy["value"]:
            return "entropy value is not the witnesses' reveals"
    params = inputs.params()
    if params != export["params"]:
        return _first_difference("params", params, export["params"]) or "params differ"
    ahash = announcement_hash(
        plan_id=inputs.plan_id,
        algorithm_version=inputs.algorithm_version,
        strata=[
            {
                **s.params(),
                "count": len(s.candidates),
                "hash": s.hash(),
                # announcements since the context was fixed also carry its hash
                **(
                    {"context_hash": published[s.key]["context_hash"]}
                    if "context_hash" in published[s.key]
                    else {}
                ),
            }
            for s in inputs.strata
        ],
        pool_hash_value=phash,
        params=params,
        entropy_kind=entropy["kind"],
        entropy_spec=announcement["entropy_spec"],
        commitments=[w["commitment"] for w in witnesses],
    )
    if ahash != announcement["hash"]:
        return f"announcement hash {ahash} != published {announcement['hash']}"
    # Since the context is fixed in the announcement, the export publishes it whole: check it
    # against the announced hashes and recompute the draw from it (not from the result's copy).
    announced_context = announcement.get("context")
    divisions: dict[int, str] | None = None
    teams: dict[int, str] = {}
    for s in inputs.strata:
        expected = published[s.key].get("context_hash")
        if expected is None:
            continue
        if announced_context is None:
            return "the export lacks the announced context"
        if divisions is None:
            divisions = {int(k): str(v[0]) for k, v in announced_context.items()}
            teams = team_texts({int(k): v[1] for k, v in announced_context.items() if v[1]})
        if split_context_hash(s.candidates, divisions, teams) != expected:
            return f"stratum {s.key}: context hash differs from the announcement"
    published_context = (
        announced_context if announced_context is not None else export["result"].get("context", {})
    )

    def context_for(ids: list[int]) -> dict[int, tuple[str, Sequence[int]]]:
        out: dict[int, tuple[str, Sequence[int]]] = {}
        for entity in ids:
            value = published_context.get(str(entity))
            if value is not None:
                out[entity] = (value[0], value[1])
        return out

    outcome = run(inputs, context_for)
    draw = export["draw"]
    if outcome.seed != draw["seed"]:
        return f"seed {outcome.seed} != published {draw['seed']}"
    diff = _first_difference("result", outcome.result, export["result"])
    if diff:
        return diff
    if outcome.result_hash != draw["result_hash"]:
        return f"result hash {outcome.result_hash} != published {draw['result_hash']}"
    return None
