"""Texts that made the env-vars scanners' wrapper, constant and argument searches
super-linear before they were bounded: each runs through the whole gate, in a child
process whose timeout is a hang guard only, and the check still reports what the PR
reads. No assertion here is about speed (bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.checks.envvars.text_reads import is_minified
from tests.adversarial.conftest import AttackFactory
from tests.adversarial.test_bounded_input import assert_env_reads_survive

KB = 1 << 10


def _lines(unit: str, size: int = 256 * KB, width: int = 1000) -> str:
    """``unit`` repeated to about ``size`` characters, in lines of about ``width``: short
    enough that no file here is taken for a minified bundle (which is not scanned at all),
    so every scanner reads the whole text."""
    per_line = max(1, width // len(unit))
    return ((unit * per_line + "\n") * (size // (per_line * len(unit)) + 1))[:size]


#: each was quadratic or worse: unclosed calls, headers without a body, nested bodies,
#: blank lines under a line-anchored pattern, import lists that never close
PUMPS = {
    "svc/calls.go": "package svc\n" + _lines("os.Getenv("),
    "svc/heads.go": "package svc\n" + _lines("func ("),
    "svc/parser.go": "package svc\nvar _ = os.Environ()\nfunc p(l string) {\n"
    'strings.Cut(l, "=")\n' + "\n" * (256 * KB) + 'case "A"\n}\n',
    "web/calls.ts": _lines("process.env["),
    "web/nest.js": _lines("function f(a) {", 16 * KB * 15)
    + "process.env[a]"
    + _lines("}", 16 * KB),
    "app/imports.py": _lines("from x import ("),
}


def test_no_pump_is_skipped_as_minified() -> None:
    # a pump the gate skips unread proves nothing about the scanners' bounds
    assert not [path for path, text in PUMPS.items() if is_minified(text)]


def test_pumped_texts_pass_through_and_the_real_read_is_still_reported(
    attack: AttackFactory, tmp_path: Path
) -> None:
    head = {
        **PUMPS,
        "app/settings.py": "import os\nTOKEN = os.environ['PUMPED_BUT_FOUND']\n",
    }
    policy = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
    case = attack(policy, {"README.md": "a\n"}, head)
    assert_env_reads_survive(case, tmp_path, "PUMPED_BUT_FOUND")
