"""Only the composition root knows the Runtime.

``domain/infra/collaborators.py`` builds the collaborators once per process; every other module
of ``domain/`` takes the ones it uses (a store, a publisher, a scorer...), so a signature says
what a function touches. The web app, the workers, the CLI, the bench and the tests build the
Runtime and unpack it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[3] / "domain"  # this checkout's, not an install's
COLLABORATORS = "domain.infra.collaborators"
COMPOSITION_ROOT = PACKAGE_ROOT / "infra" / "collaborators.py"


def _module(path: Path) -> str:
    """The dotted name of a module under domain/ (a package's __init__ names the package)."""
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    """The package relative imports in this module start from."""
    name = _module(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, package: str) -> str:
    """The module a `from ... import` reads, relative dots resolved against the package."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def runtime_references(source: str, package: str) -> list[str]:
    """Each place a module imports the collaborators module or names ``Runtime``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if (alias.name + ".").startswith(COLLABORATORS + ".")
            ]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            found += [
                f"line {node.lineno}: from {module} import {alias.name}"
                for alias in node.names
                if alias.name == "Runtime"
                or (module + ".").startswith(COLLABORATORS + ".")
                or f"{module}.{alias.name}" == COLLABORATORS
            ]
        elif isinstance(node, ast.Name) and node.id == "Runtime":
            found.append(f"line {node.lineno}: Runtime")
        elif isinstance(node, ast.Attribute) and node.attr == "Runtime":
            found.append(f"line {node.lineno}: .Runtime")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"line {node.lineno}: {node.value!r}" for _ in _quoted(node.value, package)]
    return found


def _quoted(text: str, package: str) -> list[str]:
    """The references in a string that is an expression (a quoted annotation, 'Runtime')."""
    try:
        ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return []  # prose, not a type
    return runtime_references(text, package)


def test_no_domain_module_but_the_composition_root_takes_the_runtime() -> None:
    modules = sorted(PACKAGE_ROOT.rglob("*.py"))
    root = ast.parse(COMPOSITION_ROOT.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.ClassDef) and n.name == "Runtime" for n in ast.walk(root))
    offenders = {
        _module(path): references
        for path in modules
        if path != COMPOSITION_ROOT
        and (references := runtime_references(path.read_text(encoding="utf-8"), _package(path)))
    }
    assert offenders == {}, f"take the collaborators used, not the Runtime: {offenders}"


@pytest.mark.parametrize(
    ("source", "package"),
    [
        ("from domain.infra.collaborators import Runtime", "domain.review"),
        ("from domain.infra import collaborators", "domain.review"),
        ("import domain.infra.collaborators", "domain.review"),
        ("import domain.infra.collaborators as c", "domain.review"),
        ("from ..infra.collaborators import Runtime", "domain.review"),
        ("from .collaborators import Runtime", "domain.infra"),
        ("from . import collaborators", "domain.infra"),
        ("if TYPE_CHECKING:\n    from domain.infra.collaborators import Runtime", "domain"),
        ("def f(runtime: Runtime) -> None: ...", "domain.review"),
        ("def f(runtime: 'Runtime') -> None: ...", "domain.review"),
        ("x: collaborators.Runtime", "domain.review"),
    ],
)
def test_every_way_of_reaching_the_runtime_is_seen(source: str, package: str) -> None:
    assert runtime_references(source, package)


@pytest.mark.parametrize(
    "source",
    [
        "raise RuntimeError('no migrations found')",
        "from alembic.runtime.migration import MigrationContext",
        "def f(runtime_seconds: float) -> None: ...",
        "from domain.infra.redis_url import redis_client",
    ],
)
def test_look_alikes_are_not_flagged(source: str) -> None:
    assert runtime_references(source, "domain.store") == []
