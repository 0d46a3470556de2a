"""Attacks on round 25's Alembic relaxations: constraints dropped by the name a naming
convention gives them, what goes with a dropped column, SQL formatted in a migration,
comments inside a merged revision's SQL, and regular expressions under secret-like names.

Each relaxation lets something pass that used to block; each case shows a pull request
cannot use it to carry an incomplete downgrade, an injectable query, a rewrite of
applied history or a secret past the gate. These are guards: the code before this round
blocked them too (it blocked the honest changes as well); the cases that pass now and
failed before are beside each rule's tests (tests/checks/migrations/cases/alembic.yml,
history_repairs.yml, tests/checks/security/test_bandit_scan.py, test_secrets.py).
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
BANDIT = (
    "version: 1\nchecks:\n  migrations: false\n"
    "  security: {dependencies: false, sensitive: false, secrets: false}\n"
)
SECRETS = "version: 1\nchecks:\n  security: {dependencies: false, sensitive: false}\n"

CONVENTION = (
    "from sqlalchemy import MetaData\n"
    'metadata = MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})\n'
)


def _revision(rev: str, down: str | None, upgrade: str, downgrade: str) -> str:
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\n"
        f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
    )


MERGED = {"app/migrations/versions/a1_init.py": _revision("a1", None, "pass", "pass")}


def test_a_convention_the_pr_declares_pairs_no_names(attack: AttackFactory) -> None:
    # the convention is read at base: one the PR adds does not make the drop undo the check
    head = {
        "app/db.py": CONVENTION,
        "app/migrations/versions/b2_check.py": _revision(
            "b2",
            "a1",
            'op.create_check_constraint("positive", "orders", "total >= 0")',
            'op.drop_constraint("ck_orders_positive", "orders")',
        ),
    }
    verdict = attack(MIGRATIONS, MERGED, head).judge()
    assert_blocked(verdict, "migrations/down-incomplete")


def test_the_conventions_name_on_another_table_undoes_nothing(attack: AttackFactory) -> None:
    head = {
        "app/migrations/versions/b2_check.py": _revision(
            "b2",
            "a1",
            'op.create_check_constraint("positive", "orders", "total >= 0")',
            'op.drop_constraint("ck_invoices_positive", "invoices")',
        ),
    }
    verdict = attack(MIGRATIONS, {**MERGED, "app/db.py": CONVENTION}, head).judge()
    assert_blocked(verdict, "migrations/down-incomplete")


def test_dropping_another_column_does_not_take_the_check_with_it(attack: AttackFactory) -> None:
    # the check names total; the down drops note, which the check never mentions
    head = {
        "app/migrations/versions/b2_check.py": _revision(
            "b2",
            "a1",
            'op.add_column("orders", sa.Column("note", sa.Text()))\n'
            '    op.create_check_constraint("positive", "orders", "total >= 0")',
            'op.drop_column("orders", "note")',
        ),
    }
    assert_blocked(attack(MIGRATIONS, MERGED, head).judge(), "migrations/down-incomplete")


def test_a_formatted_statement_that_is_no_fill_of_the_dropped_column_stays_unread(
    attack: AttackFactory,
) -> None:
    # the f-string alters the schema: only an UPDATE filling the dropped column goes with it
    head = {
        "app/migrations/versions/b2_fill.py": _revision(
            "b2",
            "a1",
            'op.add_column("orders", sa.Column("note", sa.Text()))\n'
            '    op.execute(f"UPDATE orders SET note = {1}; ALTER TABLE orders ADD x {T}")',
            'op.drop_column("orders", "note")',
        ),
    }
    assert_blocked(attack(MIGRATIONS, MERGED, head).judge(), "migrations/down-incomplete")


SQL_IN_CODE = (
    "def rename(conn, table, name):\n    conn.execute(f\"UPDATE {table} SET name = '{name}'\")\n"
)


def test_the_honest_fill_in_a_kept_migrations_folder_passes(attack: AttackFactory) -> None:
    # the control for the attacks below (it failed before this round): a revision beside
    # merged ones that formats its UPDATE from values it holds warns, and so passes
    head = {
        "app/migrations/versions/b2_fill.py": _revision(
            "b2", "a1", "op.execute(f\"UPDATE t SET c = {'x'.upper()}\")", "pass"
        )
    }
    verdict = attack(BANDIT, MERGED, head).judge()
    assert verdict.met, blocking_rules(verdict)


def test_formatted_sql_in_application_code_still_blocks(attack: AttackFactory) -> None:
    # the repository keeps migrations; the query is in its application code
    head = {"app/users.py": SQL_IN_CODE}
    assert_blocked(attack(BANDIT, MERGED, head).judge(), "security/bandit-b608")


def test_application_code_dressed_as_a_revision_still_blocks(attack: AttackFactory) -> None:
    # a revision line makes it look like Alembic's, but app/ held no migration at base
    head = {"app/users.py": "revision = 'x9'\ndown_revision = 'a1'\n\n\n" + SQL_IN_CODE}
    assert_blocked(attack(BANDIT, MERGED, head).judge(), "security/bandit-b608")


def test_a_migrations_folder_the_pr_starts_is_not_trusted(attack: AttackFactory) -> None:
    head = {
        "app/queries/versions/b2_q.py": "revision = 'b2'\ndown_revision = None\n\n\n" + SQL_IN_CODE
    }
    assert_blocked(attack(BANDIT, {"README.md": "x\n"}, head).judge(), "security/bandit-b608")


def test_another_bandit_rule_in_a_migration_still_blocks(attack: AttackFactory) -> None:
    head = {
        "app/migrations/versions/b2_shell.py": _revision(
            "b2", "a1", "import subprocess; subprocess.run(NAME, shell=True)", "pass"
        ),
    }
    verdict = attack(BANDIT, MERGED, head).judge()
    assert not verdict.met
    assert any(rule.startswith("security/bandit-b60") for rule in blocking_rules(verdict))


def test_a_changed_statement_beside_a_fixed_comment_rewrites_history(
    attack: AttackFactory,
) -> None:
    old = _revision(
        "a1",
        None,
        'op.execute("""\n    -- clear the flag\n    UPDATE t SET flag = 0\n    """)',
        "pass",
    )
    new = old.replace("-- clear the flag", "-- clear the flags").replace("flag = 0", "flag = 1")
    path = "app/migrations/versions/a1_init.py"
    verdict = attack(MIGRATIONS, {path: old}, {path: new}).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


def test_a_key_wrapped_in_a_pattern_is_still_a_secret(attack: AttackFactory) -> None:
    # the shape for regular expressions must not cover a key dressed as a group
    head = {"app/auth.py": 'api_key = r"^(?:Zx8kLm2Qp9vRt4WqYb3N)+$"\n'}  # pragma: allowlist secret
    verdict = attack(SECRETS, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "security/secret-high-entropy")
