"""Canonical encodings and hashes: canonical JSON, SHA-256, the candidate lists' text, and
the compact storage of lists, contexts and results (standard library only).

Part of the draw engine package; the algorithm is described in ``drawengine/__init__.py``
and ``docs/draw-protocol.md``.
"""

from __future__ import annotations

import array
import bisect
import hashlib
import itertools
import json
import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
