"""The draw's frozen inputs: what an announcement reads of the directory and the inspector pool,
and what a draw reads again to check that nothing changed since.

Plain value queries and raw cursors throughout: a province's directory holds 1,000,000 entities,
so no model or dict is built per row. Used by ``services.announcements`` and ``services.draws``;
the engine that ranks these lists is ``fazhi.inspections.drawengine``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from fazhi.core.models import Credential, Organisation
from fazhi.core.models.org import CredentialState
from fazhi.inspections import drawengine
from fazhi.inspections.models import (
    ConflictDeclaration,
    InspectionPlan,
    InspectionTask,
    InspectorLeave,
    InspectorProfile,
    PlanStratum,
    TaskInspector,
    TaskState,
)
from fazhi.registry.models import Entity, EntityStatus

_CHUNK = 5000


def stratum_queryset(plan: InspectionPlan, stratum: PlanStratum) -> QuerySet[Entity]:
    """The stratum's candidates: operating entities in the plan organisation's subtree that are
    in the stratum's category (and risk grade, and campaign filter), by id."""
    # The subtree's organisation ids as a literal list: with a LIKE on the joined path the
    # planner misjudges the row count and probes the category table once per entity.
    org_ids = list(
        Organisation.objects.filter(path__startswith=plan.organisation.path).values_list(
            "id", flat=True
        )
    )
    qs = Entity.objects.filter(
        organisation_id__in=org_ids,
        status=EntityStatus.OPERATING,
        is_active=True,
        categories=stratum.category_id,
    )
    if stratum.risk_grade:
        qs = qs.filter(risk_grade=stratum.risk_grade)
    f = stratum.filter or {}
    if f.get("kind"):
        qs = qs.filter(kind__in=f["kind"])
    if f.get("division_prefix"):
        prefix_q = Q()
        for prefix in f["division_prefix"]:
            prefix_q |= Q(division_code__startswith=prefix)
        qs = qs.filter(prefix_q)
    if f.get("is_individual") is not None:
        qs = qs.filter(is_individual=f["is_individual"])
    return qs.order_by("id")


def _fetch(qs: QuerySet[Any], *fields: str) -> list[tuple[Any, ...]]:
    """Rows of ``fields`` straight from the cursor: no model or dict per row (1,000,000 ids)."""
    sql, params = qs.values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def ratio_bp(stratum: PlanStratum) -> int | None:
    if stratum.ratio is not None:
        return int(stratum.ratio * 100)
    if stratum.quota is None:
        return 10000  # a campaign stratum without quota or ratio takes every target
    return None


@dataclass
class Frozen:
    """What an announcement reads of the directory, read once: every stratum's canonical
    candidate list and each candidate's context (division code; last team where it has one)."""

    strata: list[drawengine.Stratum]
    divisions: dict[int, str]
    teams: dict[int, list[int]]

    def context_hashes(self) -> dict[str, str]:
        texts = drawengine.team_texts(self.teams)
        return {
            s.key: drawengine.split_context_hash(s.candidates, self.divisions, texts)
            for s in self.strata
        }


def freeze(plan: InspectionPlan, *, with_context: bool = True) -> Frozen:
    """Recompute every stratum's canonical candidate list from the directory, now; with the
    context, each candidate's division code is read in the same query (one pass over the
    directory) and every candidate's last team after it."""
    weights_by_grade = {str(k): int(v) for k, v in (plan.risk_weights or {}).items()}
    strata: list[drawengine.Stratum] = []
    divisions: dict[int, str] = {}
    for stratum in plan.strata.order_by("key"):
        wanted = ["id", "risk_grade"] if stratum.weighted else ["id"]
        if with_context:
            wanted.append("division_code")
        rows = _fetch(stratum_queryset(plan, stratum), *wanted)
        ids = [r[0] for r in rows]
        weights = [weights_by_grade.get(r[1], 1) for r in rows] if stratum.weighted else None
        if with_context:
            divisions.update((r[0], r[-1]) for r in rows)
        strata.append(
            drawengine.Stratum(
                key=stratum.key,
                category=stratum.category_id,
                candidates=ids,
                quota=stratum.quota,
                ratio_bp=ratio_bp(stratum),
                weighted=stratum.weighted,
                weights=weights,
            )
        )
    teams = last_teams(divisions) if with_context else {}
    return Frozen(strata=strata, divisions=divisions, teams=teams)


@dataclass
class CurrentLists:
    lists: dict[str, tuple[int, str]]


@contextmanager
def current_lists(
    plan: InspectionPlan, plan_strata: list[PlanStratum], *, overlap: bool
) -> Iterator[CurrentLists]:
    """Each stratum's current candidate count and list hash, as the draw's check needs them.

    On PostgreSQL the database computes them (``list_hash_sql``: nothing but eight numbers and
    hashes cross the wire) in pipeline mode, so that the queries run while the caller ranks the
    announced lists inside the ``with`` block; the values are there after it. Elsewhere, and with
    ``overlap`` off (the block itself queries), the ids are fetched and hashed afterwards."""
    current = CurrentLists(lists={})
    if connection.vendor != "postgresql" or not overlap:
        yield current
        current.lists = {
            s.key: (len(s.candidates), s.hash()) for s in freeze(plan, with_context=False).strata
        }
        return
    # the SQL first: building a stratum's query reads the organisation tree, and a query on the
    # connection would wait for the pipeline's results
    queries = [(stratum.key, list_hash_sql(plan, stratum)) for stratum in plan_strata]
    connection.ensure_connection()
    raw = connection.connection
    # raw psycopg: Django's error translation (and marking a broken connection) by hand
    with connection.wrap_database_errors, raw.pipeline():
        pending = []
        for key, (sql, params) in queries:
            cursor = raw.cursor()
            cursor.execute(sql, params)
            pending.append((key, cursor))
        yield current
        for key, cursor in pending:
            with cursor:
                row = cursor.fetchone()
            assert row is not None
            current.lists[key] = (int(row[0]), str(row[1]))


def list_hash_sql(plan: InspectionPlan, stratum: PlanStratum) -> tuple[str, list[Any]]:
    """SQL giving (count, ``drawengine.list_hash``) of the stratum's current candidates, computed
    by PostgreSQL over the same canonical text: ``"<id>\\n"`` per candidate in id order, or
    ``"<id>:<weight>\\n"`` for a weighted stratum (the plan's weight of the risk grade, else 1)."""
    qs = stratum_queryset(plan, stratum).values_list("id", "risk_grade")
    sql, params = qs.query.sql_with_params()
    line = "q.id::text"
    weight_params: list[Any] = []
    if stratum.weighted:
        cases = []
        for grade, weight in sorted((plan.risk_weights or {}).items()):
            cases.append("WHEN %s THEN %s")
            weight_params += [str(grade), int(weight)]
        weight = f"(CASE q.risk_grade {' '.join(cases)} ELSE 1 END)" if cases else "1"
        line = f"q.id::text || ':' || {weight}::text"
    return (
        f"SELECT count(*), encode(sha256(convert_to(coalesce(string_agg({line} || E'\\n', '' "  # noqa: S608
        f"ORDER BY q.id), ''), 'UTF8')), 'hex') FROM ({sql}) q",
        [*weight_params, *params],
    )


def current_context(entity_ids: list[int]) -> dict[int, tuple[str, list[int]]]:
    """Division code and last team of a few entities, read now."""
    divisions: dict[int, str] = {}
    for chunk in _id_chunks(sorted(entity_ids)):
        divisions.update(
            _rows(
                f"SELECT id, division_code FROM {Entity._meta.db_table} WHERE id {_IN}",  # noqa: S608
                chunk,
            )
        )
    teams = last_teams(set(entity_ids))
    return {e: (d, teams.get(e, [])) for e, d in divisions.items()}


def build_pool(plan: InspectionPlan) -> list[dict[str, Any]]:
    """The inspector pool in canonical form: every in-pool officer of the plan organisation's
    subtree with what the constraints need. Plain value queries: no model per officer."""
    in_pool = InspectorProfile.objects.filter(
        in_pool=True,
        officer__is_active=True,
        organisation__path__startswith=plan.organisation.path,
    )
    profiles = list(
        in_pool.order_by("officer_id").values_list(
            "pk", "officer_id", "regions", "max_tasks_per_plan"
        )
    )
    categories: dict[int, list[int]] = {}
    through = InspectorProfile.categories.through
    for profile_id, category_id in through.objects.filter(
        inspectorprofile_id__in=in_pool.values("pk")
    ).values_list("inspectorprofile_id", "supervisioncategory_id"):
        categories.setdefault(profile_id, []).append(category_id)
    officers = in_pool.values("officer_id")
    credentials: dict[int, list[tuple[str, str]]] = {}
    leaves: dict[int, list[tuple[str, str]]] = {}
    conflicts: dict[int, list[int]] = {}
    for officer_id, issued, expires in Credential.objects.filter(
        officer_id__in=officers, state=CredentialState.VALID
    ).values_list("officer_id", "issued_on", "expires_on"):
        credentials.setdefault(officer_id, []).append((issued.isoformat(), expires.isoformat()))
    # The published pool says only that an officer is on leave during the window (the one thing
    # the constraint uses), never the dates of their leave.
    window = (plan.window_start.isoformat(), plan.window_end.isoformat())
    for officer_id in (
        InspectorLeave.objects.filter(
            officer_id__in=officers, start__lte=plan.window_end, end__gte=plan.window_start
        )
        .values_list("officer_id", flat=True)
        .distinct()
    ):
        leaves[officer_id] = [window]
    for officer_id, entity_id in ConflictDeclaration.objects.filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=plan.window_start),
        officer_id__in=officers,
    ).values_list("officer_id", "entity_id"):
        conflicts.setdefault(officer_id, []).append(entity_id)
    return [
        drawengine.pool_record(
            officer_id=officer_id,
            categories=categories.get(profile_id, []),
            regions=[str(r) for r in (regions or [])],
            credentials=credentials.get(officer_id, []),
            leaves=leaves.get(officer_id, []),
            conflicts=conflicts.get(officer_id, []),
            max_tasks=max_tasks,
        )
        for profile_id, officer_id, regions, max_tasks in profiles
    ]


def draw_inputs(
    plan: InspectionPlan,
    strata: list[drawengine.Stratum],
    pool: list[dict[str, Any]],
    entropy: str = "",
) -> drawengine.DrawInputs:
    return drawengine.DrawInputs(
        plan_id=plan.pk,
        strata=strata,
        pool=pool,
        plan_date=plan.window_start.isoformat(),
        window=(plan.window_start.isoformat(), plan.window_end.isoformat()),
        team_size=plan.team_size,
        entropy=entropy,
    )


def last_teams(wanted: Collection[int]) -> dict[int, list[int]]:
    """The last team of each wanted entity (its latest earlier task with a team, in any plan, not
    cancelled), officer ids ascending; entities never inspected by a team are absent.

    For a large list one grouped scan of the task table, filtered in Python, serves: joining a
    1,000,000-element id array cost several times the candidate read itself."""
    task_table, team_table = InspectionTask._meta.db_table, TaskInspector._meta.db_table

    def query(only: str) -> str:
        return (
            f"WITH latest AS (SELECT t.entity_id, MAX(t.id) AS task_id FROM {task_table} t "  # noqa: S608
            f"WHERE t.state <> %s {only} AND EXISTS "
            f"(SELECT 1 FROM {team_table} m WHERE m.task_id = t.id) GROUP BY t.entity_id) "
            f"SELECT l.entity_id, m.officer_id FROM latest l "
            f"JOIN {team_table} m ON m.task_id = l.task_id"
        )

    cancelled = str(TaskState.CANCELLED)
    teams: dict[int, list[int]] = {}
    if len(wanted) > _SCAN_ABOVE:
        with connection.cursor() as cursor:
            cursor.execute(query(""), [cancelled])
            for entity_id, officer_id in cursor.fetchall():
                if entity_id in wanted:
                    teams.setdefault(entity_id, []).append(officer_id)
    else:
        for chunk in _id_chunks(sorted(wanted)):
            for entity_id, officer_id in _rows(
                query(f"AND t.entity_id {_IN}"), chunk, before=[cancelled]
            ):
                teams.setdefault(entity_id, []).append(officer_id)
    for team in teams.values():
        team.sort()
    return teams


_SCAN_ABOVE = 20_000


_IN = "__IN__"


def _id_chunks(ids: list[int]) -> Iterator[list[int]]:
    """PostgreSQL takes one array parameter; SQLite a bounded list of placeholders."""
    if connection.vendor == "postgresql":
        if ids:
            yield ids
        return
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _rows(sql: str, ids: list[int], *, before: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    if connection.vendor == "postgresql":
        # A semi-join on the unnested array: "= ANY(array)" made the planner test every
        # row of the task table against the whole array (minutes for 50,000 ids).
        sql, params = sql.replace(_IN, "IN (SELECT unnest(%s::bigint[]))"), [*before, ids]
    else:
        sql = sql.replace(_IN, f"IN ({', '.join(['%s'] * len(ids))})")
        params = [*before, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
