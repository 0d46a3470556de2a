"""Texts that made the env-vars scanners' wrapper, constant and argument searches
super-linear before they were bounded: each runs through the whole gate, in a child
process whose timeout is a hang guard only, and the check still reports what the PR
reads. No assertion here is about speed (bench/bench_adversarial.py prints times)."""

from __future__ import annotations

from pathlib import Path

from tests.adversarial.conftest import AttackFactory
from tests.adversarial.test_bounded_input import _cli, _findings

KB = 1 << 10
#: each was quadratic or worse: unclosed calls, headers without a body, nested bodies,
#: blank lines under a line-anchored pattern, import lists that never close
PUMPS = {
    "svc/calls.go": "package svc\n" + "os.Getenv(" * (256 * KB // 10),
    "svc/heads.go": "package svc\n" + "func (" * (256 * KB // 6),
    "svc/parser.go": "package svc\nvar _ = os.Environ()\nfunc p(l string) {\n"
    'strings.Cut(l, "=")\n' + "\n" * (256 * KB) + 'case "A"\n}\n',
    "web/calls.ts": "process.env[" * (256 * KB // 12),
    "web/nest.js": "function f(a) {" * (16 * KB) + "process.env[a]" + "}" * (16 * KB),
    "app/imports.py": "from x import (" * (256 * KB // 15),
}


def test_pumped_texts_pass_through_and_the_real_read_is_still_reported(
    attack: AttackFactory, tmp_path: Path
) -> None:
    head = {
        **PUMPS,
        "app/settings.py": "import os\nTOKEN = os.environ['PUMPED_BUT_FOUND']\n",
    }
    policy = "version: 1\nchecks:\n  env-vars: {}\n  security: false\n"
    case = attack(policy, {"README.md": "a\n"}, head)
    code, data, out = _cli(case, tmp_path)
    assert code == 1, out
    outcomes = {o["check"]: o for o in data["outcomes"]}  # type: ignore[union-attr]
    assert outcomes["env-vars"]["status"] != "error", outcomes["env-vars"]
    messages = [str(f["message"]) for f in _findings(data)]
    assert any(m.startswith("PUMPED_BUT_FOUND is read here") for m in messages), messages
