"""The auditable draw (双随机 抽取), as a pure function of its published inputs.

STANDARD LIBRARY ONLY, and only relative imports inside the package: the portal offers the
package for download as a zip (``drawengine.zip``, decision 0058), importable on its own.
Nothing here reads a clock, a database or an unseeded random source. The package is split by area
(decision 0058): ``encoding`` (canonical JSON, hashes, list/context packing), ``inputs`` (the
published inputs, seed and announcement hash), ``ranking`` (the sample of each stratum),
``teams`` (inspectors and constraints: ``run``) and ``export`` (verification of a v1 export);
version 2's own parts are ``fazhi.inspections.drawv2``.

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

from .encoding import (
    _CONTEXT_ARRAYS,
    _U64,
    ALGORITHM_VERSION,
    ALGORITHM_VERSION_2,
    EXPORT_FORMAT,
    VERSIONS,
    _context_arrays,
    _deltas,
    _little_endian,
    _PackedContext,
    canonical_candidates,
    canonical_json,
    context_lookup,
    list_hash,
    list_text,
    pack_context,
    pack_lists,
    pack_result,
    sha256_hex,
    unpack_context,
    unpack_lists,
    unpack_result,
)
from .export import (
    _first_difference,
    inputs_from_export,
    verify_export,
)
from .inputs import (
    _HASH_BLOCK,
    _NUMBER_SEPARATORS,
    DrawInputs,
    Stratum,
    announcement_hash,
    compute_seed,
    context_hash,
    normalise_public_number,
    pool_hash,
    pool_record,
    split_context_hash,
    team_texts,
    witness_commitment,
    witness_entropy,
)
from .ranking import (
    _select,
    _stratum_size,
    _uniform,
    lazy_permutation,
)
from .teams import (
    ContextFn,
    DrawOutcome,
    _interval_contains,
    _intervals_overlap,
    run,
)

__all__ = [
    "ALGORITHM_VERSION",
    "ALGORITHM_VERSION_2",
    "EXPORT_FORMAT",
    "VERSIONS",
    "_CONTEXT_ARRAYS",
    "_HASH_BLOCK",
    "_NUMBER_SEPARATORS",
    "_U64",
    "ContextFn",
    "DrawInputs",
    "DrawOutcome",
    "Stratum",
    "_PackedContext",
    "_context_arrays",
    "_deltas",
    "_first_difference",
    "_interval_contains",
    "_intervals_overlap",
    "_little_endian",
    "_select",
    "_stratum_size",
    "_uniform",
    "announcement_hash",
    "canonical_candidates",
    "canonical_json",
    "compute_seed",
    "context_hash",
    "context_lookup",
    "inputs_from_export",
    "lazy_permutation",
    "list_hash",
    "list_text",
    "normalise_public_number",
    "pack_context",
    "pack_lists",
    "pack_result",
    "package_zip",
    "pool_hash",
    "pool_record",
    "run",
    "sha256_hex",
    "split_context_hash",
    "team_texts",
    "unpack_context",
    "unpack_lists",
    "unpack_result",
    "verify_export",
    "witness_commitment",
    "witness_entropy",
]


def package_zip() -> bytes:
    """This package as a zip (its ``.py`` files under ``drawengine/``), the same bytes for the
    same sources: fixed timestamps, sorted names. The portal serves it for download (0058)."""
    import io
    import zipfile
    from pathlib import Path

    here = Path(__file__).resolve().parent
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(here.glob("*.py")):
            info = zipfile.ZipInfo(f"drawengine/{path.name}", date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
