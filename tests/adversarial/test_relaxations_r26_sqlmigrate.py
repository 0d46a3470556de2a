"""Attacks on round 26's reading of rubenv/sql-migrate files: a section whose directive
line carries ``notransaction`` is read as run outside a transaction, so CONCURRENTLY is
no longer ``concurrent-in-transaction`` there (sqlmigrate.py). The option counts only
where the runner reads it: on the Up directive, spelled as the runner compares it, after
the exact ``-- +migrate `` prefix; anywhere else the index is still refused inside the
transaction the runner opens. And a file without the directive is no migration, however
its folder or text resembles one, so it cannot be judged as one to dodge another reader.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
BASE = {
    "sql/1700000000.sql": "-- +migrate Up\nCREATE TABLE runs (id bigint, job int);\n"
    "-- +migrate Down\nDROP TABLE runs;\n",
}
INDEX = "SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY ix ON runs (job);\n"
DOWN = "-- +migrate Down\nDROP INDEX CONCURRENTLY ix;\n"
CONCURRENT = "migrations/concurrent-in-transaction"


def _head(up_line: str, down: str = DOWN) -> dict[str, str]:
    return {"sql/1767658336.sql": f"{up_line}\n{INDEX}\n{down}"}


def test_notransaction_in_capitals_is_not_the_runners_option(attack: AttackFactory) -> None:
    head = _head("-- +migrate Up NOTRANSACTION")
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_notransaction_on_the_down_line_leaves_the_up_in_its_transaction(
    attack: AttackFactory,
) -> None:
    head = _head("-- +migrate Up", "-- +migrate Down notransaction\nDROP INDEX CONCURRENTLY ix;\n")
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_a_directive_without_the_runners_prefix_sets_no_option(attack: AttackFactory) -> None:
    # ``--+migrate`` is a comment to the runner: found as sql-migrate, but no option
    head = _head("--+migrate Up notransaction")
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_the_word_glued_to_another_sets_no_option(attack: AttackFactory) -> None:
    head = _head("-- +migrate Up notransactional")
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_the_word_on_another_directive_line_sets_no_option(attack: AttackFactory) -> None:
    head = _head("-- +migrate Up\n-- +migrate notransaction")
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_the_option_read_where_the_runner_reads_it_passes(attack: AttackFactory) -> None:
    verdict = attack(POLICY, BASE, _head("-- +migrate Up notransaction")).judge()
    assert verdict.met
