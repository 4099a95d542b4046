"""The audit-event vocabulary: one shape, ``<entity>.<verb in the past tense>``, per domain.

Each domain declares its events in an ``Events`` enum (a subclass of ``EventName``) with a Chinese
label, and registers it with ``register`` when its app is ready. ``fazhi.core.audit.append``
accepts only registered names, so a misspelt or ad-hoc event cannot enter the chain. The same
names are the ``attempted`` action recorded with a refusal (``access.denied``), so that a denial
reads as "tried to <event>".

Events already in the chain keep their names: ``LEGACY`` maps each older name to its label (and
to the name that replaced it), so the audit pages still show them in Chinese and ``fazhi audit
verify`` is unaffected (verification never interprets names).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class EventName(StrEnum):
    """A domain's events: ``NAME = "entity.verbed", "中文名称"``."""

    label: str

    def __new__(cls, value: str, label: str = "") -> EventName:
        if not NAME_RE.match(value):
            raise ValueError(f"event name {value!r} is not <entity>.<verb in the past tense>")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member


_registry: dict[str, EventName] = {}


def register(*enums: type[EventName]) -> None:
    """Make a domain's events known (each app calls this from ``AppConfig.ready``)."""
    for enum in enums:
        for member in enum:
            existing = _registry.get(member.value)
            if existing is not None and type(existing) is not enum:
                raise ValueError(f"event {member.value!r} declared twice")
            _registry[member.value] = member


def known(name: str) -> bool:
    return name in _registry


def get(name: str) -> EventName:
    try:
        return _registry[name]
    except KeyError:
        raise ValueError(
            f"unknown audit event {name!r}: declare it in its domain's events"
        ) from None


def all_events() -> list[EventName]:
    return sorted(_registry.values(), key=str)


def label(name: str) -> str:
    """The Chinese name of an event, current or historical; the code itself only as a last resort
    (a test checks that every name in use has a label)."""
    member = _registry.get(name)
    if member is not None:
        return member.label
    legacy = LEGACY.get(name)
    if legacy is not None:
        return legacy[1]
    return name


# Older names found in existing chains: name -> (the name that replaced it or "", Chinese label).
LEGACY: dict[str, tuple[str, str]] = {}


def register_legacy(mapping: dict[str, tuple[str, str]]) -> None:
    LEGACY.update(mapping)


def older_names(name: str, *, prefix: bool = False) -> list[str]:
    """The legacy names that ``name`` replaced (with ``prefix``: that any name starting with
    ``name`` replaced): what a filter on the new name must also match in older chains."""
    return sorted(
        old
        for old, (new, _) in LEGACY.items()
        if new and (new.startswith(name) if prefix else new == name)
    )


def describe_registry() -> list[dict[str, Any]]:
    """For docs: every registered event with its label."""
    return [{"name": str(e), "label": e.label} for e in all_events()]
