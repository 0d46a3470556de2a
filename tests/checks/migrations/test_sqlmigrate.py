"""rubenv/sql-migrate files (convoy's ``sql/<unix time>.sql``), on real git repositories:
recognised by their ``-- +migrate Up`` directive in any folder, split into up and down,
a section marked ``notransaction`` read as run outside a transaction, StatementBegin/End
blocks sent whole, and the chain round-tripped on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect, sqlmigrate
from gatekeeper.model import Finding
from gatekeeper.testing import context, defaults
from tests.checks.migrations import runs

FIRST = (
    "-- +migrate Up\n"
    "CREATE TABLE event_deliveries (id TEXT PRIMARY KEY, status TEXT, created_at TEXT);\n\n"
    "-- +migrate Down\n"
    "DROP TABLE event_deliveries;\n"
)
BASE = {"sql/1700000000.sql": FIRST, "main.go": "package main\n"}
NEW = "sql/1767658336.sql"
REVERSIBLE = (
    "-- +migrate Up\n"
    "ALTER TABLE event_deliveries ADD COLUMN target_url TEXT;\n\n"
    "-- +migrate Down\n"
    "ALTER TABLE event_deliveries DROP COLUMN target_url;\n"
)
PLAIN_INDEX = (
    "-- +migrate Up\n"
    "CREATE INDEX IF NOT EXISTS idx_deliveries_status\n"
    "ON event_deliveries (status, created_at);\n\n"
    "-- +migrate Down\n"
    "DROP INDEX IF EXISTS idx_deliveries_status;\n"
)
CONCURRENT = (
    "-- +migrate Up notransaction\n"
    "-- CONCURRENTLY avoids locking writes.\n"
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_deliveries_status\n"
    "    ON event_deliveries (status, created_at);\n\n"
    "-- +migrate Down notransaction\n"
    "DROP INDEX CONCURRENTLY IF EXISTS idx_deliveries_status;\n"
)
#: a PL/pgSQL function: semicolons inside, kept whole by StatementBegin/End
FUNCTION = (
    "-- +migrate Up\n"
    "-- +migrate StatementBegin\n"
    "CREATE FUNCTION delivery_count() RETURNS bigint AS $$\n"
    "DECLARE n bigint;\n"
    "BEGIN\n"
    "    SELECT count(*) INTO n FROM event_deliveries;\n"
    "    RETURN n;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql;\n"
    "-- +migrate StatementEnd\n"
    "ALTER TABLE event_deliveries ADD COLUMN attempts INTEGER;\n\n"
    "-- +migrate Down\n"
    "ALTER TABLE event_deliveries DROP COLUMN attempts;\n"
    "DROP FUNCTION delivery_count();\n"
)


def _changed(git_repo: Any, head: dict[str, Any]) -> list[str]:
    first = git_repo.commit(BASE)
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        return [f"{m.framework}:{m.version}:{m.path}" for m in detect.changed_migrations(changes)]


def _run(git_repo: Any, head: dict[str, Any], **config: Any) -> list[Finding]:
    return runs.findings(git_repo, BASE, head, **config)


def _rules(found: list[Finding]) -> list[str]:
    return sorted(f.rule for f in found)


# detection


def test_a_sql_file_with_migrate_directives_is_sql_migrate_in_any_folder(git_repo: Any) -> None:
    assert _changed(git_repo, {NEW: REVERSIBLE}) == [f"sql-migrate:1767658336:{NEW}"]


def test_a_sql_file_without_directives_is_no_migration(git_repo: Any) -> None:
    # sqlc's query files sit beside convoy's migrations: no directive, no migration
    head = {
        "internal/events/queries.sql": "-- name: CountEvents :one\nSELECT count(*) FROM events;\n",
        "sql/seed.sql": "INSERT INTO event_deliveries (id) VALUES ('a');\n",
        "docs/notes.sql": "-- run with +migrate Up later\nSELECT 1;\n",
    }
    assert _changed(git_repo, head) == []


def test_the_up_directive_must_start_a_line() -> None:
    assert sqlmigrate.is_migration("-- +migrate Up\nSELECT 1;\n")
    assert not sqlmigrate.is_migration("SELECT 1; -- +migrate Up\n")
    assert not sqlmigrate.is_migration(None)


# up and down


def test_a_reversible_migration_passes_its_round_trip(git_repo: Any) -> None:
    assert runs.errors(_run(git_repo, {NEW: REVERSIBLE})) == []


def test_a_missing_down_section_fires(git_repo: Any) -> None:
    head = {NEW: REVERSIBLE.partition("-- +migrate Down")[0]}
    found = _run(git_repo, head)
    assert "missing-down" in _rules(found)
    assert "sql-migrate migration sql/1767658336.sql has no down side" in found[0].message


def test_an_empty_down_section_fires(git_repo: Any) -> None:
    head = {NEW: REVERSIBLE.partition("-- +migrate Down")[0] + "-- +migrate Down\n-- nothing\n"}
    assert "empty-down" in _rules(_run(git_repo, head))


def test_a_down_that_does_not_undo_the_up_fails_the_round_trip(git_repo: Any) -> None:
    head = {NEW: REVERSIBLE.replace("DROP COLUMN target_url", "ADD COLUMN other TEXT")}
    assert "roundtrip-failed" in _rules(_run(git_repo, head))


# transactions


def test_a_plain_index_on_a_large_table_inside_the_transaction_fires(git_repo: Any) -> None:
    found = _run(git_repo, {NEW: PLAIN_INDEX}, large_tables=["event_deliveries"])
    assert "index-not-concurrent" in _rules(found)
    index = next(f for f in found if f.rule == "index-not-concurrent")
    assert index.location is not None and index.location.start_line == 2


def test_a_concurrent_index_in_a_notransaction_section_passes(git_repo: Any) -> None:
    found = _run(git_repo, {NEW: CONCURRENT}, large_tables=["event_deliveries"])
    assert "index-not-concurrent" not in _rules(found)
    assert "concurrent-in-transaction" not in _rules(found)


def test_a_concurrent_index_without_notransaction_is_refused_in_the_transaction(
    git_repo: Any,
) -> None:
    head = {NEW: CONCURRENT.replace(" notransaction", "")}
    assert "concurrent-in-transaction" in _rules(_run(git_repo, head, roundtrip="off"))


def test_notransaction_is_honoured_as_the_runner_spells_it() -> None:
    assert not sqlmigrate.up_in_transaction("-- +migrate Up notransaction\nSELECT 1;\n")
    # options are compared as written; the Down's option says nothing of the Up
    assert sqlmigrate.up_in_transaction("-- +migrate Up NOTRANSACTION\nSELECT 1;\n")
    assert sqlmigrate.up_in_transaction("-- +migrate Up\nx;\n-- +migrate Down notransaction\n")


def test_a_plain_index_outside_a_transaction_still_locks(git_repo: Any) -> None:
    head = {NEW: PLAIN_INDEX.replace("-- +migrate Up", "-- +migrate Up notransaction")}
    found = _run(git_repo, head, large_tables=["event_deliveries"], roundtrip="off")
    index = [f for f in found if f.rule == "index-not-concurrent"]
    assert index and "transaction" not in index[0].message.split("CONCURRENTLY")[0].lower()


# StatementBegin/End


def test_statement_begin_and_end_keep_a_function_whole() -> None:
    up = FUNCTION.partition("-- +migrate Down")[0]
    found = sqlmigrate.pieces(up)
    assert [(text.split()[0], line, block) for text, line, block in found] == [
        ("CREATE", 3, True),
        ("ALTER", 11, False),
    ]
    assert found[0][0].endswith("$$ LANGUAGE plpgsql;")


def test_without_statement_begin_the_runner_cuts_at_each_semicolon_line() -> None:
    up = FUNCTION.replace("-- +migrate StatementBegin\n", "").replace(
        "-- +migrate StatementEnd\n", ""
    )
    texts = [text for text, _, _ in sqlmigrate.pieces(up)]
    assert texts[0] == ("CREATE FUNCTION delivery_count() RETURNS bigint AS $$\nDECLARE n bigint;")


def test_a_function_in_a_statement_block_round_trips_on_postgres(
    git_repo: Any, pg_url: str
) -> None:
    found = _run(git_repo, {NEW: FUNCTION}, roundtrip="postgres", database_url=pg_url)
    assert "roundtrip-failed" not in _rules(found)
    assert "roundtrip-not-run" not in _rules(found)


def test_a_function_the_runner_would_cut_fails_on_postgres(git_repo: Any, pg_url: str) -> None:
    head = {NEW: FUNCTION.replace("-- +migrate StatementBegin\n", "")}
    head[NEW] = head[NEW].replace("-- +migrate StatementEnd\n", "")
    found = _run(git_repo, head, roundtrip="postgres", database_url=pg_url)
    assert "roundtrip-failed" in _rules(found)


def test_a_concurrent_index_round_trips_on_postgres(git_repo: Any, pg_url: str) -> None:
    found = _run(
        git_repo,
        {NEW: CONCURRENT},
        roundtrip="postgres",
        database_url=pg_url,
        large_tables=["event_deliveries"],
    )
    assert runs.errors(found) == []


def test_the_version_is_the_leading_number() -> None:
    assert sqlmigrate.version("1767658336.sql") == "1767658336"
    assert sqlmigrate.version("20240101_add_users.sql") == "20240101"
    assert sqlmigrate.version("init.sql") == "init"


def test_a_pair_file_holding_the_directive_stays_a_pair(git_repo: Any) -> None:
    # Ory's legacy popx files keep sql-migrate's directive in ``N_name.<db>.up.sql``
    head = {"m/1_init.up.sql": "-- +migrate Up\nCREATE TABLE t (a int);\n"}
    assert _changed(git_repo, head) == ["golang-migrate:1:m/1_init.up.sql"]


def test_editing_only_the_down_section_of_a_merged_file_is_down_edited(git_repo: Any) -> None:
    first = git_repo.commit({**BASE, NEW: REVERSIBLE})
    fixed = REVERSIBLE.replace("DROP COLUMN target_url;", "DROP COLUMN IF EXISTS target_url;")
    second = git_repo.commit({NEW: fixed})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = list(check.run(context(changes, defaults(check))))
    assert "down-edited" in _rules(found)
    assert "history-rewritten" not in _rules(found)


def test_editing_the_up_section_of_a_merged_file_rewrites_history(git_repo: Any) -> None:
    first = git_repo.commit({**BASE, NEW: REVERSIBLE})
    second = git_repo.commit({NEW: REVERSIBLE.replace("target_url TEXT", "target_url VARCHAR")})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = list(check.run(context(changes, defaults(check))))
    assert "history-rewritten" in _rules(found)
