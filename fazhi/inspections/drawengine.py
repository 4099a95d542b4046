"""The auditable draw (双随机 抽取), as a pure function of its published inputs.

STANDARD LIBRARY ONLY: this file is offered for download on the public portal and loaded by
``scripts/verify_draw.py`` by file path, so that anyone can recompute a draw without Fazhi.
Nothing here reads a clock, a database or an unseeded random source.

Algorithm ``fazhi-draw/1``
==========================

Published inputs
    * per stratum: its key, category, quota *or* ratio (in basis points), whether it is weighted,
      and its canonically sorted candidate list. The list's hash is SHA-256 over the UTF-8 text of
      one line per candidate, ``"<id>\\n"`` (``"<id>:<weight>\\n"`` for a weighted stratum);
    * the inspector pool: one record per officer (id, qualified categories, region prefixes,
      credential validity intervals, leave intervals, entities with a declared conflict, workload
      cap); its hash is SHA-256 over its canonical JSON;
    * per stratum, the context hash (``context_hash``): SHA-256 over ``"<id>:<division>:<team>\n"``
      per candidate in id order, the facts read for a drawn entity (its division code and last
      team), fixed in the announcement and published with it: the draw uses these, so an edit
      made after the announcement cannot reach it;
    * the parameters (plan date, window, team size, strata parameters);
    * the entropy value (witness reveals, the public number, or a server random value).

Seed
    ``seed = SHA-256(canonical_json({"algorithm", "entropy", "lists", "params", "plan", "pool"}))``
    where canonical JSON has sorted keys, no spaces and UTF-8 text.

Targets
    For each stratum (in key order) every candidate gets the 64-bit key
    ``min_{i < w} BLAKE2b-64(key=seed, msg="t:<id>:<i>")`` read big-endian, ``w`` being its weight
    (1 when the stratum is not weighted). The ``k`` candidates with the lowest (key, id) are drawn.
    Taking the minimum of ``w`` independent uniform keys makes an entity of weight ``w`` as likely
    to be drawn as ``w`` entities of weight 1 would be together: risk weighting without any
    floating point, so every platform computes the same draw. ``k`` is the quota, or
    ``ceil(n * ratio_bp / 10000)``. A quota above the candidate count draws every candidate and
    reports the stratum infeasible with the shortfall: it is never filled from elsewhere.

Inspectors
    Officers failing a task-independent constraint (no valid credential on the plan date, leave
    overlapping the window) are excluded once, with their reason, in ``pool_excluded``. A task's
    candidate officers are then those qualified for the stratum's category whose region prefixes
    cover the entity's division code (no prefix: any region), in id order. They are visited in a
    *lazy keyed permutation*: Fisher–Yates driven by ``uniform(seed, "a:<stratum>:<entity>:<j>")``,
    computed only as far as needed, so a task costs a few hashes, not one per officer (50,000
    tasks x 3,000 officers would be 150 million). ``uniform`` draws BLAKE2b-64 values with a
    counter and rejects those above the largest multiple of the range, so it has no modulo bias.
    The first ``team_size`` officers that pass every task constraint form the team, the first being
    the lead. Skipped: ``conflict`` (declared 回避), ``workload_cap`` (already at the cap in this
    draw), ``same_team`` (would repeat the entity's last team exactly; taken back as a last resort,
    noted ``same_team_unavoidable``). Tasks are assigned in order (stratum key, draw rank).
    A task without a full team gets none and is reported infeasible with the reason.

Result
    ``{"context", "counts", "infeasible", "pool_excluded", "skips", "tasks"}``; the result hash
    is SHA-256 over its canonical JSON. ``context`` maps each drawn entity to the facts the
    assignment used (division code, last team), as the announcement fixed them.
"""

from __future__ import annotations

import array
import bisect
import functools
import hashlib
import heapq
import itertools
import json
import sys
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ALGORITHM_VERSION = "fazhi-draw/1"
EXPORT_FORMAT = "fazhi-draw-export/1"
# Version 2 (``drawv2``): the stratum key enters every ranking key, and the seed binds the
# announcement hash. Only those two differences live here; the rest of v2 is ``drawv2``.
ALGORITHM_VERSION_2 = "fazhi-draw/2"
VERSIONS = (ALGORITHM_VERSION, ALGORITHM_VERSION_2)
_U64 = 1 << 64


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- candidate lists ---------------------------------------------------------------------------


def canonical_candidates(
    ids: Iterable[int], weights: Mapping[int, int] | None = None
) -> tuple[list[int], list[int] | None]:
    """Sorted, de-duplicated ids (and their weights, aligned) whatever order they came in."""
    ordered = sorted(set(ids))
    if weights is None:
        return ordered, None
    return ordered, [int(weights[i]) for i in ordered]


def list_text(ids: Sequence[int], weights: Sequence[int] | None = None) -> str:
    if not ids:
        return ""
    if weights is None:
        return "\n".join(map(str, ids)) + "\n"
    return "".join(f"{i}:{w}\n" for i, w in zip(ids, weights, strict=True))


def list_hash(ids: Sequence[int], weights: Sequence[int] | None = None) -> str:
    return sha256_hex(list_text(ids, weights))


def pack_lists(lists: Mapping[str, tuple[Sequence[int], Sequence[int] | None]]) -> bytes:
    """Compress sorted id lists: delta-encoded, JSON, zlib. 1,000,000 ids take a few kB-MB."""
    body: dict[str, Any] = {}
    for key, (ids, weights) in lists.items():
        deltas = [ids[0], *(b - a for a, b in itertools.pairwise(ids))] if ids else []
        body[key] = {"d": deltas, "w": list(weights) if weights is not None else None}
    return zlib.compress(canonical_json(body).encode("utf-8"), 6)


_CONTEXT_ARRAYS = ("ids", "codes", "team_ids", "team_sizes", "officers")


def pack_context(divisions: Mapping[int, str], teams: Mapping[int, Sequence[int]]) -> bytes:
    """Compress the announced context of every candidate: a JSON header (format, the distinct
    division codes, the length of each array), a newline, then little-endian int64 arrays: the
    sorted candidate ids (delta-encoded) and, aligned with them, each one's index into the
    division codes; the ids that have a last team (sorted, delta-encoded), each team's size, and
    the teams' officer ids (ascending within a team). A million candidates take about a
    megabyte; ``context_lookup`` finds a few ids by bisection without unpacking the rest."""
    ids = sorted(divisions)
    names = sorted(set(divisions.values()))
    index = {name: i for i, name in enumerate(names)}
    with_team = sorted(int(k) for k, t in teams.items() if t)
    officers: list[int] = []
    for entity in with_team:
        officers.extend(sorted(int(o) for o in teams[entity]))
    arrays = {
        "ids": _deltas(ids),
        "codes": array.array("q", [index[divisions[e]] for e in ids]),
        "team_ids": _deltas(with_team),
        "team_sizes": array.array("q", [len(teams[e]) for e in with_team]),
        "officers": array.array("q", officers),
    }
    header = canonical_json(
        {
            "divisions": names,
            "format": 3,
            "lengths": {name: len(arrays[name]) for name in _CONTEXT_ARRAYS},
        }
    )
    body = b"".join(_little_endian(arrays[name]) for name in _CONTEXT_ARRAYS)
    return zlib.compress(header.encode("utf-8") + b"\n" + body, 6)


def _deltas(ordered: Sequence[int]) -> array.array[int]:
    return array.array(
        "q", [ordered[0], *(b - a for a, b in itertools.pairwise(ordered))] if ordered else []
    )


def _little_endian(values: array.array[int]) -> bytes:
    if sys.byteorder == "big":
        values = array.array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


@dataclass
class _PackedContext:
    divisions: list[str]
    ids: array.array[int]
    codes: array.array[int]
    team_ids: array.array[int]
    team_starts: list[int]
    officers: array.array[int]

    def team_of(self, entity: int) -> list[int]:
        i = bisect.bisect_left(self.team_ids, entity)
        if i < len(self.team_ids) and self.team_ids[i] == entity:
            return list(self.officers[self.team_starts[i] : self.team_starts[i + 1]])
        return []


def _context_arrays(raw: bytes) -> _PackedContext | None:
    """The packed context's arrays; None for the first form (a JSON mapping
    ``{"<id>": [division, team]}``, which has no newline)."""
    newline = raw.find(b"\n")
    if newline < 0:
        return None
    header: dict[str, Any] = json.loads(raw[:newline].decode("utf-8"))
    lengths: dict[str, int] = header["lengths"]
    arrays: dict[str, array.array[int]] = {}
    offset = newline + 1
    for name in _CONTEXT_ARRAYS:
        values = array.array("q")
        values.frombytes(raw[offset : offset + 8 * lengths[name]])
        if sys.byteorder == "big":
            values.byteswap()
        arrays[name] = values
        offset += 8 * lengths[name]
    return _PackedContext(
        divisions=header["divisions"],
        ids=array.array("q", itertools.accumulate(arrays["ids"])),
        codes=arrays["codes"],
        team_ids=array.array("q", itertools.accumulate(arrays["team_ids"])),
        team_starts=[0, *itertools.accumulate(arrays["team_sizes"])],
        officers=arrays["officers"],
    )


def unpack_context(blob: bytes) -> dict[str, list[Any]]:
    """``{"<id>": [division code, last team]}`` for every announced candidate."""
    if not blob:
        return {}
    raw = zlib.decompress(blob)
    packed = _context_arrays(raw)
    if packed is None:
        return dict(json.loads(raw.decode("utf-8")))
    teams = {
        entity: list(packed.officers[packed.team_starts[i] : packed.team_starts[i + 1]])
        for i, entity in enumerate(packed.team_ids)
    }
    names = packed.divisions
    return {
        str(e): [names[c], teams.get(e, [])] for e, c in zip(packed.ids, packed.codes, strict=True)
    }


def context_lookup(blob: bytes, ids: Iterable[int]) -> dict[int, tuple[str, list[int]]]:
    """The announced context of ``ids`` alone (the drawn entities), found by bisection; ids
    absent from the announcement are absent here."""
    wanted = sorted({int(i) for i in ids})
    if not blob:
        return {}
    raw = zlib.decompress(blob)
    packed = _context_arrays(raw)
    if packed is None:
        first = json.loads(raw.decode("utf-8"))
        return {
            e: (str(first[str(e)][0]), [int(o) for o in first[str(e)][1]])
            for e in wanted
            if str(e) in first
        }
    out: dict[int, tuple[str, list[int]]] = {}
    announced, n = packed.ids, len(packed.ids)
    for entity in wanted:
        i = bisect.bisect_left(announced, entity)
        if i < n and announced[i] == entity:
            out[entity] = (packed.divisions[packed.codes[i]], packed.team_of(entity))
    return out


def unpack_lists(blob: bytes) -> dict[str, tuple[list[int], list[int] | None]]:
    if not blob:
        return {}
    body = json.loads(zlib.decompress(blob).decode("utf-8"))
    return {
        key: (list(itertools.accumulate(entry["d"])), entry["w"]) for key, entry in body.items()
    }


def pack_result(result: Mapping[str, Any]) -> bytes:
    return zlib.compress(canonical_json(dict(result)).encode("utf-8"), 6)


def unpack_result(blob: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(zlib.decompress(blob).decode("utf-8")) if blob else {}
    return value


# --- the inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stratum:
    key: str
    category: int
    candidates: Sequence[int]
    quota: int | None = None
    ratio_bp: int | None = None
    weighted: bool = False
    weights: Sequence[int] | None = None

    def params(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "key": self.key,
            "quota": self.quota,
            "ratio_bp": self.ratio_bp,
            "weighted": self.weighted,
        }

    def hash(self) -> str:
        return self._hash

    @functools.cached_property
    def _hash(self) -> str:
        return list_hash(self.candidates, self.weights if self.weighted else None)


@dataclass(frozen=True)
class DrawInputs:
    plan_id: int
    strata: Sequence[Stratum]
    pool: Sequence[Mapping[str, Any]]
    plan_date: str
    window: tuple[str, str]
    team_size: int = 2
    entropy: str = ""
    algorithm_version: str = ALGORITHM_VERSION
    announcement_hash: str = ""  # enters the seed in version 2 only

    def params(self) -> dict[str, Any]:
        return {
            "plan_date": self.plan_date,
            "strata": [s.params() for s in sorted(self.strata, key=lambda s: s.key)],
            "team_size": self.team_size,
            "window": list(self.window),
        }

    def list_hashes(self) -> dict[str, str]:
        return {s.key: s.hash() for s in self.strata}


def pool_hash(pool: Sequence[Mapping[str, Any]]) -> str:
    return sha256_hex(canonical_json(sorted(pool, key=lambda o: o["id"])))


def pool_record(
    *,
    officer_id: int,
    categories: Iterable[int],
    regions: Iterable[str],
    credentials: Iterable[tuple[str, str]],
    leaves: Iterable[tuple[str, str]],
    conflicts: Iterable[int],
    max_tasks: int | None,
) -> dict[str, Any]:
    """One officer of the frozen pool, in canonical form (dates as ISO text)."""
    return {
        "categories": sorted(set(categories)),
        "conflicts": sorted(set(conflicts)),
        "credentials": sorted([list(c) for c in credentials]),
        "id": officer_id,
        "leaves": sorted([list(x) for x in leaves]),
        "max_tasks": max_tasks,
        "regions": sorted(set(regions)),
    }


def compute_seed(
    *,
    plan_id: int,
    algorithm_version: str,
    list_hashes: Mapping[str, str],
    pool_hash_value: str,
    params: Mapping[str, Any],
    entropy: str,
    announcement: str | None = None,
) -> str:
    """v1: the six keys below; v2 adds ``"announcement"`` (the announcement hash)."""
    extra = {} if announcement is None else {"announcement": announcement}
    return sha256_hex(
        canonical_json(
            {
                **extra,
                "algorithm": algorithm_version,
                "entropy": entropy,
                "lists": dict(list_hashes),
                "params": dict(params),
                "plan": plan_id,
                "pool": pool_hash_value,
            }
        )
    )


def context_hash(ids: Iterable[int], context: Mapping[int, tuple[str, Sequence[int]]]) -> str:
    """SHA-256 over one line per candidate, ``"<id>:<division code>:<last team>\n"`` in id order
    (the last team as comma-separated officer ids in ascending order): the facts the engine reads
    for a drawn entity, fixed in the announcement so that they cannot be edited once the entropy
    is known."""
    divisions = {int(k): str(v[0]) for k, v in context.items()}
    teams = {int(k): v[1] for k, v in context.items() if v[1]}
    return split_context_hash(ids, divisions, team_texts(teams))


def team_texts(teams: Mapping[int, Sequence[int]]) -> dict[int, str]:
    """Each last team as it appears in a context line: officer ids ascending, comma-separated."""
    return {int(k): ",".join(map(str, sorted(int(o) for o in t))) for k, t in teams.items()}


def split_context_hash(
    ids: Iterable[int], divisions: Mapping[int, str], teams: Mapping[int, str]
) -> str:
    """``context_hash`` from the division codes and the last teams (as ``team_texts``) held
    apart, most candidates having no last team, hashed in blocks: the service's form for a
    million candidates."""
    division = divisions.get
    team = teams.get
    ordered = sorted(map(int, ids))
    digest = hashlib.sha256()
    for start in range(0, len(ordered), _HASH_BLOCK):
        block = ordered[start : start + _HASH_BLOCK]
        lines = [f"{e}:{division(e, '')}:{team(e, '')}\n" for e in block]
        digest.update("".join(lines).encode("utf-8"))
    return digest.hexdigest()


_HASH_BLOCK = 65536


def announcement_hash(
    *,
    plan_id: int,
    algorithm_version: str,
    strata: Sequence[Mapping[str, Any]],
    pool_hash_value: str,
    params: Mapping[str, Any],
    entropy_kind: str,
    entropy_spec: str,
    commitments: Sequence[str],
) -> str:
    """Hash of everything fixed before the draw. ``strata`` entries: params + count + hash."""
    return sha256_hex(
        canonical_json(
            {
                "algorithm": algorithm_version,
                "commitments": list(commitments),
                "entropy_kind": entropy_kind,
                "entropy_spec": entropy_spec,
                "params": dict(params),
                "plan": plan_id,
                "pool": pool_hash_value,
                "strata": sorted((dict(s) for s in strata), key=lambda s: s["key"]),
            }
        )
    )


def witness_commitment(secret: str) -> str:
    return sha256_hex(secret)


def witness_entropy(secrets: Sequence[str]) -> str:
    """The entropy value of a witness draw: the reveals in witness order, as canonical JSON."""
    return canonical_json(list(secrets))


_NUMBER_SEPARATORS = frozenset(" \t\r\n,.;:-_/|+、，。；：")


def normalise_public_number(value: str) -> str:
    """The digits of a public number: NFKC-folded (full-width digits become ASCII) and stripped of
    spaces and common separators, so "123", "1,2,3" and "１２３" give the same seed. Returns ""
    when ``value`` holds no digit or anything but digits, spaces and separators."""
    folded = unicodedata.normalize("NFKC", value)
    digits = []
    for ch in folded:
        if "0" <= ch <= "9":
            digits.append(ch)
        elif not (ch.isspace() or ch in _NUMBER_SEPARATORS):
            return ""
    return "".join(digits)


# --- the draw ----------------------------------------------------------------------------------


def _stratum_size(s: Stratum, n: int) -> tuple[int, dict[str, Any] | None]:
    if n == 0:
        return 0, {"code": "no_candidates", "candidates": 0}
    if s.quota is not None:
        if s.quota > n:
            return n, {"code": "quota_exceeds_candidates", "candidates": n, "quota": s.quota}
        return s.quota, None
    if s.ratio_bp is not None:
        return (n * s.ratio_bp + 9999) // 10000, None
    return 0, {"code": "no_quota_or_ratio", "candidates": n}


def _select(seed: bytes, s: Stratum, k: int, version: str = ALGORITHM_VERSION) -> list[int]:
    """The k candidates with the lowest (key, id). Version 1 hashes ``"t:<id>:<i>"``, version 2
    ``"t:<stratum key>:<id>:<i>"``: the stratum prefix is absorbed once, every candidate's hash
    continues from a copy of that state (the same bytes, no extra cost)."""
    ids = s.candidates
    if k <= 0:
        return []
    if k >= len(ids):
        k = len(ids)
    base = hashlib.blake2b(key=seed, digest_size=8)
    if version == ALGORITHM_VERSION_2:
        base.update(b"t:" + s.key.encode("utf-8") + b":")
        tag = b""
    else:
        tag = b"t:"
    copy = base.copy
    if s.weighted and s.weights is not None:
        keys: list[bytes] = []
        append = keys.append
        for i, w in zip(ids, s.weights, strict=True):
            best = b"\xff" * 9
            for j in range(max(1, w)):
                h = copy()
                h.update(b"%s%d:%d" % (tag, i, j))
                d = h.digest()
                if d < best:
                    best = d
            append(best)
        return [i for _, i in heapq.nsmallest(k, zip(keys, ids, strict=True))]

    n = len(ids)
    # Keys are uniform: the lowest k lie almost surely below a threshold a little above the
    # k/n quantile, so one pass keeps only those (no list of n keys); when fewer than k fall
    # below it, the exact fallback ranks everything. The result is the same either way.
    if k < n:
        threshold = min(_U64 - 1, (k * _U64 // n) * 5 // 4 + (1 << 40))
        limit = threshold.to_bytes(8, "big")
        below: list[tuple[bytes, int]] = []
        keep = below.append
        for i in ids:
            h = copy()
            h.update(b"%s%d:0" % (tag, i))
            d = h.digest()
            if d < limit:
                keep((d, i))
        if len(below) >= k:
            below.sort()
            return [i for _, i in below[:k]]
    pairs = []
    for i in ids:
        h = copy()
        h.update(b"%s%d:0" % (tag, i))
        pairs.append((h.digest(), i))
    pairs.sort()
    return [i for _, i in pairs[:k]]


def _uniform(copy: Callable[[], Any], label: bytes, j: int, m: int) -> int:
    """An integer in [0, m) from the keyed hash of (label, j), without modulo bias."""
    limit = _U64 - (_U64 % m)
    counter = 0
    while True:
        h = copy()
        h.update(b"%s:%d:%d" % (label, j, counter))
        value = int.from_bytes(h.digest(), "big")
        if value < limit:
            return value % m
        counter += 1


def lazy_permutation(seed: bytes, label: str, n: int) -> Iterator[int]:
    """Indices 0..n-1 in a keyed random order, computed lazily (Fisher–Yates with swaps)."""
    copy = hashlib.blake2b(key=seed, digest_size=8).copy
    tag = label.encode("utf-8")
    swaps: dict[int, int] = {}
    for j in range(n):
        r = j + _uniform(copy, tag, j, n - j)
        picked = swaps.get(r, r)
        swaps[r] = swaps.get(j, j)
        yield picked


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
