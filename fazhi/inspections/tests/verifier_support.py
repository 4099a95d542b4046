"""What the verifier tests share: the vectors, and single-field tamperings every verifier must
catch (each changes one published value and nothing else)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

REPO = Path(settings.BASE_DIR)
VECTORS = REPO / "docs" / "draw-vectors"
SCRIPT = REPO / "scripts" / "verify_draw.py"


def vector_exports() -> dict[str, dict[str, Any]]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))["export"]
        for path in sorted(VECTORS.glob("v[0-9]-*.json"))
    }


def _first_officer_with(export: dict[str, Any], key: str) -> dict[str, Any]:
    return next(o for o in export["pool"] if o[key])


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(export: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = export
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return mutate


def _drop_candidate(export: dict[str, Any]) -> None:
    export["strata"][0]["candidates"].pop()


def _bump_weight(export: dict[str, Any]) -> None:
    export["strata"][0]["weights"][0] += 1


def _cap(export: dict[str, Any]) -> None:
    export["pool"][0]["max_tasks"] = 1


def _drop_conflict(export: dict[str, Any]) -> None:
    _first_officer_with(export, "conflicts")["conflicts"].pop()


def _region(export: dict[str, Any]) -> None:
    export["pool"][0]["regions"] = ["99"]


def _division(export: dict[str, Any]) -> None:
    entity = export["result"]["tasks"][0][1]
    export["announcement"]["context"][str(entity)][0] = "990000"


def _last_team(export: dict[str, Any]) -> None:
    entity = export["result"]["tasks"][0][1]
    export["announcement"]["context"][str(entity)][1] = [1, 2]


def _swap_team(export: dict[str, Any]) -> None:
    team = next(t for t in export["result"]["tasks"] if len(t[2]) > 1)[2]
    team.reverse()


def _drop_skip(export: dict[str, Any]) -> None:
    key = sorted(export["result"]["skips"])[0]
    del export["result"]["skips"][key]


def _secret(export: dict[str, Any]) -> None:
    export["entropy"]["witnesses"][0]["secret"] += "x"


def _result_context(export: dict[str, Any]) -> None:
    first = sorted(export["result"]["context"])[0]
    export["result"]["context"][first][0] = "000000"


# (name, vector, mutation): every verifier must fail on each, the engine included.
TAMPERINGS: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    ("candidate removed", "v1-01-quota-ratio-witnesses", _drop_candidate),
    ("weight changed", "v1-02-weighted-public-number", _bump_weight),
    ("workload cap changed", "v1-01-quota-ratio-witnesses", _cap),
    ("conflict withdrawn", "v1-03-teams-of-three-constraints", _drop_conflict),
    ("region changed", "v1-01-quota-ratio-witnesses", _region),
    ("division changed", "v1-01-quota-ratio-witnesses", _division),
    ("last team changed", "v1-03-teams-of-three-constraints", _last_team),
    ("team order changed", "v1-01-quota-ratio-witnesses", _swap_team),
    ("skip dropped", "v1-03-teams-of-three-constraints", _drop_skip),
    ("witness secret changed", "v1-01-quota-ratio-witnesses", _secret),
    ("result context changed", "v1-05-without-announced-context", _result_context),
    ("public number changed", "v1-02-weighted-public-number", _set("entropy.value", "308")),
    ("server value changed", "v1-04-server-randomness", _set("entropy.value", "0" * 64)),
    ("entropy kind changed", "v1-02-weighted-public-number", _set("entropy.kind", "server")),
    ("team size changed", "v1-01-quota-ratio-witnesses", _set("params.team_size", 3)),
    ("window changed", "v1-01-quota-ratio-witnesses", _set("params.window.1", "2026-12-31")),
    ("quota changed", "v1-01-quota-ratio-witnesses", _set("strata.1.quota", 5)),
    (
        "entropy spec changed",
        "v1-02-weighted-public-number",
        _set("announcement.entropy_spec", "x"),
    ),
    ("plan id changed", "v1-04-server-randomness", _set("plan.id", 99)),
    ("announcement hash changed", "v1-04-server-randomness", _set("announcement.hash", "0" * 64)),
    ("seed changed", "v1-03-teams-of-three-constraints", _set("draw.seed", "1" * 64)),
    ("result hash changed", "v1-03-teams-of-three-constraints", _set("draw.result_hash", "2" * 64)),
    ("exclusion dropped", "v1-01-quota-ratio-witnesses", _set("result.pool_excluded", {})),
    ("count changed", "v1-04-server-randomness", _set("result.counts.routine", [10, 2])),
]


def _fill_withheld(export: dict[str, Any]) -> None:
    witness = next(w for w in export["entropy"]["record"]["witnesses"] if w["reveal"] is None)
    witness["reveal"] = "0" * 32 + ":guess"


def _reveal(export: dict[str, Any]) -> None:
    witness = next(w for w in export["entropy"]["record"]["witnesses"] if w["reveal"])
    witness["reveal"] += "x"


def _record_value(export: dict[str, Any]) -> None:
    export["entropy"]["record"]["sources"][0]["value"] = "080"


def _not_before(export: dict[str, Any]) -> None:
    export["announcement"]["sources"][0]["not_before"] = "2030-01-01T13:30:00+00:00"


def _period(export: dict[str, Any]) -> None:
    export["entropy"]["record"]["sources"][0]["event"]["period"] = "2023227"


def _commitment(export: dict[str, Any]) -> None:
    export["announcement"]["witnesses"][0] = "0" * 64


V2_PUBLIC = "v2-01-public-events-witnesses"
V2_SERVER = "v2-02-server-routine"
V2_REPLACED = "v2-03-replacement-weighted"

TAMPERINGS += [
    ("v2 withheld reveal filled in", V2_PUBLIC, _fill_withheld),
    ("v2 reveal changed", V2_PUBLIC, _reveal),
    ("v2 source value changed", V2_PUBLIC, _record_value),
    ("v2 event instant changed", V2_PUBLIC, _not_before),
    ("v2 event period changed", V2_PUBLIC, _period),
    ("v2 commitment changed", V2_PUBLIC, _commitment),
    ("v2 entropy value changed", V2_PUBLIC, _set("entropy.value", "0" * 64)),
    ("v2 names-public changed", V2_PUBLIC, _set("announcement.names_public", "result_published")),
    ("v2 reveal deadline changed", V2_PUBLIC, _set("announcement.reveal_deadline", None)),
    ("v2 replacement reason changed", V2_REPLACED, _set("announcement.replaces.reason", "无")),
    ("v2 replacement hidden", V2_REPLACED, _set("announcement.replaces", None)),
    ("v2 weight changed", V2_REPLACED, _bump_weight),
    ("v2 server value changed", V2_SERVER, _set("entropy.record.server", "1" * 64)),
    ("v2 server becomes public", V2_SERVER, _set("entropy.kind", "public_event")),
    ("v2 seed changed", V2_SERVER, _set("draw.seed", "3" * 64)),
    ("v2 team changed", V2_SERVER, _swap_team),
]

# Checks of the declared events that the independent verifiers make beyond the engine's own
# export check: the event must lie after the announcement, its instant follow from the event.
VERIFIER_ONLY: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
    (
        "v2 announced after the event",
        V2_PUBLIC,
        _set("announcement.published_at", "2023-08-26T00:00:00+00:00"),
    ),
]


def tampered(
    exports: dict[str, dict[str, Any]], *, verifier_only: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for name, vector, mutate in TAMPERINGS if not verifier_only else VERIFIER_ONLY:
        export = copy.deepcopy(exports[vector])
        mutate(export)
        out.append((name, export))
    return out
