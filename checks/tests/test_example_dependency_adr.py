"""Tests for the example check checks/dependency_adr.py, using gatekeeper.testing only."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.testing import run_check


def load(name: str) -> ModuleType:
    """Import a check file by path, as the policy's `plugins:` loader does."""
    path = Path(__file__).resolve().parents[1] / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = load("dependency_adr").DependencyAdr()
REQS = "requests==2.31\n# a comment\n-r base.txt\n"


def test_fires_for_a_new_requirement_without_an_adr() -> None:
    head = {"requirements.txt": REQS + "httpx>=0.27  # new client\n"}
    (finding,) = run_check(CHECK, {"requirements.txt": REQS}, head)
    assert finding.qualified_rule == "dependency-adr/dependency-without-adr"
    assert str(finding.location) == "requirements.txt:4"
    assert finding.message == "New dependency `httpx` has no ADR that names it."


def test_passes_when_an_adr_in_the_pr_names_it() -> None:
    head = {
        "requirements.txt": REQS + "httpx>=0.27\n",
        "docs/adr/0007-http-client.md": "# Use HTTPX\nWe adopt httpx for async HTTP.\n",
    }
    assert run_check(CHECK, {"requirements.txt": REQS}, head) == []


def test_an_adr_naming_another_package_does_not_count() -> None:
    head = {
        "requirements.txt": "re2\nrequests==2.31\n",
        "docs/adr/0008.md": "We keep requests.\n",
    }
    assert [f.message for f in run_check(CHECK, {"requirements.txt": "requests\n"}, head)] == [
        "New dependency `re2` has no ADR that names it."
    ]


def test_version_bumps_renames_of_case_and_ignored_packages_pass() -> None:
    base = {"requirements.txt": "Flask_Login==0.5\n"}
    head = {"requirements.txt": "flask-login==0.6\npytest\ngit+https://example.com/x.git\n"}
    assert run_check(CHECK, base, head, {"ignore": ["PyTest"]}) == []


def test_pyproject_and_package_json() -> None:
    pyproject = (
        '[project]\ndependencies = ["click>=8"]\n'
        '[project.optional-dependencies]\ndev = ["pytest", "hypothesis"]\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\nrich = "*"\n'
    )
    package = {"dependencies": {"react": "^18", "react-dom": "^18"}, "devDependencies": {}}
    base = {"pyproject.toml": '[project]\ndependencies = ["click>=8"]\n', "web/package.json": "{}"}
    head = {"pyproject.toml": pyproject, "web/package.json": json.dumps(package, indent=1)}
    got = [(str(f.location), f.message.split("`")[1]) for f in run_check(CHECK, base, head)]
    assert got == [
        ("pyproject.toml:4", "hypothesis"),
        ("pyproject.toml:4", "pytest"),
        ("pyproject.toml:7", "rich"),
        ("web/package.json:3", "react"),
        ("web/package.json:4", "react-dom"),
    ]


def test_not_applicable_without_a_manifest_change() -> None:
    assert run_check(CHECK, {"a.py": "x\n"}, {"a.py": "y\n"}) == []


def test_an_unreadable_manifest_fails_closed() -> None:
    with pytest.raises(CheckError, match=r"package.json: cannot read the dependency list"):
        run_check(CHECK, {}, {"package.json": "{broken"})
