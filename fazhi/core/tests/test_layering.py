"""The layering rules an import graph cannot show (import-linter checks the rest, `make lint`).

1. One app never writes another app's rows: no module outside app X calls ``.objects.create``,
   ``.bulk_create``, ``.bulk_update``, ``.update``, ``.update_or_create``, ``.get_or_create`` on a
   manager of a model defined in X, nor ``.save()`` on an instance of one; it calls X's services.
   Read from the source (``ast``): a model class is known by the name it is imported under, an
   instance by a variable assigned from the class or its manager in the same function, a loop
   over such a query, or a parameter annotated with the class.
2. One app's templates are not another domain app's: no ``{% include %}`` / ``{% extends %}``
   of, and no Python string naming, a template of another domain app (``core`` templates and the
   project's ``base.html`` are the shared shell).

Tests and migrations are exempt: tests build their state directly where no service exists yet,
and migrations work on historical models. What breaks a rule today is listed in ``ALLOWED`` with
the reason; an entry that no longer matches anything fails the test, so the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]  # the fazhi package
KERNEL = "core"
WRITES = {"create", "bulk_create", "bulk_update", "update", "update_or_create", "get_or_create"}
MANAGERS = {"objects", "_default_manager"}

# (module path, function, "Model.method") -> why it is still there. For the lead: each entry is
# work for the app that owns the module, not an exemption to copy.
ALLOWED_WRITES: dict[tuple[str, str, str], str] = {}
# (template or module path, the other app's template) -> why.
ALLOWED_TEMPLATES: dict[tuple[str, str], str] = {
    ("registry/views/entities.py", "inspections/_entity_history.html"): (
        "a slot: the entity page includes the inspections' history fragment when that template "
        "exists, so the directory works without the inspections app; the fragment's own tag "
        "reads through inspections' selectors"
    ),
}


def _apps() -> dict[str, str]:
    """Package directory -> app label, for Fazhi's own apps."""
    return {
        config.name.split(".")[1]: config.label
        for config in apps.get_app_configs()
        if config.name.startswith("fazhi.")
    }


def _model_apps() -> dict[str, str]:
    """Model class name -> the package of the app that defines it."""
    by_label = {label: package for package, label in _apps().items()}
    names: dict[str, str] = {}
    for model in apps.get_models():
        package = by_label.get(model._meta.app_label)
        if package is None:
            continue
        assert model.__name__ not in names, f"two Fazhi models named {model.__name__}"
        names[model.__name__] = package
    return names


def _sources(suffix: str) -> Iterator[tuple[str, str, Path]]:
    """(app package, path relative to fazhi/, file) of every non-test, non-migration file."""
    packages = _apps()
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0] not in packages or "tests" in parts or "migrations" in parts:
            continue
        yield parts[0], relative.as_posix(), path


class _Writes(ast.NodeVisitor):
    """Calls in one module that write rows of a model imported from another app."""

    def __init__(self, package: str, models: dict[str, str]) -> None:
        self.package = package
        self.models = models
        self.foreign: dict[str, str] = {}  # local name -> model class name (another app's)
        self.instances: list[dict[str, str]] = [{}]  # per function: variable -> model name
        self.function = ["<module>"]
        self.found: list[tuple[str, str]] = []  # (function, "Model.method")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        parts = module.split(".")
        if len(parts) >= 2 and parts[0] == "fazhi" and parts[1] != self.package:
            for alias in node.names:
                if self.models.get(alias.name) == parts[1]:
                    self.foreign[alias.asname or alias.name] = alias.name

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        instances: dict[str, str] = {}
        for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
            model = self._annotated(arg.annotation)
            if model:
                instances[arg.arg] = model
        self.function.append(node.name)
        self.instances.append(instances)
        self.generic_visit(node)
        self.instances.pop()
        self.function.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def _annotated(self, annotation: ast.expr | None) -> str:
        if annotation is None:
            return ""
        for node in ast.walk(annotation):
            if isinstance(node, ast.Name) and node.id in self.foreign:
                return self.foreign[node.id]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                name = node.value.split("|")[0].strip()
                if name in self.foreign:
                    return self.foreign[name]
        return ""

    def _root_model(self, node: ast.expr) -> tuple[str, bool]:
        """The foreign model at the root of ``node`` (a class, a call of it, or a chain on its
        manager), and whether the chain goes through the manager."""
        through_manager = False
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                through_manager = through_manager or node.attr in MANAGERS
                node = node.value
            elif isinstance(node, ast.Name):
                if node.id in self.foreign:
                    return self.foreign[node.id], through_manager
                return "", False
            else:
                return "", False

    def _bind(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            model, _ = self._root_model(value)
            if model:
                self.instances[-1][target.id] = model
            else:
                self.instances[-1].pop(target.id, None)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)
        model = self._annotated(node.annotation)
        if model and isinstance(node.target, ast.Name):
            self.instances[-1][node.target.id] = model
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        model, through_manager = self._root_model(node.iter)
        if model and through_manager and isinstance(node.target, ast.Name):
            self.instances[-1][node.target.id] = model
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if func.attr in WRITES:
                model, through_manager = self._root_model(func.value)
                if model and through_manager:
                    self.found.append((self.function[-1], f"{model}.{func.attr}"))
            elif func.attr == "save" and isinstance(func.value, ast.Name):
                model = self.instances[-1].get(func.value.id, "")
                if model:
                    self.found.append((self.function[-1], f"{model}.save"))
        self.generic_visit(node)


def cross_app_writes() -> dict[tuple[str, str, str], int]:
    models = _model_apps()
    found: dict[tuple[str, str, str], int] = {}
    for package, relative, path in _sources(".py"):
        visitor = _Writes(package, models)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        for function, call in visitor.found:
            key = (relative, function, call)
            found[key] = found.get(key, 0) + 1
    return found


def _other_templates(package: str, text: str, domain: set[str]) -> set[str]:
    """Templates of another domain app that ``text`` names."""
    others = "|".join(sorted(domain - {package}))
    named = re.findall(rf"""["']((?:{others})/[\w./-]+\.html)["']""", text)
    return set(named)


def cross_app_templates() -> set[tuple[str, str]]:
    domain = set(_apps()) - {KERNEL}
    found: set[tuple[str, str]] = set()
    for suffix in (".html", ".py"):
        for package, relative, path in _sources(suffix):
            for name in _other_templates(package, path.read_text(encoding="utf-8"), domain):
                found.add((relative, name))
    return found


def test_no_app_writes_another_apps_rows():
    found = cross_app_writes()
    unexpected = sorted(set(found) - set(ALLOWED_WRITES))
    assert not unexpected, (
        "call the owning app's service instead of writing its model:\n"
        + "\n".join(f"  {path} {function}(): {call}" for path, function, call in unexpected)
    )
    stale = sorted(set(ALLOWED_WRITES) - set(found))
    assert not stale, f"fixed: remove from ALLOWED_WRITES: {stale}"


def test_no_app_uses_another_domain_apps_templates():
    found = cross_app_templates()
    unexpected = sorted(found - set(ALLOWED_TEMPLATES))
    assert not unexpected, f"another domain app's template: {unexpected}"
    stale = sorted(set(ALLOWED_TEMPLATES) - found)
    assert not stale, f"fixed: remove from ALLOWED_TEMPLATES: {stale}"


# --- the checker itself, on small sources -------------------------------------------------------


def _writes_in(source: str, package: str = "inspections") -> list[tuple[str, str]]:
    visitor = _Writes(package, {"CaseLead": "enforcement", "InspectionTask": "inspections"})
    visitor.visit(ast.parse(source))
    return visitor.found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (
            "from fazhi.enforcement.models import CaseLead as Lead\n"
            "def f():\n    Lead.objects.create(facts='x')\n",
            [("f", "CaseLead.create")],
        ),
        (
            "from fazhi.enforcement.models import CaseLead\n"
            "def f():\n    CaseLead.objects.filter(pk=1).update(state='filed')\n",
            [("f", "CaseLead.update")],
        ),
        (
            "from fazhi.enforcement.models import CaseLead\n"
            "def f():\n    lead = CaseLead.objects.select_for_update().get(pk=1)\n"
            "    lead.save()\n",
            [("f", "CaseLead.save")],
        ),
        (
            "from fazhi.enforcement.models import CaseLead\n"
            "def f(lead: CaseLead):\n    lead.save(update_fields=['state'])\n",
            [("f", "CaseLead.save")],
        ),
        (
            "from fazhi.enforcement.models import CaseLead\n"
            "def f():\n    for lead in CaseLead.objects.all():\n        lead.save()\n",
            [("f", "CaseLead.save")],
        ),
        (  # reads, and the app's own models, are fine
            "from fazhi.enforcement.models import CaseLead\n"
            "from fazhi.inspections.models import InspectionTask\n"
            "def f(task: InspectionTask):\n    CaseLead.objects.filter(pk=1).exists()\n"
            "    task.save()\n    InspectionTask.objects.create()\n",
            [],
        ),
    ],
)
def test_the_write_checker(source, found):
    assert _writes_in(source) == found


def test_the_template_checker():
    domain = {"registry", "inspections", "enforcement", "portal"}
    text = (
        '{% include "inspections/_row.html" %}{% extends "base.html" %}{% include "core/x.html" %}'
    )
    assert _other_templates("registry", text, domain) == {"inspections/_row.html"}
    assert _other_templates("inspections", text, domain) == set()
