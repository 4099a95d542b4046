"""Services: the announcement, the draw, and re-draws (the heart of 双随机).

``plan_announce`` freezes and hashes each stratum's candidate list and the inspector pool and
fixes the entropy source. ``draw_run`` recomputes the lists under the plan's row lock, refuses
the draw when any hash differs (the refusal is audited after the rollback), computes the draw with
the standard-library engine ``fazhi.inspections.drawengine`` and stores its tasks in bulk.
A plan has one effective draw; a re-draw needs a request with a reason, a leader's approval and a
new announcement, and the old draw stays visible as superseded.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet

from fazhi.core import audit, clock, errors
from fazhi.core.models import Credential, Organisation, User
from fazhi.core.models.org import CredentialStatus
from fazhi.core.roles import Cap
from fazhi.core.scope import require_cap, require_in_scope
from fazhi.inspections import drawengine
from fazhi.inspections.models import (
    ConflictDeclaration,
    Draw,
    DrawAnnouncement,
    DrawStatus,
    EntropyKind,
    InspectionPlan,
    InspectionTask,
    InspectorLeave,
    InspectorProfile,
    InspectorRole,
    PlanKind,
    PlanStatus,
    PlanStratum,
    RedrawRequest,
    RedrawState,
    TaskInspector,
    TaskState,
    Witness,
)
from fazhi.inspections.services.plans import plan_window_deadline_ensure
from fazhi.registry.models import Entity, EntityStatus

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
SERVER_ENTROPY_SPEC = "服务器随机数（内部抽取，不可公开验证）"
_CHUNK = 5000
COPY_THRESHOLD = 2000  # tasks; above it PostgreSQL gets COPY instead of INSERTs


# --- the frozen inputs -------------------------------------------------------------------------


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


def _ratio_bp(stratum: PlanStratum) -> int | None:
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
                ratio_bp=_ratio_bp(stratum),
                weighted=stratum.weighted,
                weights=weights,
            )
        )
    teams = _last_teams(divisions) if with_context else {}
    return Frozen(strata=strata, divisions=divisions, teams=teams)


@dataclass
class _CurrentLists:
    lists: dict[str, tuple[int, str]]


@contextmanager
def _current_lists(
    plan: InspectionPlan, plan_strata: list[PlanStratum], *, overlap: bool
) -> Iterator[_CurrentLists]:
    """Each stratum's current candidate count and list hash, as the draw's check needs them.

    On PostgreSQL the database computes them (``list_hash_sql``: nothing but eight numbers and
    hashes cross the wire) in pipeline mode, so that the queries run while the caller ranks the
    announced lists inside the ``with`` block; the values are there after it. Elsewhere, and with
    ``overlap`` off (the block itself queries), the ids are fetched and hashed afterwards."""
    current = _CurrentLists(lists={})
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


def _current_context(entity_ids: list[int]) -> dict[int, tuple[str, list[int]]]:
    """Division code and last team of a few entities, read now."""
    divisions: dict[int, str] = {}
    for chunk in _id_chunks(sorted(entity_ids)):
        divisions.update(
            _rows(
                f"SELECT id, division_code FROM {Entity._meta.db_table} WHERE id {_IN}",  # noqa: S608
                chunk,
            )
        )
    teams = _last_teams(set(entity_ids))
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
        officer_id__in=officers, status=CredentialStatus.VALID
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


def _inputs(
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


def _without_context(meta: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if k != "context_hash"} for m in meta]


def _strata_meta(frozen: Frozen) -> list[dict[str, Any]]:
    contexts = frozen.context_hashes()
    return [
        {
            **s.params(),
            "count": len(s.candidates),
            "hash": s.hash(),
            "context_hash": contexts[s.key],
        }
        for s in sorted(frozen.strata, key=lambda s: s.key)
    ]


# --- announcement ------------------------------------------------------------------------------


def _clean_witnesses(witnesses: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    if not witnesses:
        raise errors.ValidationFailed(
            "见证人抽取须至少登记一名见证人及其承诺值。", code="witnesses_required"
        )
    out: list[tuple[str, str]] = []
    for name, commitment in witnesses:
        name, commitment = name.strip(), commitment.strip().lower()
        if not name:
            raise errors.ValidationFailed("请填写见证人姓名。", code="witness_name_required")
        if not _HEX64.match(commitment):
            raise errors.ValidationFailed(
                f"见证人“{name}”的承诺值须为64位十六进制SHA-256值。",
                code="bad_commitment",
                witness=name,
            )
        if any(commitment == c for _, c in out):
            raise errors.ValidationFailed(
                "两名见证人的承诺值相同，请各自重新生成。", code="duplicate_commitment"
            )
        out.append((name[:100], commitment))
    return out


def plan_announce(
    *,
    actor: User,
    plan: InspectionPlan,
    entropy_kind: str,
    entropy_spec: str = "",
    witnesses: Sequence[tuple[str, str]] = (),
) -> DrawAnnouncement:
    """Publish the announcement: frozen, hashed candidate lists and pool, and the entropy source.

    Allowed on a draft plan, again on an announced plan not yet drawn (the newer announcement is
    the one that counts), and on a drawn plan whose re-draw has been approved.
    """
    require_cap(actor, Cap.INSPECTION_PLAN, action="inspection.plan_announce")
    require_in_scope(actor, plan.organisation, action="inspection.plan_announce")
    # Routine supervision (日常监督) takes every target of its strata, like a campaign, and has its
    # inspectors assigned at random by the same recorded, reproducible draw.
    if plan.kind not in (PlanKind.RANDOM, PlanKind.CAMPAIGN, PlanKind.ROUTINE):
        raise errors.ValidationFailed(
            "上级下达任务的计划直接导入任务清单，不需公告和抽取。", code="plan_kind_not_drawn"
        )
    if entropy_kind not in EntropyKind.values:
        raise errors.ValidationFailed("随机源类型不正确。", code="bad_entropy_kind")
    spec = entropy_spec.strip()
    clean_witnesses: list[tuple[str, str]] = []
    if entropy_kind == EntropyKind.WITNESSES:
        clean_witnesses = _clean_witnesses(witnesses)
        spec = spec or f"{len(clean_witnesses)}名见证人承诺—揭示"
    elif entropy_kind == EntropyKind.PUBLIC_NUMBER:
        if len(spec) < 4:
            raise errors.ValidationFailed(
                "请事先写明公开号码的来源，如“中国福利彩票3D 2026年12月5日开奖号码”。",
                code="entropy_spec_required",
            )
    else:
        spec = SERVER_ENTROPY_SPEC
    with transaction.atomic(durable=True):
        locked = (
            InspectionPlan.objects.select_for_update()
            .select_related("organisation")
            .get(pk=plan.pk)
        )
        latest = locked.announcements.order_by("-number").first()
        superseded: DrawAnnouncement | None = None
        if locked.status == PlanStatus.DRAFT:
            pass
        elif locked.status == PlanStatus.ANNOUNCED:
            # Once the entropy source is public, announcing again could be repeated until the
            # outcome suits: a plan is announced once; a new announcement needs the re-draw path.
            # Only when the draw of the latest announcement would be refused anyway (its candidate
            # lists, pool or parameters no longer match) may the plan be announced anew.
            if latest is not None and latest.draws.exists():
                raise errors.InvalidTransition("本公告已抽取。", code="already_drawn")
            superseded = latest
        elif locked.status == PlanStatus.DRAWN:
            redraw = (
                RedrawRequest.objects.filter(plan=locked, state=RedrawState.APPROVED)
                .order_by("-decided_at")
                .first()
            )
            if redraw is None:
                raise errors.InvalidTransition(
                    "计划已抽取；重新抽取须先经领导批准。", code="redraw_not_approved"
                )
            # one new announcement per approved re-draw (unless its draw would be refused)
            assert redraw.decided_at is not None and latest is not None
            if latest.published_at >= redraw.decided_at and not latest.draws.exists():
                superseded = latest
        else:
            raise errors.InvalidTransition(
                "计划当前状态不能公告。", code="plan_not_announceable", status=locked.status
            )
        if not locked.strata.exists():
            raise errors.ValidationFailed("请先设置抽查分层。", code="no_strata")
        frozen = freeze(locked)
        strata = frozen.strata
        pool = build_pool(locked)
        inputs = _inputs(locked, strata, pool)
        meta = _strata_meta(frozen)
        pool_hash = drawengine.pool_hash(pool)
        params = inputs.params()
        # Compared: what the draw checks (lists, pool, parameters). Not the context: the draw uses
        # the announced one, so a changed context leaves the old announcement drawable, and a
        # new announcement (with a new entropy source) would let the outcome be chosen.
        if superseded is not None and (
            _without_context(superseded.strata) == _without_context(meta)
            and superseded.pool_hash == pool_hash
            and superseded.params == params
        ):
            raise errors.InvalidTransition(
                "计划已公告且抽取条件未变，不能重新公告；请进行抽取，"
                "如需重新抽取须说明理由并经领导批准。",
                code="already_announced",
            )
        commitments = [c for _, c in clean_witnesses]
        ahash = drawengine.announcement_hash(
            plan_id=locked.pk,
            algorithm_version=drawengine.ALGORITHM_VERSION,
            strata=meta,
            pool_hash_value=pool_hash,
            params=params,
            entropy_kind=entropy_kind,
            entropy_spec=spec,
            commitments=commitments,
        )
        announcement = DrawAnnouncement.objects.create(
            plan=locked,
            number=(latest.number + 1) if latest else 1,
            published_at=clock.now(),
            published_by=actor,
            algorithm_version=drawengine.ALGORITHM_VERSION,
            strata=meta,
            candidates_blob=drawengine.pack_lists(
                {s.key: (s.candidates, s.weights if s.weighted else None) for s in strata}
            ),
            context_blob=drawengine.pack_context(frozen.divisions, frozen.teams),
            pool=pool,
            pool_hash=pool_hash,
            params=params,
            entropy_kind=entropy_kind,
            entropy_spec=spec,
            announcement_hash=ahash,
        )
        Witness.objects.bulk_create(
            [
                Witness(announcement=announcement, position=i, name=name, commitment=commitment)
                for i, (name, commitment) in enumerate(clean_witnesses, start=1)
            ]
        )
        if locked.status == PlanStatus.DRAFT:
            locked.status = PlanStatus.ANNOUNCED
            locked.save(update_fields=["status", "updated_at"])
        audit.append(
            actor=actor,
            action="inspection.plan_announced",
            obj=locked,
            details={
                "announcement": announcement.number,
                "announcement_hash": ahash,
                "algorithm_version": drawengine.ALGORITHM_VERSION,
                "lists": {m["key"]: [m["count"], m["hash"]] for m in meta},
                "pool_hash": pool_hash,
                "pool_size": len(pool),
                "entropy_kind": entropy_kind,
                "entropy_spec": spec,
                "commitments": commitments,
            },
        )
    return announcement


# --- the draw ----------------------------------------------------------------------------------


def _last_teams(wanted: Collection[int]) -> dict[int, list[int]]:
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


def _entropy(
    announcement: DrawAnnouncement, reveals: Sequence[str], public_number: str
) -> tuple[str, list[Witness]]:
    if announcement.entropy_kind == EntropyKind.WITNESSES:
        witnesses = list(announcement.witnesses.order_by("position"))
        secrets_ = [r.strip() for r in reveals]
        if any(len(s) > 200 for s in secrets_):
            raise errors.ValidationFailed("揭示值不能超过200个字符。", code="reveal_too_long")
        if len(secrets_) != len(witnesses) or any(not s for s in secrets_):
            raise errors.ValidationFailed(
                f"请填写全部{len(witnesses)}名见证人的揭示值。", code="reveals_required"
            )
        for witness, secret in zip(witnesses, secrets_, strict=True):
            if drawengine.witness_commitment(secret) != witness.commitment:
                raise errors.ValidationFailed(
                    f"见证人“{witness.name}”的揭示值与其承诺值不符。",
                    code="witness_reveal_mismatch",
                    witness=witness.name,
                )
            witness.revealed_secret = secret
        return drawengine.witness_entropy(secrets_), witnesses
    if announcement.entropy_kind == EntropyKind.PUBLIC_NUMBER:
        if not public_number.strip():
            raise errors.ValidationFailed(
                f"请填写公开号码：{announcement.entropy_spec}。", code="public_number_required"
            )
        value = drawengine.normalise_public_number(public_number)
        if not value:
            raise errors.ValidationFailed(
                "公开号码只能包含数字、空格和常用分隔符（如逗号、顿号、短横线）。",
                code="public_number_invalid",
            )
        return value[:200], []
    return secrets.token_hex(32), []


def _task_defaults() -> dict[str, Any]:
    """Column defaults for COPY: every concrete column, so later fields need no change here."""
    values: dict[str, Any] = {}
    for f in InspectionTask._meta.concrete_fields:
        if f.primary_key:
            continue
        values[str(f.column)] = f.get_default()
    return values


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def _copy_lines(table: str, columns: Sequence[str], lines: Iterator[str]) -> None:
    """COPY in text format from rows already rendered (``_copy_text`` per value, tab-joined),
    written in blocks: far cheaper per row than ``write_row``."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(sql) as copy:
            block: list[str] = []
            for line in lines:
                block.append(line)
                if len(block) >= 5000:
                    copy.write("\n".join(block) + "\n")
                    block.clear()
            if block:
                copy.write("\n".join(block) + "\n")


def _store_tasks(*, plan: InspectionPlan, draw: Draw, tasks: list[list[Any]]) -> None:
    """Tasks belong to the plan's organisation (the one that runs the inspection)."""
    now = clock.now()
    category_of = {s.key: s.category_id for s in plan.strata.all()}
    numbers = [f"{plan.year}-{plan.pk}-{draw.number}-{i:06d}" for i in range(1, len(tasks) + 1)]
    if connection.vendor == "postgresql" and len(tasks) > COPY_THRESHOLD:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [InspectionTask._meta.db_table, len(tasks)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        base = _task_defaults()
        base.update(
            {
                "plan_id": plan.pk,
                "draw_id": draw.pk,
                "state": TaskState.ASSIGNED,
                "created_at": now,
                "organisation_id": plan.organisation_id,
            }
        )
        columns = ["id", *base]
        # every value but five is the same in each row: render those once
        template = [_copy_text(v) for v in base.values()]
        index = {c: i for i, c in enumerate(base)}
        at_key, at_category = index["stratum_key"], index["category_id"]
        at_entity, at_number = index["entity_id"], index["number"]
        key_text = {key: _copy_text(key) for key in category_of}

        def task_lines() -> Iterator[str]:
            row = list(template)
            for task_id, number, (key, entity, _team) in zip(ids, numbers, tasks, strict=True):
                row[at_key] = key_text[key]
                row[at_category] = str(category_of[key])
                row[at_entity] = str(entity)
                row[at_number] = _copy_text(number)
                yield f"{task_id}\t" + "\t".join(row)

        _copy_lines(InspectionTask._meta.db_table, columns, task_lines())

        lead, member = str(InspectorRole.LEAD), str(InspectorRole.MEMBER)

        def member_lines() -> Iterator[str]:
            for task_id, (_key, _entity, team) in zip(ids, tasks, strict=True):
                for position, officer_id in enumerate(team):
                    yield f"{task_id}\t{int(officer_id)}\t{lead if position == 0 else member}"

        _copy_lines(TaskInspector._meta.db_table, ["task_id", "officer_id", "role"], member_lines())
        return
    created = InspectionTask.objects.bulk_create(
        [
            InspectionTask(
                plan=plan,
                draw=draw,
                stratum_key=key,
                category_id=category_of[key],
                entity_id=entity,
                organisation_id=plan.organisation_id,
                number=number,
                state=TaskState.ASSIGNED,
            )
            for number, (key, entity, _team) in zip(numbers, tasks, strict=True)
        ],
        batch_size=1000,
    )
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(
                task_id=task.pk,
                officer_id=officer_id,
                role=InspectorRole.LEAD if position == 0 else InspectorRole.MEMBER,
            )
            for task, (_key, _entity, team) in zip(created, tasks, strict=True)
            for position, officer_id in enumerate(team)
        ],
        batch_size=2000,
    )


def draw_run(
    *,
    actor: User,
    plan: InspectionPlan,
    reveals: Sequence[str] = (),
    public_number: str = "",
) -> Draw:
    """Run the draw of ``plan``'s latest announcement. Exactly one of concurrent calls wins: the
    plan row is locked and an announcement is drawn once (the partial unique index on effective
    draws is the backstop). A refused attempt is recorded in the audit chain after rollback."""
    require_cap(actor, Cap.INSPECTION_DRAW, action="inspection.draw_run")
    require_in_scope(actor, plan.organisation, action="inspection.draw_run")
    try:
        with transaction.atomic(durable=True):
            return _draw_locked(
                actor=actor, plan_id=plan.pk, reveals=reveals, public_number=public_number
            )
    except (errors.ValidationFailed, errors.Conflict) as exc:
        with transaction.atomic(durable=True):
            audit.append(
                actor=actor,
                action="inspection.draw_refused",
                obj=plan,
                details={"code": exc.code, "message": exc.message, **_scalars(exc.details)},
            )
        raise


def _scalars(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in details.items()
        if isinstance(v, str | int | float | bool | list) and k not in {"code", "message"}
    }


def _draw_locked(*, actor: User, plan_id: int, reveals: Sequence[str], public_number: str) -> Draw:
    plan = InspectionPlan.objects.select_for_update().select_related("organisation").get(pk=plan_id)
    announcement = plan.announcements.order_by("-number").first()
    if announcement is None or plan.status not in (PlanStatus.ANNOUNCED, PlanStatus.DRAWN):
        raise errors.InvalidTransition("计划尚未公告，不能抽取。", code="plan_not_announced")
    if announcement.draws.exists():
        raise errors.Conflict(
            "本公告已抽取（可能有人同时进行了抽取）。如需重新抽取，请申请并经批准后重新公告。",
            code="already_drawn",
        )
    previous = Draw.objects.filter(plan=plan, status=DrawStatus.EFFECTIVE).first()
    redraw: RedrawRequest | None = None
    if previous is not None:
        redraw = (
            RedrawRequest.objects.select_for_update()
            .filter(plan=plan, draw=previous, state=RedrawState.APPROVED)
            .order_by("-decided_at")
            .first()
        )
        if redraw is None:
            raise errors.Conflict(
                "计划已有有效抽取；重新抽取须先经领导批准。", code="redraw_not_approved"
            )
        assert redraw.decided_at is not None
        if announcement.published_at < redraw.decided_at:
            raise errors.Conflict(
                "重新抽取须在批准后重新公告。", code="announcement_predates_redraw"
            )
        # Lock the old tasks first: task_start locks its row too, so no task can start between
        # this check and their cancellation below.
        old_states = list(
            InspectionTask.objects.select_for_update()
            .filter(draw=previous)
            .order_by("pk")
            .values_list("state", flat=True)
        )
        if any(state != TaskState.ASSIGNED for state in old_states):
            raise errors.Conflict("原抽取的任务已开始实施，不能重新抽取。", code="tasks_started")
    entropy, witnesses = _entropy(announcement, reveals, public_number)

    # The engine ranks the lists fixed in the announcement; meanwhile the database recomputes
    # the current lists' counts and hashes, which must be exactly those announced.
    announced = {m["key"]: m for m in announcement.strata}
    frozen_lists = drawengine.unpack_lists(bytes(announcement.candidates_blob))
    plan_strata = list(plan.strata.order_by("key"))
    strata = [
        drawengine.Stratum(
            key=stratum.key,
            category=stratum.category_id,
            candidates=frozen_lists.get(stratum.key, ([], None))[0],
            quota=stratum.quota,
            ratio_bp=_ratio_bp(stratum),
            weighted=stratum.weighted,
            weights=frozen_lists.get(stratum.key, ([], None))[1] if stratum.weighted else None,
        )
        for stratum in plan_strata
    ]
    inputs = _inputs(plan, strata, list(announcement.pool), entropy)
    # The facts the engine reads for a drawn entity (its division code and last team) are those
    # fixed in the announcement: an edit after it cannot reach the draw, and the draw stays a
    # function of its published inputs. (Announcements made before the context was fixed carry
    # none: for them the facts are read now.)
    fixed_context = bytes(announcement.context_blob)

    def context_for(entity_ids: list[int]) -> Mapping[int, tuple[str, Sequence[int]]]:
        if fixed_context:
            return drawengine.context_lookup(fixed_context, entity_ids)
        return _current_context(entity_ids)

    with _current_lists(plan, plan_strata, overlap=bool(fixed_context)) as current:
        outcome = drawengine.run(inputs, context_for)
    changed = sorted(
        s.key
        for s in strata
        if s.key not in announced
        or s.key not in frozen_lists
        or current.lists.get(s.key) != (announced[s.key]["count"], announced[s.key]["hash"])
        or s.hash() != announced[s.key]["hash"]
    )
    if changed or set(announced) != {s.key for s in strata}:
        raise errors.Conflict(
            "公告后候选名单已发生变化（哈希值不一致），本次抽取被拒绝。请重新公告后再抽取。",
            code="candidates_changed",
            strata=changed or sorted(set(announced) ^ {s.key for s in strata}),
        )
    pool = build_pool(plan)
    if drawengine.pool_hash(pool) != announcement.pool_hash or (
        outcome.pool_hash != announcement.pool_hash  # the stored pool the engine used
    ):
        raise errors.Conflict(
            "公告后检查人员库已发生变化（哈希值不一致），本次抽取被拒绝。请重新公告后再抽取。",
            code="pool_changed",
        )
    if inputs.params() != announcement.params:
        raise errors.Conflict("公告后抽取参数已变化。", code="params_changed")
    result = outcome.result

    number = (plan.draws.aggregate(n=Max("number"))["n"] or 0) + 1
    if previous is not None:
        previous.status = DrawStatus.SUPERSEDED
        previous.save(update_fields=["status"])
        cancelled = InspectionTask.objects.filter(draw=previous, state=TaskState.ASSIGNED).update(
            state=TaskState.CANCELLED
        )
        if cancelled != len(old_states):
            raise errors.Conflict("原抽取的任务已开始实施，不能重新抽取。", code="tasks_started")
    draw = Draw.objects.create(
        plan=plan,
        announcement=announcement,
        number=number,
        status=DrawStatus.EFFECTIVE,
        seed=outcome.seed,
        entropy_value=entropy,
        params=inputs.params(),
        context=result["context"],
        result_blob=drawengine.pack_result(
            {k: v for k, v in result.items() if k not in ("context", "infeasible", "skips")}
        ),
        result_hash=outcome.result_hash,
        task_count=len(result["tasks"]),
        infeasible=result["infeasible"],
        skip_log=result["skips"],
        reason=redraw.reason if redraw else "",
        created_by=actor,
        approved_by=redraw.decided_by if redraw else None,
    )
    if witnesses:
        now = clock.now()
        for witness in witnesses:
            witness.revealed_at = now
        Witness.objects.bulk_update(witnesses, ["revealed_secret", "revealed_at"])
    if redraw is not None:
        redraw.state = RedrawState.USED
        redraw.save(update_fields=["state"])
    _store_tasks(plan=plan, draw=draw, tasks=result["tasks"])
    plan.status = PlanStatus.DRAWN
    plan.save(update_fields=["status", "updated_at"])
    audit.append(
        actor=actor,
        action="inspection.drawn",
        obj=plan,
        details={
            "draw": number,
            "announcement": announcement.number,
            "announcement_hash": announcement.announcement_hash,
            "algorithm_version": drawengine.ALGORITHM_VERSION,
            "seed": outcome.seed,
            "entropy_kind": announcement.entropy_kind,
            "entropy": entropy,
            "lists": outcome.list_hashes,
            "pool_hash": outcome.pool_hash,
            "result_hash": outcome.result_hash,
            "tasks": len(result["tasks"]),
            "infeasible_strata": sorted(result["infeasible"]["strata"]),
            "infeasible_tasks": len(result["infeasible"]["tasks"]),
            "supersedes": previous.number if previous else None,
            "reason": draw.reason,
        },
    )
    plan_window_deadline_ensure(actor=actor, plan=plan)
    return draw


# --- re-draws ----------------------------------------------------------------------------------


def redraw_request(*, actor: User, plan: InspectionPlan, reason: str) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_DRAW, action="inspection.redraw_request")
    require_in_scope(actor, plan.organisation, action="inspection.redraw_request")
    reason = reason.strip()
    if len(reason) < 4:
        raise errors.ValidationFailed("请写明重新抽取的理由。", code="reason_required")
    with transaction.atomic(durable=True):
        locked = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        current = Draw.objects.filter(plan=locked, status=DrawStatus.EFFECTIVE).first()
        if current is None:
            raise errors.InvalidTransition("计划尚无有效抽取。", code="no_effective_draw")
        if RedrawRequest.objects.filter(
            plan=locked, state__in=[RedrawState.PENDING, RedrawState.APPROVED]
        ).exists():
            raise errors.Conflict("已有待审批或已批准的重新抽取申请。", code="redraw_open")
        request = RedrawRequest.objects.create(
            plan=locked, draw=current, reason=reason[:500], requested_by=actor
        )
        audit.append(
            actor=actor,
            action="inspection.redraw_requested",
            obj=locked,
            details={"request": request.pk, "draw": current.number, "reason": request.reason},
        )
    return request


def redraw_decide(
    *, actor: User, request: RedrawRequest, approve: bool, note: str = ""
) -> RedrawRequest:
    require_cap(actor, Cap.INSPECTION_APPROVE, action="inspection.redraw_decide")
    require_in_scope(actor, request.plan.organisation, action="inspection.redraw_decide")
    note = note.strip()
    if not approve and not note:
        raise errors.ValidationFailed("驳回须写明意见。", code="note_required")
    with transaction.atomic(durable=True):
        InspectionPlan.objects.select_for_update().get(pk=request.plan_id)
        locked = RedrawRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != RedrawState.PENDING:
            raise errors.InvalidTransition("该申请已处理。", code="redraw_not_pending")
        if locked.requested_by_id == actor.pk:
            raise errors.PermissionDenied("不能审批本人提出的重新抽取申请。", code="self_approval")
        locked.state = RedrawState.APPROVED if approve else RedrawState.REJECTED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.decision_note = note[:500]
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        audit.append(
            actor=actor,
            action="inspection.redraw_approved" if approve else "inspection.redraw_rejected",
            obj=locked.plan,
            details={"request": locked.pk, "note": locked.decision_note},
        )
    return locked
