"""The layers stay as drawn in docs/architecture.md: who may import whom, and no cycles.

Every import counts, including those inside functions and under ``TYPE_CHECKING``: a
lazy import is still a dependency, only a cheaper one.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "gatekeeper"

#: layer -> the layers it may import (besides itself). Lower layers come first.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": set(),
    "changes": {"errors", "model"},
    "policy": {"errors", "model", "changes"},
    "checks.interface": {"errors", "model", "changes"},
    "sandbox": {"errors"},
    "checks": {"errors", "model", "changes", "checks.interface", "sandbox"},
    "plugins": {"errors", "model", "changes", "policy", "checks.interface"},
    "engine": {"errors", "model", "changes", "policy", "checks.interface", "plugins"},
    "pipeline": {
        "errors", "model", "changes", "policy", "checks.interface", "plugins", "engine",
        "sandbox",
    },
    "report": {"errors", "model", "version"},
    "testing": {"errors", "model", "changes", "policy", "checks.interface"},
    "github": {
        "errors", "model", "changes", "policy", "checks.interface", "plugins", "pipeline",
        "report", "sandbox",
    },
    "cli": {
        "errors", "model", "changes", "policy", "checks.interface", "plugins", "engine",
        "pipeline", "report", "github", "checks", "version", "sandbox",
    },
    "version": set(),
    "main": {"cli"},
    "policies": set(),  # the preset YAML files, shipped as package data
}  # fmt: skip


def layer_of(module: str) -> str:
    """The layer a module belongs to: its first package under gatekeeper, with the checks'
    interface apart from the checks themselves."""
    parts = module.split(".")
    if parts == ["gatekeeper"]:
        return "version"  # gatekeeper/__init__.py holds only __version__
    if parts[1] == "__main__":
        return "main"
    if parts[1] == "checks":
        return "checks.interface" if parts[2:3] in (["interface"], []) else "checks"
    return parts[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    base = SRC.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports(path: Path) -> Iterator[tuple[str, int]]:
    """(imported gatekeeper module, line) for every import in a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gatekeeper":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "gatekeeper":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if is_module(sub) else node.module), node.lineno


def edges() -> Iterator[tuple[str, str, str]]:
    """(importer, imported, "file:line") over the whole package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = module_name(path)
        for imported, line in imports(path):
            yield importer, imported, f"{path.relative_to(SRC)}:{line}"


def test_every_layer_imports_only_the_layers_below_it() -> None:
    wrong = [
        f"{where}: {importer} ({layer_of(importer)}) imports {imported} ({layer_of(imported)})"
        for importer, imported, where in edges()
        if layer_of(imported) != layer_of(importer)
        and layer_of(imported) not in ALLOWED[layer_of(importer)]
    ]
    assert not wrong, "\n".join(wrong)


def test_every_module_has_a_layer() -> None:
    unknown = {layer_of(module_name(p)) for p in PACKAGE.rglob("*.py")} - set(ALLOWED)
    assert not unknown, f"add these to ALLOWED and docs/architecture.md: {sorted(unknown)}"


def find_cycles(graph: dict[str, set[str]]) -> list[str]:
    """Every cycle a depth-first walk meets, as "a -> b -> a"."""
    cycles: list[str] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for importer, imported, _ in edges():
        # a package's __init__ that re-exports its own submodules is not a cycle
        if importer != imported and not importer.startswith(imported + "."):
            graph.setdefault(importer, set()).add(imported)
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(cycles)


def test_a_cycle_would_be_caught() -> None:
    # the shape the migrations and openapi cycles had: two modules naming each other
    graph = {"a.check": {"a.runner"}, "a.runner": {"a.model", "a.check"}, "a.model": set()}
    assert find_cycles(graph) == ["a.check -> a.runner -> a.check"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    ("source", "layer"),
    [
        ("from gatekeeper.report import render", "report"),
        ("from gatekeeper.github.client import GitHubClient", "github"),
        ("import gatekeeper.cli", "cli"),
    ],
)
def test_a_check_importing_an_upper_layer_would_be_caught(
    tmp_path: Path, source: str, layer: str
) -> None:
    # the test above must be able to fail: a check reaching up is outside its allowed set
    bad = tmp_path / "bad.py"
    bad.write_text(source + "\n", encoding="utf-8")
    (imported, _), *_ = imports(bad)
    assert layer_of(imported) == layer
    assert layer not in ALLOWED["checks"]
