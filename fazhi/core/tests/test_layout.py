"""The layout rules of docs/where-things-go.md that a test can hold: no module past 600 lines,
one inner layout per app, and layer packages without facades."""

from __future__ import annotations

import ast
from pathlib import Path

FAZHI = Path(__file__).resolve().parents[2]
MAX_LINES = 600
LAYERS = ("services", "selectors", "views", "api")
# Modules allowed past the limit, each with its reason (none since the draw engine became a
# package, decision 0058).
EXEMPT: dict[str, str] = {}


def long_modules(root: Path, exempt: dict[str, str]) -> list[str]:
    """Non-test, non-migration modules under ``root`` past ``MAX_LINES``, with their sizes."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if {"tests", "migrations"} & set(relative.parts) or relative.as_posix() in exempt:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found.append(f"{root.name}/{relative.as_posix()}: {lines} lines")
    return found


def layout_problems(root: Path) -> list[str]:
    """An app's layers (``LAYERS``) are all modules or all packages, never both for one layer;
    a layer package's ``__init__.py`` holds a docstring only (callers import its modules)."""
    problems = []
    for app in sorted(p.parent for p in root.glob("*/apps.py")):
        flat = {layer for layer in LAYERS if (app / f"{layer}.py").exists()}
        packaged = {layer for layer in LAYERS if (app / layer / "__init__.py").exists()}
        for layer in sorted(flat & packaged):
            problems.append(f"{app.name}: {layer}.py next to the package {layer}/")
        if flat and packaged:
            problems.append(
                f"{app.name}: modules {sorted(flat)} beside packages {sorted(packaged)}: "
                "one inner layout per app"
            )
        for layer in sorted(packaged):
            init = app / layer / "__init__.py"
            body = ast.parse(init.read_text(encoding="utf-8")).body
            docstring = (
                len(body) == 1
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            )
            if not docstring:
                problems.append(f"{app.name}/{layer}/__init__.py: a docstring only, no facade")
    return problems


def test_no_module_is_past_600_lines():
    too_long = long_modules(FAZHI, EXEMPT)
    assert not too_long, f"split into a package (docs/where-things-go.md): {too_long}"


def test_every_exemption_is_still_needed():
    for relative in EXEMPT:
        lines = len((FAZHI / relative).read_text(encoding="utf-8").splitlines())
        assert lines > MAX_LINES, f"{relative} fits now: drop its exemption"


def test_one_inner_layout_per_app():
    assert not layout_problems(FAZHI)


def _write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_checks_catch_what_they_are_for(tmp_path):
    root = tmp_path / "fazhi"
    _write(root / "shop" / "apps.py")
    _write(root / "shop" / "services" / "__init__.py", '"""Shop services."""\n')
    _write(root / "shop" / "services" / "orders.py", "x = 1\n" * (MAX_LINES + 1))
    _write(root / "shop" / "tests" / "test_orders.py", "x = 1\n" * (MAX_LINES + 1))
    assert long_modules(root, {}) == [f"fazhi/shop/services/orders.py: {MAX_LINES + 1} lines"]
    assert long_modules(root, {"shop/services/orders.py": "why"}) == []
    assert layout_problems(root) == []
    _write(root / "shop" / "services.py")
    _write(root / "shop" / "selectors.py")
    _write(root / "shop" / "services" / "__init__.py", "from .orders import x  # noqa\n")
    assert layout_problems(root) == [
        "shop: services.py next to the package services/",
        "shop: modules ['selectors', 'services'] beside packages ['services']: "
        "one inner layout per app",
        "shop/services/__init__.py: a docstring only, no facade",
    ]
