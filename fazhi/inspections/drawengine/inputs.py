"""The draw's published inputs and their hashes: strata, the pool, the seed, context hashes,
the version-1 announcement hash, witness commitments and the public number (standard library only).

Part of the draw engine package; the algorithm is described in ``drawengine/__init__.py``
and ``docs/draw-protocol.md``.
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .encoding import ALGORITHM_VERSION, canonical_json, list_hash, sha256_hex

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
