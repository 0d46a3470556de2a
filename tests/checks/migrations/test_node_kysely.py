"""Kysely migrations as docmost writes them, on real git repositories: ``export async
function up(db: Kysely<any>)`` building the schema with ``db.schema...execute()`` chains
and running ``sql`...`.execute(db)``, in one transaction (Kysely's Migrator on
PostgreSQL)."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect
from gatekeeper.checks.migrations.nodekysely import statements as kysely_statements
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults
from tests.checks.migrations import runs

FOLDER = "apps/server/src/database/migrations"
#: the code still reads every column: a drop is no expand-contract step
CODE = {"apps/server/src/model.ts": "export const cols = ['user_id', 'title', 'payload'];\n"}


def _kysely(up: str, down: str | None = "  await db.schema.dropTable('notes').execute();\n") -> str:
    text = (
        "import { type Kysely, sql } from 'kysely';\n\n"
        f"export async function up(db: Kysely<any>): Promise<void> {{\n{up}}}\n"
    )
    if down is not None:
        text += f"\nexport async function down(db: Kysely<any>): Promise<void> {{\n{down}}}\n"
    return text


NOTES = (
    "  await db.schema\n"
    "    .createTable('notes')\n"
    "    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))\n"
    "    .addColumn('title', 'varchar', (col) => col.notNull())\n"
    "    .execute();\n"
)


def _run(git_repo: Any, head: dict[str, Any]) -> list[Finding]:
    return runs.findings(git_repo, CODE, head)


def _changed(git_repo: Any, head: dict[str, Any]) -> list[str]:
    first = git_repo.commit({"README.md": "x\n"})
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        return [f"{m.framework}:{m.path}" for m in detect.changed_migrations(changes)]


def test_a_kysely_migration_is_claimed(git_repo: Any) -> None:
    path = f"{FOLDER}/20260509T121236-notes.ts"
    assert _changed(git_repo, {path: _kysely(NOTES)}) == [f"node:{path}"]


def test_a_file_importing_kysely_without_an_up_is_no_migration(git_repo: Any) -> None:
    helper = (
        "import { Kysely, Migrator, FileMigrationProvider } from 'kysely';\n\n"
        "export async function migrateToLatest(db: Kysely<any>) {\n"
        "  const migrator = new Migrator({ db, provider: new FileMigrationProvider({}) });\n"
        "  await migrator.migrateToLatest();\n"
        "}\n"
    )
    outside = {"apps/server/src/core/notes.ts": _kysely(NOTES)}
    assert _changed(git_repo, {f"{FOLDER}/migrator.ts": helper, **outside}) == []


def test_a_reversible_kysely_migration_creating_a_table_and_its_index_passes(
    git_repo: Any,
) -> None:
    up = NOTES + (
        "  await db.schema\n"
        "    .createIndex('notes_title_idx')\n"
        "    .on('notes')\n"
        "    .column('title')\n"
        "    .execute();\n"
    )
    found = _run(git_repo, {f"{FOLDER}/20260509T121236-notes.ts": _kysely(up)})
    assert runs.errors(found) == []


def test_a_kysely_migration_without_a_down_fires(git_repo: Any) -> None:
    found = _run(git_repo, {f"{FOLDER}/20260509T121236-notes.ts": _kysely(NOTES, None)})
    assert "missing-down" in runs.errors(found)


def test_a_plain_create_index_on_a_large_table_fires(git_repo: Any) -> None:
    up = (
        "  await db.schema\n"
        "    .createIndex('idx_events_user_id')\n"
        "    .ifNotExists()\n"
        "    .on('events')\n"
        "    .columns(['user_id', 'created_at'])\n"
        "    .execute();\n"
    )
    down = "  await db.schema.dropIndex('idx_events_user_id').ifExists().execute();\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-add-indexes.ts": _kysely(up, down)})
    hit = [f for f in found if f.rule == "index-not-concurrent"]
    assert hit and hit[0].level is Level.ERROR
    assert hit[0].location is not None and hit[0].location.start_line == 5


def test_a_raw_sql_template_executed_is_reviewed(git_repo: Any) -> None:
    up = (
        "  await sql`\n"
        "    CREATE UNIQUE INDEX IF NOT EXISTS idx_events_key_lower ON events (LOWER(key))\n"
        "  `.execute(db);\n"
    )
    down = "  await sql`DROP INDEX idx_events_key_lower`.execute(db);\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-add-indexes.ts": _kysely(up, down)})
    assert {"index-not-concurrent", "unique-constraint"} & set(runs.errors(found))


def test_a_not_null_column_without_default_on_an_existing_table_fires(git_repo: Any) -> None:
    up = (
        "  await db.schema\n"
        "    .alterTable('events')\n"
        "    .addColumn('kind', 'varchar', (col) => col.notNull())\n"
        "    .execute();\n"
    )
    down = "  await db.schema.alterTable('events').dropColumn('kind').execute();\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-kind.ts": _kysely(up, down)})
    assert "add-required-column" in runs.errors(found)


def test_a_column_with_a_constant_default_passes(git_repo: Any) -> None:
    up = (
        "  await db.schema\n"
        "    .alterTable('pages')\n"
        "    .addColumn('contributor_ids', sql`uuid[]`, (col) => col.defaultTo('{}'))\n"
        "    .execute();\n"
    )
    down = "  await db.schema.alterTable('pages').dropColumn('contributor_ids').execute();\n"
    found = _run(git_repo, {f"{FOLDER}/20250327T145832-contributors.ts": _kysely(up, down)})
    assert runs.errors(found) == []


def test_a_dropped_column_fires(git_repo: Any) -> None:
    up = "  await db.schema.alterTable('events').dropColumn('payload').execute();\n"
    down = "  await db.schema.alterTable('events').addColumn('payload', 'jsonb').execute();\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-drop.ts": _kysely(up, down)})
    assert "drop-column" in runs.errors(found)


def test_a_column_type_changed_on_an_existing_table_fires(git_repo: Any) -> None:
    up = (
        "  await db.schema\n"
        "    .alterTable('events')\n"
        "    .alterColumn('payload', (col) => col.setDataType('jsonb'))\n"
        "    .execute();\n"
    )
    down = (
        "  await db.schema\n"
        "    .alterTable('events')\n"
        "    .alterColumn('payload', (col) => col.setDataType('text'))\n"
        "    .execute();\n"
    )
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-retype.ts": _kysely(up, down)})
    assert "change-column-type" in {f.rule for f in found}


def test_concurrently_in_a_kysely_up_runs_in_its_transaction(git_repo: Any) -> None:
    up = "  await sql`CREATE INDEX CONCURRENTLY idx_notes_title ON notes (title)`.execute(db);\n"
    down = "  await sql`DROP INDEX idx_notes_title`.execute(db);\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-concurrently.ts": _kysely(up, down)})
    assert "concurrent-in-transaction" in runs.errors(found)


def test_a_renamed_column_fires(git_repo: Any) -> None:
    up = "  await db.schema.alterTable('events').renameColumn('title', 'name').execute();\n"
    down = "  await db.schema.alterTable('events').renameColumn('name', 'title').execute();\n"
    found = _run(git_repo, {f"{FOLDER}/20260329T163516-rename.ts": _kysely(up, down)})
    assert "rename-column" in runs.errors(found)


# Kysely's Migrator setup: ``disableTransactions: true`` runs every migration without one

_SETUP = "apps/server/src/database/migrate.ts"
_CONCURRENT = "20260329T163516-concurrently.ts"


def _migrator(option: str) -> str:
    return (
        "import { Migrator, FileMigrationProvider } from 'kysely';\n\n"
        "export const migrator = new Migrator({\n"
        "  db,\n"
        "  provider: new FileMigrationProvider({ fs, path, migrationFolder }),\n"
        f"  {option}\n"
        "});\n"
    )


def _concurrently(git_repo: Any, base: dict[str, Any], head: dict[str, Any]) -> list[Finding]:
    up = "  await sql`CREATE INDEX CONCURRENTLY idx_notes_title ON notes (title)`.execute(db);\n"
    down = "  await sql`DROP INDEX idx_notes_title`.execute(db);\n"
    first = git_repo.commit({**CODE, **base})
    second = git_repo.commit({**head, f"{FOLDER}/{_CONCURRENT}": _kysely(up, down)})
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, defaults(check))))


def test_a_merged_migrator_without_transactions_lets_an_index_build_concurrently(
    git_repo: Any,
) -> None:
    found = _concurrently(git_repo, {_SETUP: _migrator("disableTransactions: true,")}, {})
    assert "concurrent-in-transaction" not in {f.rule for f in found}
    assert "runner-outside-transaction" not in {f.rule for f in found}


def test_a_migrator_the_change_adds_without_transactions_is_named(git_repo: Any) -> None:
    found = _concurrently(git_repo, {}, {_SETUP: _migrator("disableTransactions: true,")})
    assert "concurrent-in-transaction" not in {f.rule for f in found}
    named = [f for f in found if f.rule == "runner-outside-transaction"]
    assert named and named[0].level is Level.WARNING and _SETUP in named[0].message


def test_a_migrator_keeping_transactions_keeps_the_rule(git_repo: Any) -> None:
    found = _concurrently(git_repo, {_SETUP: _migrator("disableTransactions: false,")}, {})
    assert "concurrent-in-transaction" in runs.errors(found)


def test_a_test_files_migrator_without_transactions_is_not_the_deployments(
    git_repo: Any,
) -> None:
    test_setup = "apps/server/test/migrate.ts"
    found = _concurrently(git_repo, {test_setup: _migrator("disableTransactions: true,")}, {})
    assert "concurrent-in-transaction" in runs.errors(found)


def test_a_partial_index_keeps_its_predicate() -> None:
    body = (
        "  await db.schema.createIndex('i').on('events').column('user_id')\n"
        "    .where('deleted_at', 'is', null).where('kind', 'in', ['a', 'b']).execute();\n"
        "  await db.schema.createIndex('j').on('events').column('a').unique()\n"
        "    .where(sql`status <> 'x'`).execute();\n"
    )
    got = [s.text for s in kysely_statements(body, 1)]
    assert got == [
        "CREATE INDEX i ON events (user_id) WHERE deleted_at is null AND kind in ('a', 'b')",
        "CREATE UNIQUE INDEX j ON events (a) WHERE (status <> 'x')",
    ]


def test_a_predicate_built_at_run_time_is_left_out() -> None:
    body = (
        "  await db.schema.createIndex('k').on('t').column('a')\n"
        "    .where((eb) => eb('a', '=', 1)).execute();\n"
    )
    assert [s.text for s in kysely_statements(body, 1)] == ["CREATE INDEX k ON t (a)"]
