"""The harness itself: an attack that does nothing is judged like any change."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

POLICY = """\
version: 1
extends: [strict]
checks:
  cochange:
    - {when: ["src/**"], require: ["tests/**"], message: "code needs tests"}
"""


def test_a_plain_violation_blocks(attack: AttackFactory) -> None:
    case = attack(POLICY, {"src/app.py": "x = 1\n"}, {"src/app.py": "x = 2\n"})
    verdict = case.judge()
    assert_blocked(verdict, "cochange/missing-cochange")


def test_a_clean_change_passes(attack: AttackFactory) -> None:
    case = attack(
        POLICY,
        {"src/app.py": "x = 1\n", "tests/test_app.py": "def test(): pass\n"},
        {"src/app.py": "x = 2\n", "tests/test_app.py": "def test(): assert True\n"},
    )
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)
