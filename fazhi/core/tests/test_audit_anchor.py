"""Anchoring the chain outside the database: ``fazhi audit head`` exports the head, and
``verify --expect-head`` (or the API's ``expect_head``) checks that the chain still holds it.

Someone with write access to the database who knows the algorithm can forge a chain that
verifies on its own. Each such forgery is shown twice: done carelessly, ``verify`` alone catches
it as before; done carefully (hashes recomputed, head moved), ``verify`` alone passes and only the
comparison with a head exported earlier catches it. The last test shows what an anchor cannot
catch: events forged after the newest exported head.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import transaction
from rest_framework.test import APIClient

from fazhi.core import audit, audit_verify, errors
from fazhi.core.models import AuditEvent, ChainHead, Role
from fazhi.core.models.audit import GENESIS_HASH
from fazhi.core.tests.factories import make_org_tree, make_user
from fazhi.core.tests.probe_events import ProbeEvents

pytestmark = pytest.mark.django_db

FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "details_json",
)


def _append(n: int) -> None:
    for i in range(n):
        with transaction.atomic():
            audit.append(actor=None, action=ProbeEvents.EVENT, details={"i": i})


@pytest.fixture
def chain() -> int:
    make_org_tree()
    _append(10)
    assert audit_verify.verify().ok
    return ChainHead.objects.get(pk=1).last_seq


def _exported() -> str:
    """What the hourly job keeps outside the database."""
    return audit_verify.head_line()


def _rechain(from_seq: int) -> None:
    """The careful forger: recompute every hash from ``from_seq`` on and move the head."""
    previous = AuditEvent.objects.filter(seq=from_seq - 1).values_list("hash", flat=True).first()
    prev_hash = previous or GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=from_seq).order_by("seq"):
        digest = audit.event_hash(prev_hash=prev_hash, **{f: getattr(event, f) for f in FIELDS})
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev_hash, hash=digest)
        prev_hash = digest
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, digest = last if last is not None else (0, GENESIS_HASH)
    ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=digest)


def _forge_events(after: int, count: int, *, head: bool) -> None:
    """Events written straight into the table after ``after`` (hash-correct, linked)."""
    last = AuditEvent.objects.get(seq=after)
    prev_hash = last.hash
    for n in range(1, count + 1):
        values = {
            "seq": after + n,
            "created_at": last.created_at,
            "actor_id": None,
            "actor_name": "system",
            "organisation_id": None,
            "action": "test.forged",
            "object_type": "",
            "object_id": "",
            "details_json": json.dumps({"forged": n}),
        }
        digest = audit.event_hash(prev_hash=prev_hash, **values)
        AuditEvent.objects.create(prev_hash=prev_hash, hash=digest, **values)
        prev_hash = digest
    if head:
        ChainHead.objects.filter(pk=1).update(last_seq=after + count, last_hash=prev_hash)


def _verify(*args: str) -> tuple[int, str]:
    """Run the command; its exit status and output."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


# --- exporting and reading an anchor -----------------------------------------------------------


def test_head_is_one_json_line_that_reads_back_as_an_anchor(chain, capsys):
    call_command("audit", "head")
    line = capsys.readouterr().out.strip()
    data = json.loads(line)
    head = ChainHead.objects.get(pk=1)
    assert data["seq"] == chain == head.last_seq and data["hash"] == head.last_hash
    assert data["time"].endswith("+00:00")
    assert audit_verify.Anchor.parse(line) == audit_verify.Anchor(chain, head.last_hash)
    assert audit_verify.Anchor.parse(f"{chain}:{head.last_hash}") == audit_verify.Anchor(
        chain, head.last_hash
    )
    assert audit_verify.Anchor.parse(head.last_hash.upper()) == audit_verify.Anchor(
        None, head.last_hash
    )


@pytest.mark.parametrize(
    "text",
    ["", "12:abc", "x:" + "a" * 64, "-1:" + "a" * 64, '{"seq": true, "hash": "' + "a" * 64 + '"}'],
)
def test_a_malformed_anchor_is_bad_input(chain, text):
    with pytest.raises(errors.ValidationFailed) as exc:
        audit_verify.Anchor.parse(text)
    assert exc.value.code == "bad_anchor"
    assert _verify(f"--expect-head={text}")[0] == 2


def test_a_chain_that_extends_the_anchor_passes(chain):
    anchor = _exported()
    _append(5)
    status, out = _verify("--expect-head", anchor)
    assert status == 0
    assert out.splitlines() == [
        f"OK {chain + 5} events",
        f"ANCHOR OK at seq {chain}: the chain contains the anchored event",
    ]
    # a bare hash pins the same prefix (the hash commits to its seq); the genesis always holds
    bare = json.loads(anchor)["hash"]
    assert _verify("--expect-head", bare, "--expect-head", "0:" + GENESIS_HASH)[0] == 0


# --- the three forgeries ---------------------------------------------------------------------


def test_a_recomputed_chain(chain):
    anchor = _exported()
    target = 3
    AuditEvent.objects.filter(seq=target).update(details_json='{"i":-1}')
    # careless: verify alone catches it, as before
    assert audit_verify.verify().broken_seq == target
    _rechain(target)
    assert audit_verify.verify().ok  # careful: the chain verifies on its own
    status, out = _verify("--expect-head", anchor)
    assert status == 1
    assert out.splitlines() == [
        f"OK {chain} events",
        f"ANCHOR BROKEN at seq {chain}: the event differs from the anchor: the chain was "
        "rewritten at or before it",
    ]


def test_a_deleted_tail(chain):
    anchor = _exported()
    AuditEvent.objects.filter(seq__gt=chain - 3).delete()
    careless = audit_verify.verify()
    assert not careless.ok and "truncated" in careless.reason  # as before
    _rechain(chain - 2)  # nothing left to rehash: only the head is moved back
    assert audit_verify.verify().ok
    status, out = _verify("--expect-head", anchor)
    assert status == 1
    assert out.splitlines()[-1] == (
        f"ANCHOR BROKEN at seq {chain}: the chain ends at seq {chain - 3}, before the anchored "
        "event: events were removed"
    )


def test_a_forged_tail(chain):
    anchor = _exported()
    # careless: forged events appended without moving the head
    _forge_events(chain, 2, head=False)
    assert "chain head" in audit_verify.verify().reason
    AuditEvent.objects.filter(seq__gt=chain).delete()
    # careful: the last two anchored events replaced by forged ones, more appended, head moved
    AuditEvent.objects.filter(seq__gt=chain - 2).delete()
    _forge_events(chain - 2, 4, head=True)
    assert audit_verify.verify().ok
    status, out = _verify("--expect-head", anchor)
    assert status == 1 and "ANCHOR BROKEN at seq" in out


def test_what_an_anchor_cannot_catch(chain):
    """Events forged after the newest exported head extend it like real ones: the anchor pins
    the past up to its seq, never what comes after. Export often; docs/audit.md says so."""
    anchor = _exported()
    _forge_events(chain, 3, head=True)
    assert audit_verify.verify().ok
    assert _verify("--expect-head", anchor)[0] == 0


def test_a_file_of_exported_heads_is_checked_line_by_line(chain, tmp_path):
    lines = [_exported()]
    for _ in range(3):
        _append(2)
        lines.append(_exported())
    anchors = tmp_path / "anchors.jsonl"
    anchors.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _verify("--anchors", str(anchors))[0] == 0
    AuditEvent.objects.filter(seq=chain + 3).update(details_json='{"i":-9}')
    _rechain(chain + 3)
    status, out = _verify("--anchors", str(anchors))
    assert status == 1
    results = [line for line in out.splitlines() if line.startswith("ANCHOR")]
    assert [r.startswith("ANCHOR OK") for r in results] == [True, True, False, False]
    assert _verify("--anchors", str(tmp_path / "missing.jsonl"))[0] == 2


# --- the API -------------------------------------------------------------------------------


def test_the_api_takes_an_expected_head(chain):
    tree = make_org_tree()
    client = APIClient()
    client.force_authenticate(make_user(tree.province, Role.SYSTEM_ADMIN))
    anchor = _exported()
    seq = json.loads(anchor)["seq"]
    good = client.post("/api/audit/verify/", {"expect_head": anchor}, format="json").json()
    assert good["ok"] is True
    assert good["anchor"] == {
        "expected": f"{seq}:{json.loads(anchor)['hash']}",
        "ok": True,
        "seq": seq,
        "reason": "the chain contains the anchored event",
    }
    assert client.post("/api/audit/verify/").json()["anchor"] is None
    AuditEvent.objects.filter(seq=2).update(details_json='{"i":-2}')
    _rechain(2)
    forged = client.post("/api/audit/verify/", {"expect_head": anchor}, format="json").json()
    assert forged["summary"].startswith("OK")  # the chain alone verifies
    assert forged["ok"] is False and forged["anchor"]["ok"] is False
    bad = client.post("/api/audit/verify/", {"expect_head": "12:zz"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_anchor"
