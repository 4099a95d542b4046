"""The audit chain: appends, rollbacks, and tampering behind the application's back."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from fazhi.core import audit, audit_verify
from fazhi.core.models import AuditEvent, ChainHead, Role
from fazhi.core.models.audit import GENESIS_HASH
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.core.tests.probe_events import ProbeEvents

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


def _append(n: int, *, actor=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit.append(actor=actor, action=ProbeEvents.EVENT, details={"i": i}))
    return events


def _sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _last_seq() -> int:
    return ChainHead.objects.get(pk=1).last_seq


def test_append_links_events_in_sequence():
    tree = make_org_tree()
    user = make_user(tree.districts[0], Role.SUPERVISOR)
    start = _last_seq()
    with transaction.atomic():
        first = audit.append(
            actor=user, action=ProbeEvents.ONE, obj=tree.districts[1], details={"b": 1}
        )
        second = audit.append(
            actor=user, action=ProbeEvents.TWO, details={"z": "中文", "a": [1, 2]}
        )
    assert (first.seq, second.seq) == (start + 1, start + 2)
    assert second.prev_hash == first.hash
    assert first.object_type == "core.organisation"
    assert first.object_id == str(tree.districts[1].pk)
    assert first.organisation_id == tree.districts[1].pk  # the object's organisation wins
    assert second.organisation_id == tree.districts[0].pk  # else the actor's
    assert first.actor_id == user.pk and first.actor_name == user.full_name
    assert second.details_json == '{"a":[1,2],"z":"中文"}'
    assert first.hash == audit.event_hash(
        prev_hash=first.prev_hash,
        seq=first.seq,
        created_at=first.created_at,
        actor_id=first.actor_id,
        actor_name=first.actor_name,
        organisation_id=first.organisation_id,
        action=first.action,
        object_type=first.object_type,
        object_id=first.object_id,
        details_json=first.details_json,
    )
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (second.seq, second.hash)
    assert audit_verify.verify().summary() == f"OK {second.seq} events"


def test_first_event_chains_onto_genesis():
    (event,) = _append(1)
    assert event.seq == 1
    assert event.prev_hash == GENESIS_HASH
    assert event.actor_id is None and event.actor_name == "system"


def test_empty_chain_verifies():
    assert audit_verify.verify().summary() == "OK 0 events"


def test_rollback_leaves_no_event_and_no_gap():
    _append(3)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.append(actor=None, action=ProbeEvents.DOOMED)
        1 / 0  # noqa: B018
    assert not AuditEvent.objects.filter(action=ProbeEvents.DOOMED).exists()
    (after,) = _append(1)
    assert after.seq == 4
    assert audit_verify.verify().ok


def test_record_denial_is_chained():
    tree = make_org_tree()
    user = make_user(tree.districts[0], Role.VIEWER)
    audit.record_denial(actor=user, action="POST /x/", reason="permission_denied", extra=1)
    event = AuditEvent.objects.get(action="access.denied")
    assert json.loads(event.details_json) == {
        "attempted": "POST /x/",
        "reason": "permission_denied",
        "extra": 1,
    }
    assert event.actor_id == user.pk
    assert audit_verify.verify().ok


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit.append(actor=None, action=ProbeEvents.LOOSE)
    assert not AuditEvent.objects.exists()


# --- tampering --------------------------------------------------------------------------------


@pytest.fixture
def chain():
    """Ten events after a realistic set-up made through the services."""
    make_org_tree()
    _append(10)
    result = audit_verify.verify()
    assert result.ok
    return result.count


def _broken(expected_seq: int) -> str:
    result = audit_verify.verify()
    assert not result.ok
    assert result.broken_seq == expected_seq, result.summary()
    return result.reason


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("details_json", '{"i":999}'),
        ("action", "test.innocent"),
        ("actor_name", "某人"),
        ("actor_id", 424242),
        ("organisation_id", 424242),
        ("object_id", "77"),
        ("object_type", "core.user"),
    ],
)
def test_altered_column_is_caught_at_its_seq(chain, column, value):
    target = chain - 4
    _sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = %s", [value, target])  # noqa: S608
    assert _broken(target) == "content does not match its hash"


def test_altered_time_is_caught(chain):
    target = chain - 2
    event = AuditEvent.objects.get(seq=target)
    moved = connection.ops.adapt_datetimefield_value(event.created_at + dt.timedelta(seconds=1))
    _sql(f"UPDATE {TABLE} SET created_at = %s WHERE seq = %s", [moved, target])  # noqa: S608
    assert _broken(target) == "content does not match its hash"


def test_even_a_microsecond_is_caught(chain):
    target = 3
    event = AuditEvent.objects.get(seq=target)
    moved = connection.ops.adapt_datetimefield_value(
        event.created_at + dt.timedelta(microseconds=1)
    )
    _sql(f"UPDATE {TABLE} SET created_at = %s WHERE seq = %s", [moved, target])  # noqa: S608
    assert _broken(target) == "content does not match its hash"


def test_event_intact_checks_one_event_and_its_links(chain):
    middle = AuditEvent.objects.get(seq=chain - 5)
    last = AuditEvent.objects.get(seq=chain)
    # last: linked by the head
    assert audit_verify.event_intact(middle) and audit_verify.event_intact(last)
    # its body edited: no longer its hash
    _sql(f"UPDATE {TABLE} SET details_json = %s WHERE seq = %s", ['{"i":-1}', middle.seq])  # noqa: S608
    assert not audit_verify.event_intact(AuditEvent.objects.get(seq=middle.seq))
    # rewritten with a recomputed hash: the next event no longer names it
    values = {f: getattr(middle, f) for f in ("seq", "created_at", "actor_id", "actor_name")}
    values |= {f: getattr(middle, f) for f in ("organisation_id", "action", "object_type")}
    forged = audit.event_hash(
        prev_hash=middle.prev_hash, object_id=middle.object_id, details_json='{"i":-1}', **values
    )
    _sql(f"UPDATE {TABLE} SET hash = %s WHERE seq = %s", [forged, middle.seq])  # noqa: S608
    assert not audit_verify.event_intact(AuditEvent.objects.get(seq=middle.seq))
    # the last event rewritten likewise: the chain head no longer names it
    forged_last = audit.event_hash(
        prev_hash=last.prev_hash,
        **{f: getattr(last, f) for f in ("seq", "created_at", "actor_id", "actor_name")},
        **{f: getattr(last, f) for f in ("organisation_id", "action", "object_type")},
        object_id=last.object_id,
        details_json='{"i":-2}',
    )
    _sql(
        f"UPDATE {TABLE} SET details_json = %s, hash = %s WHERE seq = %s",  # noqa: S608
        ['{"i":-2}', forged_last, last.seq],
    )
    assert not audit_verify.event_intact(AuditEvent.objects.get(seq=last.seq))


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link(chain):
    target = chain - 5
    event = AuditEvent.objects.get(seq=target)
    forged = audit.event_hash(
        prev_hash=event.prev_hash,
        seq=event.seq,
        created_at=event.created_at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        organisation_id=event.organisation_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        details_json='{"i":-1}',
    )
    _sql(
        f"UPDATE {TABLE} SET details_json = %s, hash = %s WHERE seq = %s",  # noqa: S608
        ['{"i":-1}', forged, target],
    )
    assert _broken(target + 1) == "prev_hash does not match the previous event"


def test_deleted_row_is_caught(chain):
    target = chain - 3
    _sql(f"DELETE FROM {TABLE} WHERE seq = %s", [target])  # noqa: S608
    assert _broken(target).startswith("missing event")


def test_inserted_row_is_caught(chain):
    target = 5
    before = AuditEvent.objects.get(seq=target - 1)
    # Make room by renumbering the rest (two steps keep the unique index happy).
    _sql(f"UPDATE {TABLE} SET seq = seq + 100000 WHERE seq >= %s", [target])  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = seq - 99999 WHERE seq >= 100000")  # noqa: S608
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                seq=target,
                created_at=before.created_at,
                action="test.forged",
                details_json="{}",
                prev_hash=before.hash,
                hash="f" * 64,
            )
        ]
    )
    assert _broken(target) == "content does not match its hash"


def test_row_appended_behind_the_head_is_caught(chain):
    last = AuditEvent.objects.get(seq=chain)
    values = {
        "seq": chain + 1,
        "created_at": last.created_at,
        "actor_id": None,
        "actor_name": "system",
        "organisation_id": None,
        "action": "test.forged",
        "object_type": "",
        "object_id": "",
        "details_json": "{}",
    }
    digest = audit.event_hash(prev_hash=last.hash, **values)
    AuditEvent.objects.bulk_create([AuditEvent(prev_hash=last.hash, hash=digest, **values)])
    assert "chain head" in _broken(chain + 2)


def test_truncated_tail_is_caught(chain):
    _sql(f"DELETE FROM {TABLE} WHERE seq > %s", [chain - 2])  # noqa: S608
    assert "truncated" in _broken(chain - 1)


def test_altered_prev_hash_is_caught(chain):
    _sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE seq = 2", ["a" * 64])  # noqa: S608
    assert _broken(2) == "prev_hash does not match the previous event"


def test_small_batches_and_early_stop(chain):
    # Many batches (and, on PostgreSQL, the prefetch thread) give the same answers.
    assert audit_verify.verify(chunk_size=3).summary() == f"OK {chain} events"
    assert audit_verify.read_rows(chunk_size=4) == chain
    _sql(f"UPDATE {TABLE} SET action = 'x' WHERE seq = 5")  # noqa: S608
    result = audit_verify.verify(chunk_size=2)
    assert (result.ok, result.broken_seq, result.count) == (False, 5, 4)
    assert audit_verify.read_rows(chunk_size=2) == chain  # the connection is usable afterwards


def test_altered_head_is_caught(chain):
    ChainHead.objects.filter(pk=1).update(last_hash="b" * 64)
    assert "chain head" in _broken(chain + 1)


# --- the command ------------------------------------------------------------------------------


def test_command_prints_ok(chain, capsys):
    call_command("audit", "verify")
    assert capsys.readouterr().out.strip() == f"OK {chain} events"


def test_command_exits_1_on_broken_chain(chain, capsys):
    _sql(f"UPDATE {TABLE} SET action = 'x' WHERE seq = 7")  # noqa: S608
    with pytest.raises(SystemExit) as info:
        call_command("audit", "verify")
    assert info.value.code == 1
    assert capsys.readouterr().out.strip() == "BROKEN at seq 7: content does not match its hash"


def test_command_head(chain, capsys):
    call_command("audit", "head")
    head = ChainHead.objects.get(pk=1)
    line = json.loads(capsys.readouterr().out)
    assert (line["seq"], line["hash"]) == (chain, head.last_hash)


# --- the hashed body --------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
_events = st.fixed_dictionaries(
    {
        "seq": st.integers(1, 10**12),
        "created_at": st.datetimes(timezones=st.just(dt.UTC)),
        "actor_id": st.none() | st.integers(1, 10**9),
        "actor_name": _text,
        "organisation_id": st.none() | st.integers(1, 10**9),
        "action": _text,
        "object_type": _text,
        "object_id": _text,
        "details_json": _text,
    }
)


@given(_events, _events)
def test_different_events_have_different_bodies(a, b):
    # Length prefixes make the body injective: text containing "|" or digits and ":" cannot
    # shift a boundary. (A hash collision is another matter; SHA-256 makes it impractical.)
    assert (audit.event_body(**a) == audit.event_body(**b)) == (a == b)


@given(_events, st.sampled_from(["actor_name", "action", "object_type", "object_id"]))
def test_moving_a_separator_between_fields_changes_the_body(event, field):
    shifted = dict(event)
    shifted[field] = event[field] + "|"
    shifted["details_json"] = event["details_json"][1:] if event["details_json"] else "x"
    assert audit.event_body(**event) != audit.event_body(**shifted)


def test_time_is_microseconds_since_the_epoch():
    moment = dt.datetime(2024, 12, 5, 8, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert audit.time_value(moment) == 1733358600123456
    assert audit.time_value(moment.replace(tzinfo=None)) == 1733387400123456  # naive is UTC


def test_anonymous_actor_is_named():
    from django.contrib.auth.models import AnonymousUser

    with transaction.atomic():
        event = audit.append(actor=AnonymousUser(), action=ProbeEvents.ANON)
    assert (event.actor_id, event.actor_name) == (None, "anonymous")
