"""Nothing but ``fazhi.core.workflow`` sets a workflow's state field.

The test reads every module under ``fazhi/`` (tests and migrations aside) and fails on each
place that assigns a state field it can see: ``x.state = …``, ``setattr(x, "state", …)``,
``.update(state=…)``, ``.update(**{"state": …})`` and ``.bulk_update(…, ["state"])``. Creating a
row in an initial state (``Model.objects.create(state=…)``, ``Model(state=…)``) is not a change
and is allowed. A state changes through ``workflow.transition`` / ``transition_many``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fazhi.core import workflow

FAZHI = Path(__file__).resolve().parents[2]
ROOT = FAZHI.parent
THE_MECHANISM = "fazhi/core/workflow.py"

# Modules allowed to assign a state outside the mechanism: none. Kept so that a module moving
# onto a workflow table in steps can be listed, and the list is checked not to rot.
NOT_YET_MIGRATED: set[str] = set()


def state_fields() -> set[str]:
    return {"state"} | {w.field for w in workflow.all_workflows()}


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def assignments(tree: ast.AST, fields: set[str]) -> list[tuple[int, str]]:
    """(line, what) for every visible assignment of one of ``fields``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):  # a, b.state = … and (x.state, y) = … too
                if isinstance(leaf, ast.Attribute) and leaf.attr in fields:
                    found.append((target.lineno, f"{ast.unparse(leaf)} = …"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "setattr" and len(node.args) >= 2 and _string(node.args[1]) in fields:
            found.append((node.lineno, f'setattr(…, "{_string(node.args[1])}", …)'))
        elif name == "update":
            for kw in node.keywords:
                if kw.arg in fields:
                    found.append((node.lineno, f".update({kw.arg}=…)"))
                elif kw.arg is None and isinstance(kw.value, ast.Dict):
                    keys = {_string(k) for k in kw.value.keys if k is not None}
                    for key in sorted(k for k in keys if k is not None and k in fields):
                        found.append((node.lineno, f'.update(**{{"{key}": …}})'))
        elif name == "bulk_update" and len(node.args) >= 2:
            listed = node.args[1]
            if isinstance(listed, ast.List | ast.Tuple | ast.Set):
                named = {_string(e) for e in listed.elts}
                for key in sorted(k for k in named if k is not None and k in fields):
                    found.append((node.lineno, f'.bulk_update(…, ["{key}"])'))
    return sorted(found)


def modules() -> list[Path]:
    return sorted(
        path
        for path in FAZHI.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(FAZHI).parts)
    )


def violations() -> dict[str, list[str]]:
    fields = state_fields()
    found: dict[str, list[str]] = {}
    for path in modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative == THE_MECHANISM:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        hits = [f"{relative}:{line}: {what}" for line, what in assignments(tree, fields)]
        if hits:
            found[relative] = hits
    return found


def test_only_the_workflow_mechanism_sets_a_state():
    found = violations()
    unexpected = [
        hit for module, hits in found.items() if module not in NOT_YET_MIGRATED for hit in hits
    ]
    assert not unexpected, (
        "set a state only through fazhi.core.workflow.transition / transition_many:\n"
        + "\n".join(unexpected)
    )


def test_the_not_yet_migrated_list_does_not_rot():
    done = sorted(module for module in NOT_YET_MIGRATED if module not in violations())
    assert not done, (
        f"these modules no longer assign a state: drop them from NOT_YET_MIGRATED: {done}"
    )


def test_the_scan_sees_every_shape():
    source = """
row.state = "done"
a, b.state = 1, 2
row.state: str = "x"
setattr(row, "state", "done")
Task.objects.filter(pk=1).update(state="done")
Task.objects.filter(pk=1).update(**{"state": "done", "note": ""})
Task.objects.bulk_update(rows, ["state", "note"])
Task.objects.create(state="draft")
Task(state="draft")
row.status = "other"
setattr(row, name, value)
"""
    lines = [line for line, _ in assignments(ast.parse(source), {"state"})]
    assert lines == [2, 3, 4, 5, 6, 7, 8]
