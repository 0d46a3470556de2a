"""A small real project, its tests run under coverage, and every report format."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_CALC = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""

HEAD_CALC = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    if a == 0:
        return 0
    return a * b


def div(a, b):
    if b == 0:
        raise ZeroDivisionError(
            "b must not be zero",
        )
    return a / b


def unused(x):
    total = sum(
        [x, x],
    )
    return total
"""

TESTS = """\
from calc import add, div, mul, sub


def test_ops():
    assert add(1, 2) == 3 and sub(3, 1) == 2 and mul(2, 3) == 6 and div(6, 3) == 2
"""


@dataclass
class Project:
    """The project's folder, its base and head commits, and its reports."""

    root: Path
    base: str
    head: str
    base_files: dict[str, str]
    head_files: dict[str, str]


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("covproject")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "d@example.com")
    _git(root, "config", "user.name", "D")
    base_files = {
        "calc.py": BASE_CALC,
        "test_calc.py": TESTS.replace(", div, mul", "").replace(
            " and mul(2, 3) == 6 and div(6, 3) == 2", ""
        ),
    }
    for name, text in base_files.items():
        (root / name).write_text(text)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    _run_coverage(root, "base")
    _git(root, "checkout", "-q", "-b", "feature")
    head_files = {"calc.py": HEAD_CALC, "test_calc.py": TESTS}
    for name, text in head_files.items():
        (root / name).write_text(text)
    _git(root, "add", "calc.py", "test_calc.py")
    _git(root, "commit", "-q", "-m", "head")
    head = _git(root, "rev-parse", "HEAD")
    _run_coverage(root, "")
    return Project(root, base, head, base_files, head_files)


def _run_coverage(root: Path, prefix: str) -> None:
    cov = [sys.executable, "-m", "coverage"]
    data = root / (f"{prefix}.coverage" if prefix else ".coverage")
    env_args = ["--data-file", str(data)]
    subprocess.run(
        [
            *cov,
            "run",
            "--branch",
            *env_args,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "test_calc.py",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    name = f"{prefix}-coverage" if prefix else "coverage"
    for fmt, ext in (("json", "json"), ("xml", "xml"), ("lcov", "info")):
        subprocess.run(
            [*cov, fmt, *env_args, "-o", f"{name}.{ext}"], cwd=root, check=True, capture_output=True
        )
