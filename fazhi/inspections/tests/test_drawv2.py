"""Protocol fazhi-draw/2 without the database: ranking per stratum, source kinds, witnesses,
entropy and announcement hashes, the drand signature check."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from fazhi.inspections import drand
from fazhi.inspections import drawengine as de
from fazhi.inspections import drawv2 as v2

POOL = [
    de.pool_record(
        officer_id=i,
        categories=[1],
        regions=[],
        credentials=[("2024-01-01", "2030-01-01")],
        leaves=[],
        conflicts=[],
        max_tasks=None,
    )
    for i in range(1, 7)
]
CANDIDATES = list(range(1, 2001))


def _two_strata(version: str) -> de.DrawOutcome:
    strata = [
        de.Stratum(key=key, category=1, candidates=CANDIDATES, quota=150) for key in ("a", "b")
    ]
    return de.run(
        de.DrawInputs(
            plan_id=1,
            strata=strata,
            pool=POOL,
            plan_date="2026-12-01",
            window=("2026-12-01", "2026-12-20"),
            entropy="e" * 64,
            algorithm_version=version,
            announcement_hash="a" * 64,
        ),
        lambda ids: {i: ("110101", []) for i in ids},
    )


def _drawn(outcome: de.DrawOutcome, key: str) -> set[int]:
    return {entity for stratum, entity, _ in outcome.result["tasks"] if stratum == key}


def test_strata_are_independent_in_v2_and_correlated_in_v1() -> None:
    """Finding 7: an entity listed in two strata got the same key in both under v1."""
    v1 = _two_strata(de.ALGORITHM_VERSION)
    assert _drawn(v1, "a") == _drawn(v1, "b")  # v1: fully correlated
    second = _two_strata(de.ALGORITHM_VERSION_2)
    a, b = _drawn(second, "a"), _drawn(second, "b")
    assert len(a) == len(b) == 150
    # independent draws of 150 of 2,000 overlap by about 11; fully correlated would be 150
    assert len(a & b) < 40


def test_v2_seed_binds_the_announcement() -> None:
    one = _two_strata(de.ALGORITHM_VERSION_2)
    strata = [de.Stratum(key=k, category=1, candidates=CANDIDATES, quota=150) for k in ("a", "b")]
    other = de.run(
        de.DrawInputs(
            plan_id=1,
            strata=strata,
            pool=POOL,
            plan_date="2026-12-01",
            window=("2026-12-01", "2026-12-20"),
            entropy="e" * 64,
            algorithm_version=de.ALGORITHM_VERSION_2,
            announcement_hash="b" * 64,
        ),
        lambda ids: {i: ("110101", []) for i in ids},
    )
    assert one.seed != other.seed


def test_v2_ranking_key_bytes() -> None:
    """The key of candidate 7 in stratum "a": BLAKE2b-64(seed, "t:a:7:0")."""
    seed = bytes(range(32))
    stratum = de.Stratum(key="a", category=1, candidates=list(range(1, 11)), quota=1)
    expected = min(
        range(1, 11),
        key=lambda i: (
            hashlib.blake2b(f"t:a:{i}:0".encode(), key=seed, digest_size=8).digest(),
            i,
        ),
    )
    assert de._select(seed, stratum, 1, de.ALGORITHM_VERSION_2) == [expected]
    weighted = de.Stratum(
        key="w", category=1, candidates=[1, 2, 3], weights=[1, 3, 2], weighted=True, quota=1
    )
    keys = {
        i: min(
            hashlib.blake2b(f"t:w:{i}:{j}".encode(), key=seed, digest_size=8).digest()
            for j in range(w)
        )
        for i, w in zip([1, 2, 3], [1, 3, 2], strict=True)
    }
    assert de._select(seed, weighted, 1, de.ALGORITHM_VERSION_2) == [
        min(keys, key=lambda i: (keys[i], i))
    ]


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("cwl-3d", "1 2 3", "123"),
        ("cwl-3d", "０５９", "059"),
        ("sports-pl5", "1,2,3,4,5", "12345"),
    ],
)
def test_lottery_values_in_range(kind: str, raw: str, value: str) -> None:
    declaration = (
        v2.declare_source(kind, {"period": "2026325", "date": "2026-12-05"})
        if (kind == "cwl-3d")
        else v2.declare_source(kind, {"period": "26325", "date": "2026-12-05"})
    )
    assert v2.source_value(declaration, raw) == value


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("cwl-3d", "1"), ("cwl-3d", "1234"), ("cwl-3d", "12a"), ("sports-pl5", "123")],
)
def test_out_of_range_values_are_refused(kind: str, raw: str) -> None:
    """Finding 2: v1 took a 3D number "1"; v2 refuses any value outside the kind's format."""
    assert de.normalise_public_number(raw) or raw == "12a"  # v1 accepted the digits
    event = {"period": "2026325" if kind == "cwl-3d" else "26325", "date": "2026-12-05"}
    with pytest.raises(v2.SourceError) as caught:
        v2.source_value(v2.declare_source(kind, event), raw)
    assert caught.value.code == "entropy_value_invalid"


def test_source_declarations() -> None:
    d = v2.declare_source("cwl-3d", {"period": "2026325", "date": "2026-12-05"})
    assert d == {
        "event": {"date": "2026-12-05", "period": "2026325"},
        "kind": "cwl-3d",
        "not_before": "2026-12-05T13:30:00+00:00",
    }
    with pytest.raises(v2.SourceError, match="期号"):
        v2.declare_source("cwl-3d", {"period": "326", "date": "2026-12-05"})
    with pytest.raises(v2.SourceError) as caught:
        v2.declare_source("cwl-3d", {"period": "2025325", "date": "2026-12-05"})
    assert caught.value.code == "period_year_mismatch"
    with pytest.raises(v2.SourceError):
        v2.declare_source("lottery", {})
    r = v2.declare_source("drand-quicknet", {"round": "123"})
    assert r["event"] == {"chain": v2.DRAND_QUICKNET["hash"], "round": 123}
    assert r["not_before"] == "2023-08-23T15:15:33+00:00"  # genesis 1692803367 + 3 * 122
    assert v2.drand_round_at(v2.drand_round_time(1000)) == 1000
    assert v2.drand_round_at(v2.drand_round_time(1000) + dt.timedelta(seconds=1)) == 1001
    with pytest.raises(v2.SourceError):
        v2.declare_source("drand-quicknet", {"round": "0"})


QUICKNET_123 = (
    "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486"
    "d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92"
)


def test_drand_signature_is_checked_against_the_chain_key() -> None:
    assert drand.verify_quicknet(123, QUICKNET_123)
    assert not drand.verify_quicknet(124, QUICKNET_123)
    assert not drand.verify_quicknet(123, "00" * 48)
    assert not drand.verify_quicknet(123, "zz")
    declaration = v2.declare_source("drand-quicknet", {"round": 123})
    assert v2.source_value(declaration, QUICKNET_123.upper()) == QUICKNET_123
    with pytest.raises(v2.SourceError):
        v2.source_value(declaration, "1234")


def test_witness_commitments_are_salted() -> None:
    """Finding 4: v1's commitment of "1" is SHA-256("1"), found by trying small secrets; v2's
    needs the 128-bit salt as well."""
    assert de.witness_commitment("1") == hashlib.sha256(b"1").hexdigest()
    salt = "0f" * 16
    commitment = v2.witness_commitment(salt, "my-secret")
    assert (
        commitment == hashlib.sha256(f"fazhi-draw/2:witness:{salt}:my-secret".encode()).hexdigest()
    )
    assert all(v2.witness_commitment("", str(n)) != commitment for n in range(1000))
    assert v2.reveal_matches(commitment, f"{salt}:my-secret")
    assert not v2.reveal_matches(commitment, f"{salt}:other")
    assert not v2.reveal_matches(commitment, "my-secret")
    with pytest.raises(v2.SourceError) as caught:
        v2.check_chosen_secret("1")
    assert caught.value.code == "weak_witness_secret"
    assert v2.split_reveal(f"{salt}:a:b") == (salt, "a:b")


def test_entropy_record_hashes_sources_and_reveals_in_order() -> None:
    a = v2.declare_source("cwl-3d", {"period": "2026325", "date": "2026-12-05"})
    b = v2.declare_source("sports-pl5", {"period": "26325", "date": "2026-12-05"})
    record: dict[str, Any] = v2.entropy_record(
        sources=[a, b], values=["123", "45678"], commitments=["c1", "c2"], reveals=["r1", None]
    )
    assert record == {
        "server": None,
        "sources": [
            {"event": a["event"], "kind": "cwl-3d", "value": "123"},
            {"event": b["event"], "kind": "sports-pl5", "value": "45678"},
        ],
        "witnesses": [{"commitment": "c1", "reveal": "r1"}, {"commitment": "c2", "reveal": None}],
    }
    value = v2.entropy_value(record)
    assert value == hashlib.sha256(de.canonical_json(record).encode()).hexdigest()
    swapped = v2.entropy_record(
        sources=[b, a], values=["45678", "123"], commitments=["c1", "c2"], reveals=["r1", None]
    )
    assert v2.entropy_value(swapped) != value


def test_expect_announcement() -> None:
    assert v2.verify_export({"announcement": {"hash": "ab"}}, expect_announcement="cd") == (
        "announcement hash ab != expected cd"
    )
