"""Attacks on the confidence line: under `recommended`, a bandit finding bandit itself is
unsure of (low confidence, such as B113's request without a timeout) is a warning. A pull
request must not pass an injection through it: bandit rates SQL built before the
``execute()`` call as low confidence, and that is the commonest shape of a real one."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = """\
version: 1
extends: [recommended]
checks:
  security: {dependencies: false, sensitive: false, secrets: false}
"""


def test_sql_built_before_the_execute_call_still_blocks(attack: AttackFactory) -> None:
    code = (
        "def find(cur, name):\n"
        "    q = f\"SELECT * FROM t WHERE name = '{name}'\"\n"
        "    cur.execute(q)\n"
    )
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/db.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b608")


def test_a_shell_command_bandit_rates_low_still_blocks(attack: AttackFactory) -> None:
    # B604 (shell=True on a function not known to be subprocess) is low confidence
    code = "def run(cmd, spawn):\n    return spawn(cmd, shell=True)\n"
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/run.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b604")
