"""One workflow mechanism: every state change of every record goes through ``transition``.

A workflow is a table: its states (a ``TextChoices``), the states a record may start in, and its
actions, each with the states it leaves from, the state it goes to, the guards that must hold,
and the audit event it writes. ``transition`` locks the row, checks the table, runs the guards,
saves the new state (and any other fields the service changes with it) and appends the event,
all inside the caller's transaction. Nothing else assigns a state field (``test_workflow_only``
reads the code to make sure), and ``docs/workflows.md`` is generated from the tables
(``fazhi workflows docs``; ``make lint`` fails when it is stale).

A guard explains itself: it raises a ``FazhiError`` whose Chinese message says what is missing
and whose code is stable. A state that does not allow the action is refused with the action's
own ``refusal`` code when it has one (codes that clients already know, e.g. ``plan_not_draft``)
or ``invalid_transition``; the message names the current state and the action.

Where the service, not the table, decides where a record goes among several states (a deadline
recomputed from the calendar is open, overdue or still waiting), the action lists its
``targets`` and the service passes ``target=``.

Choice (decision 0013): a small module of our own rather than django-fsm-2, whose transitions are
model-method decorators: it neither locks the row nor writes our audit event, its conditions
cannot explain a refusal, and its tables are not data we can render or test as a whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, models

from fazhi.core import audit, errors
from fazhi.core.events import EventName

M = TypeVar("M", bound=models.Model)
GuardCheck = Callable[[Any, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Guard:
    """A precondition: ``check(row, ctx)`` raises a ``FazhiError`` saying why it does not hold.
    ``describe`` is the rule in Chinese, for the generated docs."""

    describe: str
    check: GuardCheck


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the Chinese name of the step (buttons, timeline, docs)
    sources: tuple[str, ...]
    target: str  # the state it goes to; "" when the service chooses among ``targets``
    event: EventName
    guards: tuple[Guard, ...] = ()
    targets: tuple[str, ...] = ()
    refusal: str = ""  # the error code when the current state does not allow the action

    @property
    def destinations(self) -> tuple[str, ...]:
        return self.targets or (self.target,)


@dataclass
class Workflow(Generic[M]):
    name: str  # code name, e.g. "inspection_task"
    label: str  # Chinese, e.g. "抽查任务"
    model: type[M]
    states: type[models.TextChoices]
    initial: tuple[str, ...]
    actions: Sequence[Action]
    field: str = "state"
    _by_name: dict[str, Action] = dataclasses.field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        values = set(self.states.values)
        problems = [s for s in self.initial if s not in values]
        for action in self.actions:
            if action.name in self._by_name:
                problems.append(f"duplicate action {action.name}")
            self._by_name[action.name] = action
            if bool(action.target) == bool(action.targets):
                problems.append(f"{action.name}: give either target or targets")
            problems += [s for s in (*action.sources, *action.destinations) if s not in values]
        if problems:
            raise ValueError(f"workflow {self.name}: unknown or invalid {problems}")
        _registry[self.name] = self

    def action(self, name: str) -> Action:
        try:
            return self._by_name[name]
        except KeyError:
            raise ValueError(f"workflow {self.name} has no action {name!r}") from None

    def state_label(self, value: str) -> str:
        return str(dict(self.states.choices).get(value, value))

    def allows(self, row: M, name: str) -> bool:
        """Whether the table lets ``row`` take ``name`` from its current state (guards not run):
        what the pages use to offer only the possible next steps."""
        return getattr(row, self.field) in self.action(name).sources

    def available(self, row: M) -> list[Action]:
        state = getattr(row, self.field)
        return [a for a in self.actions if state in a.sources]

    def lock(self, row: M) -> M:
        """The row again, locked for the rest of the caller's transaction."""
        manager = self.model._default_manager
        return manager.select_for_update(of=("self",)).get(pk=row.pk)

    def refuse(self, row: M, action: Action) -> errors.InvalidTransition:
        state = getattr(row, self.field)
        return errors.InvalidTransition(
            f"{self.label}当前状态为“{self.state_label(state)}”，不能{action.label}。",
            code=action.refusal or None,
            workflow=self.name,
            action=action.name,
            state=state,
        )

    def check(self, row: M, name: str, ctx: Mapping[str, Any] | None = None) -> Action:
        """Refuse unless the table and every guard allow ``name`` now (nothing is written)."""
        action = self.action(name)
        if getattr(row, self.field) not in action.sources:
            raise self.refuse(row, action)
        for guard in action.guards:
            guard.check(row, ctx or {})
        return action


_registry: dict[str, Workflow[Any]] = {}


def all_workflows() -> list[Workflow[Any]]:
    return [_registry[name] for name in sorted(_registry)]


def transition(
    workflow: Workflow[M],
    row: M,
    name: str,
    *,
    actor: Any,
    ctx: Mapping[str, Any] | None = None,
    target: str | None = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    locked: bool = False,
) -> M:
    """Take action ``name`` on ``row`` inside the caller's transaction: lock (unless the caller
    already holds the lock: ``locked=True``), check the table and the guards, set the state and
    ``changes``, save, and append the action's audit event with ``details``. Returns the row."""
    if not connection.in_atomic_block:
        raise RuntimeError("workflow.transition must run inside the calling service's transaction")
    if not locked:
        row = workflow.lock(row)
    action = workflow.check(row, name, ctx)
    new_state = _destination(workflow, action, target)
    old_state = getattr(row, workflow.field)
    for attribute, value in (changes or {}).items():
        setattr(row, attribute, value)
    setattr(row, workflow.field, new_state)
    row.save(update_fields=[workflow.field, *(changes or {})])
    audit.append(
        actor=actor,
        action=action.event,
        obj=row,
        details={"from": old_state, "to": new_state, **(details or {})},
    )
    return row


def transition_many(
    workflow: Workflow[M],
    rows: Iterable[M],
    name: str,
    *,
    actor: Any,
    subject: models.Model,
    details: Mapping[str, Any] | None = None,
) -> list[int]:
    """Take ``name`` on many already-locked rows at once (e.g. a re-draw cancels the old
    draw's tasks): every row is checked against the table, the states change in one UPDATE, and
    one event on ``subject`` lists the rows by id. Returns the ids."""
    if not connection.in_atomic_block:
        raise RuntimeError("workflow.transition_many must run inside the caller's transaction")
    action = workflow.action(name)
    new_state = _destination(workflow, action, None)
    ids: list[int] = []
    from_states: set[str] = set()
    for row in rows:
        workflow.check(row, name)
        from_states.add(getattr(row, workflow.field))
        ids.append(int(row.pk))
    if ids:
        workflow.model._default_manager.filter(pk__in=ids).update(**{workflow.field: new_state})
    audit.append(
        actor=actor,
        action=action.event,
        obj=subject,
        details={
            "workflow": workflow.name,
            "ids": ids,
            "from": sorted(from_states),
            "to": new_state,
            **(details or {}),
        },
    )
    return ids


def _destination(workflow: Workflow[Any], action: Action, target: str | None) -> str:
    if action.targets:
        if target not in action.targets:
            raise ValueError(
                f"{workflow.name}.{action.name}: target must be one of {action.targets}"
            )
        return target
    if target is not None and target != action.target:
        raise ValueError(f"{workflow.name}.{action.name} always goes to {action.target}")
    return action.target


# --- docs/workflows.md ------------------------------------------------------------------------


def mermaid(workflow: Workflow[Any]) -> str:
    lines = ["stateDiagram-v2"]
    for value, label in workflow.states.choices:
        lines.append(f"    {value}: {label}")
    for state in workflow.initial:
        lines.append(f"    [*] --> {state}")
    outgoing: set[str] = set()
    for action in workflow.actions:
        for source in action.sources:
            outgoing.add(source)
            for destination in action.destinations:
                lines.append(f"    {source} --> {destination}: {action.label}")
    for value in workflow.states.values:
        if value not in outgoing:
            lines.append(f"    {value} --> [*]")
    return "\n".join(lines)


def render_docs() -> str:
    out = [
        "# 工作流（Workflows）",
        "",
        "<!-- Generated by `fazhi workflows docs` from the workflow tables. Do not edit. -->",
        "",
        "Every state change goes through `fazhi.core.workflow.transition`: one table per workflow,",
        "each action with its sources, destination, guards and audit event.",
        "",
    ]
    for workflow in all_workflows():
        model = workflow.model._meta.label
        out += [f"## {workflow.label}（`{workflow.name}`, `{model}.{workflow.field}`）", ""]
        out += ["```mermaid", mermaid(workflow), "```", ""]
        out += ["| 动作 action | 名称 | 从 | 到 | 审计事件 | 条件 |", "|---|---|---|---|---|---|"]
        for action in workflow.actions:
            guards = "；".join(g.describe for g in action.guards) or "—"
            out.append(
                f"| `{action.name}` | {action.label} | {', '.join(action.sources)} | "
                f"{', '.join(action.destinations)} | `{action.event}` | {guards} |"
            )
        out.append("")
    return "\n".join(out)
