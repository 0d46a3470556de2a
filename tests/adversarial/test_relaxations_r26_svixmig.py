"""Attacks on round 26's relaxation for svix: a migration whose name carries a marker word
(``_autocommit``) is read as run outside a transaction when the project's code holds a
runner that reads that word (txmarkers.py), and the tools' own settings that do the same
(a Flyway script configuration file, golang-migrate's multi-statement mode).

The hole left open on purpose: a PR can ship a file with a runner's full shape (the
literal, a name test, transactions, an execute call) that runs nothing. It passes, with a
``runner-outside-transaction`` warning that names the file for a reviewer; the last cases
show what it does not buy (no relief from any rule but the transaction's, no silence).
"""

from __future__ import annotations

from gatekeeper.model import Verdict
from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
BASE = {
    "db/1_init.up.sql": "CREATE TABLE runs (id bigint, job int);\n",
    "db/1_init.down.sql": "DROP TABLE runs;\n",
}
INDEX = "SET lock_timeout = '2s';\nSELECT 1;\nCREATE INDEX CONCURRENTLY ix ON runs (job);\n"
MARKED = {"db/2_ix_autocommit.up.sql": INDEX, "db/2_ix_autocommit.down.sql": "DROP INDEX ix;\n"}
RUNNER = (
    'const MARK = "autocommit";\n'
    "// migrations named for MARK run outside a transaction\n"
    "export function run(db, m) {\n"
    "  if (m.name.endsWith(MARK)) { for (const s of m.sql) db.execute(s); }\n"
    "}\n"
)
CONCURRENT = "migrations/concurrent-in-transaction"


def _warned(verdict: Verdict, rule: str) -> bool:
    return any(
        r.finding.qualified_rule == rule and not r.blocking
        for o in verdict.outcomes
        for r in o.results
    )


def test_a_literal_in_a_comment_file_without_a_runners_shape_relieves_nothing(
    attack: AttackFactory,
) -> None:
    # the word and "transaction" alone: no name test, nothing executed
    head = {**MARKED, "src/notes.ts": '// "autocommit" migrations skip the transaction\n'}
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_a_runner_in_test_code_is_no_runner(attack: AttackFactory) -> None:
    head = {**MARKED, "tests/migrator.ts": RUNNER}
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_a_runner_in_sql_or_configuration_is_no_runner(attack: AttackFactory) -> None:
    head = {**MARKED, "db/runner.sql": RUNNER, "config/migrate.yml": RUNNER}
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_a_marker_inside_another_word_of_the_name_is_none(attack: AttackFactory) -> None:
    head = {
        "db/2_ix_autocommitted.up.sql": INDEX,
        "db/2_ix_autocommitted.down.sql": "DROP INDEX ix;\n",
        "src/migrator.ts": RUNNER,
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_the_runners_literal_must_be_the_names_marker(attack: AttackFactory) -> None:
    head = {**MARKED, "src/migrator.ts": RUNNER.replace('"autocommit"', '"no_transaction"')}
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_the_hole_a_fake_runner_passes_only_with_a_warning_naming_it(
    attack: AttackFactory,
) -> None:
    # a file with a runner's shape that nothing calls: the gate cannot tell; it says so
    head = {**MARKED, "src/fake_runner.ts": RUNNER}
    verdict = attack(POLICY, BASE, head).judge()
    assert verdict.met
    assert _warned(verdict, "migrations/runner-outside-transaction")
    assert "src/fake_runner.ts" in text_of(verdict)


def test_a_literal_added_to_a_merged_file_still_warns(attack: AttackFactory) -> None:
    # the merged file had no runner's shape: the PR made it one, so it is the PR's runner
    base = {**BASE, "src/db.ts": "export function run(db, sql) { db.execute(sql); }\n"}
    head = {**MARKED, "src/db.ts": RUNNER}
    verdict = attack(POLICY, base, head).judge()
    assert _warned(verdict, "migrations/runner-outside-transaction")


def test_a_marked_migration_keeps_every_other_rule(attack: AttackFactory) -> None:
    # out of the transaction is not out of review: a plain index on a log table blocks
    base = {
        "db/1_init.up.sql": "CREATE TABLE audit_log (id bigint, at timestamptz);\n",
        "db/1_init.down.sql": "DROP TABLE audit_log;\n",
        "src/migrator.ts": RUNNER,
    }
    head = {
        "db/2_ix_autocommit.up.sql": (
            "SET lock_timeout = '2s';\nCREATE INDEX ix ON audit_log (at);\n"
        ),
        "db/2_ix_autocommit.down.sql": "DROP INDEX ix;\n",
    }
    assert_blocked(attack(POLICY, base, head).judge(), "migrations/index-not-concurrent")


def test_a_flyway_configuration_for_another_script_relieves_nothing(
    attack: AttackFactory,
) -> None:
    base = {"db/migration/V1__init.sql": "CREATE TABLE runs (id bigint, job int);\n"}
    head = {
        "db/migration/V2__ix.sql": "CREATE INDEX CONCURRENTLY ix ON runs (job);\n",
        "db/migration/V3__other.sql.conf": "executeInTransaction=false\n",
        "db/migration/V3__other.sql": "SELECT 1;\n",
    }
    assert_blocked(attack(POLICY, base, head).judge(), CONCURRENT)


def test_multi_statement_mode_the_change_turns_on_is_not_read(attack: AttackFactory) -> None:
    # a deployment setting is read as merged: the PR cannot switch it on for itself
    head = {
        "db/2_ix.up.sql": INDEX,
        "db/2_ix.down.sql": "DROP INDEX ix;\n",
        "cmd/migrate.go": 'const url = "postgres://db/app?x-multi-statement=true"\n',
    }
    assert_blocked(attack(POLICY, BASE, head).judge(), CONCURRENT)


def test_multi_statement_mode_in_test_code_is_not_the_deployments(attack: AttackFactory) -> None:
    base = {**BASE, "cmd/migrate_test.go": 'const url = "postgres://db/t?x-multi-statement=true"\n'}
    head = {"db/2_ix.up.sql": INDEX, "db/2_ix.down.sql": "DROP INDEX ix;\n"}
    assert_blocked(attack(POLICY, base, head).judge(), CONCURRENT)
