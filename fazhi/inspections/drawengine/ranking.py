"""Ranking: each stratum's sample by BLAKE2b keys (the stratum key enters the key in version 2),
unbiased uniform draws and the lazy keyed permutation (standard library only).

Part of the draw engine package; the algorithm is described in ``drawengine/__init__.py``
and ``docs/draw-protocol.md``.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterator
from typing import Any

from .encoding import _U64, ALGORITHM_VERSION, ALGORITHM_VERSION_2
from .inputs import Stratum

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
