"""The detail page's header: the record's title, its state and the next possible actions.

Every detail page starts with ``{% detail_header title state actions %}`` (``fazhi_detail``) and
ends with ``{% record_sections obj %}``. The view builds ``actions`` from what the record's
workflow allows now and what the user may do (the same checks that decide whether the step's form
is shown), in the order a user would take them: the first is the main button. An action links to
a page or to the step's form further down the page (``#step-…``), or posts (a step without
fields, an export started as a job)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    url: str  # a page, or "#id" of the step's form on this page
    icon: str = ""  # a Bootstrap Icons name without "bi-"
    danger: bool = False
    post: bool = False  # a button that posts to ``url`` (a step without fields, an export)
    confirm: str = ""  # asked before it goes (``data-confirm``)


def only(*pairs: tuple[bool, Action]) -> list[Action]:
    """The actions whose condition holds, in order."""
    return [action for allowed, action in pairs if allowed]
