"""``fazhi draw verify PLAN_ID [--draw N]`` and ``fazhi draw export PLAN_ID [--draw N]``.

``verify`` recomputes the draw from the database (its announcement, frozen lists, pool and
entropy) and also checks that the stored tasks still say what the draw said; prints OK or the
first difference (exit 0/1); ``--expect-announcement HASH`` also fails when the announcement
hash differs from the copy taken before the draw (the anchor), and a draw on server randomness
is reported as not publicly verifiable. ``export`` prints the published export JSON.
Both act as the user named by ``--user`` (scope applies) or, by default, as the system.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fazhi.core import errors
from fazhi.core.audit import record_denial
from fazhi.core.models import User
from fazhi.inspections import drawv2
from fazhi.inspections.models import Draw, DrawState
from fazhi.inspections.selectors import draws as selectors
from fazhi.inspections.selectors.plans import plan_get


class Command(BaseCommand):
    help = "Verify or export an inspection draw (双随机抽取验证/导出)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "export"])
        parser.add_argument("plan_id", type=int)
        parser.add_argument("--draw", type=int, help="draw number (default: the effective one)")
        parser.add_argument("--user", help="act as this username (data scope applies)")
        parser.add_argument(
            "--expect-announcement",
            help="the announcement hash as published before the draw (fails when it differs)",
        )

    def _draw(self, plan_id: int, number: int | None, username: str | None) -> Draw:
        qs = Draw.objects.filter(plan_id=plan_id).select_related(
            "plan", "plan__organisation", "announcement"
        )
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"unknown user {username}")
            try:
                plan = plan_get(user=user, pk=plan_id)
            except errors.FazhiError as exc:
                record_denial(actor=user, action="draw command", reason=exc.code, plan=plan_id)
                raise CommandError(f"{exc.code}: {exc.message}") from exc
            qs = qs.filter(plan=plan)
        if number is not None:
            found = qs.filter(number=number).first()
        else:
            found = qs.filter(state=DrawState.EFFECTIVE).first() or qs.order_by("-number").first()
        if found is None:
            raise CommandError(f"plan {plan_id} has no such draw")
        return found

    def handle(self, *args: Any, **options: Any) -> None:
        draw = self._draw(options["plan_id"], options["draw"], options["user"])
        export = selectors.export_draw(draw)
        if options["action"] == "export":
            self.stdout.write(json.dumps(export, ensure_ascii=False, sort_keys=True))
            return
        problem = selectors.verify_stored_draw(draw, export)
        expected = options.get("expect_announcement")
        if not problem and expected:
            problem = drawv2.verify_export(export, expect_announcement=expected)
        if problem:
            self.stdout.write(f"MISMATCH: {problem}")
            raise SystemExit(1)
        self.stdout.write(
            f"OK plan {draw.plan_id} draw {draw.number} ({draw.get_state_display()}): "
            f"{draw.task_count} tasks, seed {draw.seed}, result hash {draw.result_hash}"
            + (
                ""
                if drawv2.publicly_verifiable(export)
                else " — NOT PUBLICLY VERIFIABLE (server randomness)"
            )
        )
