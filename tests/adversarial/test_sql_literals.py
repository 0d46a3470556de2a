"""Attacks on the literal-SQL allowance: a B608 finding whose SQL interpolates only
literals (names bound only to literals included) is not reported, since nothing can be
injected into a text fixed when the code was written. A pull request must not pass a
real injection through it: one non-literal piece keeps the finding, however the rest is
dressed up."""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = """\
version: 1
checks:
  security: {dependencies: false, sensitive: false, secrets: false}
"""


def _blocked(attack: AttackFactory, code: str) -> None:
    verdict = attack(POLICY, {"README.md": "x\n"}, {"app/db.py": code}).judge()
    assert_blocked(verdict, "security/bandit-b608")


def test_a_constant_table_beside_a_user_value_blocks(attack: AttackFactory) -> None:
    code = 'TABLE = "users"\n\n\ndef find(c, name):\n'
    code += '    return c.execute(f"SELECT * FROM {TABLE} WHERE name = {name!r}")\n'
    _blocked(attack, code)


def test_a_constant_rebound_from_the_environment_blocks(attack: AttackFactory) -> None:
    _blocked(attack, 'import os\nTABLE = "users"\nif os.environ.get("X"):\n'
             '    TABLE = os.environ["X"]\nQ = "DELETE FROM %s" % TABLE\n')  # fmt: skip


def test_a_constant_shadowed_by_a_parameter_blocks(attack: AttackFactory) -> None:
    _blocked(attack, 'TABLE = "users"\n\n\ndef drop(c, TABLE):\n'
             '    return c.execute("DELETE FROM " + TABLE)\n')  # fmt: skip


def test_sql_built_from_itself_blocks_and_does_not_crash_the_scan(attack: AttackFactory) -> None:
    # the name refers to itself: resolving it must end, and the user value keeps the finding
    _blocked(attack, 'def find(c, user):\n    where = "id = 1"\n    where = where + user\n'
             '    return c.execute("SELECT * FROM t WHERE %s" % where)\n')  # fmt: skip
