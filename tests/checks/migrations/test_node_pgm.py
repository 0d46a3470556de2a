"""node-pg-migrate migrations, on real git repositories: sides taking its builder
(``exports.up = (pgm) => {...}``) whose calls are read as the SQL node-pg-migrate runs,
with ``pgm.sql(...)``, in a transaction unless the up calls ``pgm.noTransaction()``."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import detect
from gatekeeper.checks.migrations.nodepgm import statements
from gatekeeper.model import Finding
from tests.checks.migrations import runs

FOLDER = "migrations"
#: the code still reads every column: a drop is no expand-contract step
CODE = {"src/events.js": "export const cols = ['events', 'user_id', 'payload', 'kind'];\n"}
FIRST = (
    "exports.up = (pgm) => {\n"
    "  pgm.createTable('events', { id: 'id', user_id: 'bigint', payload: 'text',"
    " kind: 'text' });\n"
    "};\n\n"
    "exports.down = (pgm) => {\n  pgm.dropTable('events');\n};\n"
)
BASE = {**CODE, f"{FOLDER}/1700000000000_events.js": FIRST}
PATH = f"{FOLDER}/1700000000001_change.js"


def _pgm(up: str, down: str | None = "  pgm.sql('SELECT 1');\n") -> str:
    text = f"exports.up = (pgm) => {{\n{up}}};\n"
    return text + (f"\nexports.down = (pgm) => {{\n{down}}};\n" if down is not None else "")


def _run(git_repo: Any, up: str, down: str | None = "  pgm.sql('SELECT 1');\n") -> list[Finding]:
    return runs.findings(git_repo, BASE, {PATH: _pgm(up, down)})


def test_a_node_pg_migrate_migration_is_claimed(git_repo: Any) -> None:
    first = git_repo.commit({"README.md": "x\n"})
    second = git_repo.commit(BASE)
    with changeset_from_git(git_repo.root, first, second) as changes:
        assert [m.framework for m in detect.changed_migrations(changes)] == ["node"]


def test_a_plain_index_on_an_existing_table_blocks(git_repo: Any) -> None:
    found = _run(git_repo, "  pgm.createIndex('events', 'user_id');\n")
    assert "index-not-concurrent" in runs.errors(found)


def test_a_concurrent_index_outside_a_transaction_passes(git_repo: Any) -> None:
    up = "  pgm.noTransaction();\n  pgm.createIndex('events', 'user_id', { concurrently: true });\n"
    assert runs.errors(_run(git_repo, up)) == []


def test_a_concurrent_index_in_the_migrations_transaction_blocks(git_repo: Any) -> None:
    found = _run(git_repo, "  pgm.createIndex('events', 'user_id', { concurrently: true });\n")
    assert "concurrent-in-transaction" in runs.errors(found)


def test_a_required_column_without_default_blocks(git_repo: Any) -> None:
    up = "  pgm.addColumns('events', { note: { type: 'text', notNull: true } });\n"
    assert "add-required-column" in runs.errors(_run(git_repo, up))


def test_a_nullable_column_passes(git_repo: Any) -> None:
    up = "  pgm.addColumns('events', { note: { type: 'text' } });\n"
    down = "  pgm.dropColumns('events', ['note']);\n"
    assert runs.errors(_run(git_repo, up, down)) == []


def test_a_dropped_column_blocks(git_repo: Any) -> None:
    assert "drop-column" in runs.errors(
        _run(git_repo, "  pgm.dropColumns('events', ['payload']);\n")
    )


def test_raw_sql_is_reviewed(git_repo: Any) -> None:
    found = _run(git_repo, "  pgm.sql('DROP TABLE events');\n")
    assert "drop-table" in runs.errors(found)


def test_a_column_made_not_null_is_reported(git_repo: Any) -> None:
    up = "  pgm.alterColumn('events', 'kind', { notNull: true });\n"
    assert "set-not-null" in {f.rule for f in _run(git_repo, up)}


def test_a_migration_without_a_down_blocks(git_repo: Any) -> None:
    up = "  pgm.addColumns('events', { note: 'text' });\n"
    assert "missing-down" in runs.errors(_run(git_repo, up, None))


def test_the_builders_calls_read_as_sql() -> None:
    body = (
        "  pgm.createIndex('events', ['user_id', 'kind'], {\n"
        "    name: 'ev_idx', unique: true, where: 'kind IS NOT NULL', concurrently: true,\n"
        "  });\n"
        "  pgm.addColumns('events', { at: { type: 'timestamptz', notNull: true,"
        " default: pgm.func('now()') } });\n"
        "  pgm.renameColumn('events', 'kind', 'type');\n"
        "  pgm.addConstraint('events', 'ev_user_fk', { foreignKeys: { columns: 'user_id',"
        " references: 'users(id)' } });\n"
        "  pgm.createIndex(table, 'x');\n"
    )
    assert [(s.line, s.text) for s in statements(body, 1)] == [
        (1, "CREATE UNIQUE INDEX CONCURRENTLY ev_idx ON events (user_id, kind) "
            "WHERE kind IS NOT NULL"),
        (4, "ALTER TABLE events ADD COLUMN at timestamptz NOT NULL DEFAULT now()"),
        (5, "ALTER TABLE events RENAME COLUMN kind TO type"),
        (6, "ALTER TABLE events ADD CONSTRAINT ev_user_fk FOREIGN KEY (user_id) "
            "REFERENCES users(id)"),
    ]  # fmt: skip
