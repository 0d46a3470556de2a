"""Attacks on the repair relief of history-rewritten: a merged SQL migration its own
database refused as merged may be edited (or renamed and edited) with a warning.

The relief reads the merged text and a database named by the merged tree; each case is a
pull request that edits a merged migration that ran and tries to look like a repair.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

MIGRATIONS = "version: 1\nchecks:\n  migrations: {roundtrip: 'off'}\n  security: false\n"
UP = "migrations/sqlite/0007_ids.up.sql"
DOWN = "migrations/sqlite/0007_ids.down.sql"
RAN = "ALTER TABLE a ADD COLUMN ids text DEFAULT '[]' NOT NULL;\n"
REFUSED = "ALTER TABLE a ADD COLUMN seen integer DEFAULT (unixepoch()) NOT NULL;\n"
BASE = {UP: RAN, DOWN: "ALTER TABLE a DROP COLUMN ids;\n"}


def test_a_refused_statement_in_the_prs_new_migration_relieves_no_edit(
    attack: AttackFactory,
) -> None:
    head = {
        UP: RAN.replace("'[]'", "'{}'"),
        "migrations/sqlite/0008_seen.up.sql": REFUSED,
        "migrations/sqlite/0008_seen.down.sql": "ALTER TABLE a DROP COLUMN seen;\n",
    }
    verdict = attack(MIGRATIONS, BASE, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten", "migrations/syntax-rejected")


def test_writing_a_refused_statement_into_the_merged_file_is_no_repair(
    attack: AttackFactory,
) -> None:
    # the head refuses too: only the merged text says whether any database completed it
    head = {UP: RAN.replace("'[]'", "'{}'") + REFUSED}
    assert_blocked(attack(MIGRATIONS, BASE, head).judge(), "migrations/history-rewritten")


def test_a_folder_the_pr_renames_after_sqlite_does_not_name_the_merged_database(
    attack: AttackFactory,
) -> None:
    # merged where no name says SQLite; the PR moves it into migrations/sqlite/ and edits it
    base = {
        "db/migrations/0007_ids.up.sql": REFUSED,
        "db/migrations/0007_ids.down.sql": "ALTER TABLE a DROP COLUMN seen;\n",
    }
    head = {
        "db/migrations/0007_ids.up.sql": None,
        "db/migrations/0007_ids.down.sql": None,
        UP: REFUSED.replace("(unixepoch())", "0"),
        DOWN: "ALTER TABLE a DROP COLUMN seen;\n",
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")


def test_a_drizzle_config_the_pr_adds_names_no_database_for_merged_files(
    attack: AttackFactory,
) -> None:
    journal = '{"version": "6", "dialect": "sqlite", "entries": []}'
    base = {"db/drizzle/0007_ids.sql": REFUSED, "db/drizzle/meta/_journal.json": journal}
    head = {
        "db/drizzle.config.ts": 'export default { out: "./drizzle", dialect: "turso" };\n',
        "db/drizzle/0007_ids.sql": REFUSED.replace("(unixepoch())", "0"),
    }
    assert_blocked(attack(MIGRATIONS, base, head).judge(), "migrations/history-rewritten")
