"""Migration files the gate used to name as ``unrecognised`` that a reader now claims, on
real git repositories: knex files in folders such as ``db/knex_migrations`` (and their
``.alter()`` judged against the column the down restores), Diesel folders whose names carry
hyphens; and the ``unrecognised`` advice fitting the kind of file it names."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

KNEX = "db/knex_migrations"
#: the code still reads every column: a drop is no expand-contract step
CODE = {"server/model.js": "const cols = ['ping', 'status', 'kind', 'name', 'documents'];\n"}
FIRST = (
    "exports.up = function (knex) {\n"
    '    return knex.schema.createTable("heartbeat", function (table) {\n'
    '        table.increments("id");\n'
    '        table.integer("ping");\n'
    "    });\n"
    "};\n\n"
    "exports.down = function (knex) {\n"
    '    return knex.schema.dropTable("heartbeat");\n'
    "};\n"
)


def _knex(up: str, down: str) -> str:
    return (
        f"exports.up = function (knex) {{\n{up}}};\n\n"
        f"exports.down = function (knex) {{\n{down}}};\n"
    )


def _alter(table: str, column_def: str) -> str:
    return (
        f'    return knex.schema.alterTable("{table}", function (table) {{\n'
        f"        table.{column_def}.alter();\n"
        "    });\n"
    )


def _run(git_repo: Any, base: dict[str, Any], head: dict[str, Any], **config: Any) -> list[Finding]:
    first = git_repo.commit({**CODE, f"{KNEX}/2023-01-01-0000-heartbeat.js": FIRST, **base})
    second = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, {**defaults(check), **config})))


def _changed(git_repo: Any, base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        return [f"{m.framework}:{m.path}" for m in detect.changed_migrations(changes)]


def _rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level is None or f.level is level)


# knex in a folder named for migrations with another word


def test_a_knex_file_in_a_knex_migrations_folder_is_claimed(git_repo: Any) -> None:
    path = f"{KNEX}/2024-02-01-0000-add-kind.js"
    up = '    return knex.schema.alterTable("monitor", (t) => t.string("kind"));\n'
    found = _changed(git_repo, {"README.md": "x\n"}, {path: _knex(up, "")})
    assert found == [f"node:{path}"]


def test_a_script_in_a_folder_only_named_like_one_is_not_claimed(git_repo: Any) -> None:
    # "migrationsky" is no folder of migrations; a helper without an up is no migration
    head = {
        "db/migrationsky/2024-02-01-0000-x.js": _knex("    return 1;\n", ""),
        f"{KNEX}/2024-02-01-helpers.js": "module.exports = { knex: 1 };\n",
    }
    assert _changed(git_repo, {"README.md": "x\n"}, head) == []


def test_a_knex_file_with_an_empty_down_blocks_once_claimed(git_repo: Any) -> None:
    up = '    return knex.schema.alterTable("monitor", (t) => t.dropColumn("name"));\n'
    head = {f"{KNEX}/2024-02-01-0000-drop-name.js": _knex(up, "    return Promise.resolve();\n")}
    found = _run(git_repo, {}, head)
    assert "empty-down" in _rules(found, Level.ERROR)
    assert "unrecognised" not in _rules(found)


# knex .alter()


def test_an_alter_widening_a_large_tables_integer_blocks(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-bigint.js": _knex(
            _alter("heartbeat", 'bigInteger("ping")'), _alter("heartbeat", 'integer("ping")')
        )
    }
    found = _run(git_repo, {}, head)
    (hit,) = [f for f in found if f.rule == "change-column-type"]
    assert hit.level is Level.ERROR
    assert "integer" in hit.message and "biginteger" in hit.message


def test_an_alter_widening_a_small_tables_column_is_a_warning(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-to-string.js": _knex(
            _alter("status_page", 'string("kind").nullable()'),
            _alter("status_page", 'enu("kind", ["a", "b"]).nullable()'),
        )
    }
    found = _run(git_repo, {}, head)
    assert _rules(found, Level.ERROR) == []
    assert "change-column-type" in _rules(found, Level.WARNING)


def test_an_alter_narrowing_a_type_blocks_whatever_the_table(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-narrow.js": _knex(
            _alter("monitor", 'integer("status")'), _alter("monitor", 'string("status")')
        )
    }
    assert "change-column-type" in _rules(_run(git_repo, {}, head), Level.ERROR)


def test_an_alter_making_a_column_not_null_is_reported(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-required.js": _knex(
            _alter("heartbeat", 'integer("ping").notNullable()'),
            _alter("heartbeat", 'integer("ping")'),
        )
    }
    found = _run(git_repo, {}, head)
    assert _rules(found, Level.ERROR) == ["set-not-null"]


def test_an_alter_changing_only_a_default_is_not_reported(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-default.js": _knex(
            _alter("heartbeat", 'integer("ping").defaultTo(0)'),
            _alter("heartbeat", 'integer("ping")'),
        )
    }
    found = _run(git_repo, {}, head)
    assert "change-column-type" not in _rules(found)
    assert "set-not-null" not in _rules(found)


def test_an_alter_the_down_does_not_redefine_stays_a_warning(git_repo: Any) -> None:
    head = {
        f"{KNEX}/2024-02-01-0000-unknown.js": _knex(
            _alter("monitor", 'bigInteger("status")'),
            '    return knex.schema.alterTable("monitor", (t) => t.dropColumn("x"));\n',
        )
    }
    found = _run(git_repo, {}, head)
    assert _rules(found, Level.ERROR) == []
    assert "change-column-type" in _rules(found, Level.WARNING)


# a column dropped and re-created with its values


def _recreate(copy_back: bool) -> str:
    write = (
        "    for (const row of rows) {\n"
        '        await knex("monitor").where({ id: row.id }).update({ kind: row.kind });\n'
        "    }\n"
    )
    return (
        '    const rows = await knex("monitor").select("id", "kind");\n'
        '    await knex.schema.alterTable("monitor", (table) => {\n'
        '        table.dropColumn("kind");\n'
        "    });\n"
        '    await knex.schema.alterTable("monitor", (table) => {\n'
        '        table.string("kind").nullable();\n'
        "    });\n" + (write if copy_back else "")
    )


def test_a_column_dropped_re_added_and_copied_back_is_a_warning(git_repo: Any) -> None:
    head = {f"{KNEX}/2024-02-01-0000-recreate.js": _knex(_recreate(True), _recreate(True))}
    found = _run(git_repo, {}, head)
    assert _rules(found, Level.ERROR) == []
    assert "drop-column" in _rules(found, Level.WARNING)


def test_a_column_dropped_and_re_added_empty_blocks(git_repo: Any) -> None:
    head = {f"{KNEX}/2024-02-01-0000-recreate.js": _knex(_recreate(False), _recreate(False))}
    assert "drop-column" in _rules(_run(git_repo, {}, head), Level.ERROR)


# diesel


def test_a_diesel_folder_with_hyphens_in_its_name_is_claimed(git_repo: Any) -> None:
    folder = "migrations/2025-09-15-090401_remove-keyboard-nav"
    head = {f"{folder}/up.sql": "select 1;\n", f"{folder}/down.sql": "select 1;\n"}
    assert _changed(git_repo, {"README.md": "x\n"}, head) == [f"diesel:{folder}/up.sql"]


def test_a_hyphenated_folder_without_a_version_is_no_diesel_migration(git_repo: Any) -> None:
    head = {"migrations/remove-keyboard-nav/up.sql": "select 1;\n"}
    assert _changed(git_repo, {"README.md": "x\n"}, head) == []


# the unrecognised advice


def test_an_unclaimed_sql_file_is_advised_to_declare_its_folder(git_repo: Any) -> None:
    head = {"db/migrations/add_users.sql": "create table users (id int);\n"}
    (finding,) = [f for f in _run(git_repo, {}, head) if f.rule == "unrecognised"]
    assert "checks.migrations.frameworks.sql-folder" in finding.remedy


def test_an_unclaimed_code_file_is_not_advised_to_declare_a_sql_folder(git_repo: Any) -> None:
    head = {"server/migrations/20240101-add-users.ts": "export const x = 1;\n"}
    (finding,) = [f for f in _run(git_repo, {}, head) if f.rule == "unrecognised"]
    assert "sql-folder" not in finding.remedy and "sql-folder" not in finding.message
    assert ".ts files" in finding.remedy
    assert "checks.migrations.exclude" in finding.remedy


# a project's own runner over files running drizzle-orm sql`...` templates (papra)

LIST = "server/src/migrations/list"
CONFIG = {
    "server/drizzle.config.ts": (
        "export default defineConfig({ dialect: 'turso', out: './src/migrations' });\n"
    )
}


def _tagged(up: str, down: str) -> str:
    return (
        "import { sql } from 'drizzle-orm';\n\n"
        "export const notesMigration = {\n"
        "  name: 'notes',\n\n"
        f"  up: async ({{ db }}) => {{\n{up}  }},\n\n"
        f"  down: async ({{ db }}) => {{\n{down}  }},\n"
        "} satisfies Migration;\n"
    )


def test_a_sql_tag_migration_is_claimed_and_its_test_is_not(git_repo: Any) -> None:
    path = f"{LIST}/0022-documents-notes.migration.ts"
    run = '    await db.run(sql`ALTER TABLE "documents" ADD COLUMN "notes" text;`);\n'
    head = {
        path: _tagged(run, run),
        f"{LIST}/0022-documents-notes.migration.test.ts": "await m.up({ db });\n",
    }
    assert _changed(git_repo, {"README.md": "x\n"}, head) == [f"node:{path}"]


def test_a_sql_tag_migration_dropping_a_table_blocks(git_repo: Any) -> None:
    up = '    await db.run(sql`DROP TABLE "documents";`);\n'
    down = '    await db.run(sql`CREATE TABLE "documents" ("id" text);`);\n'
    head = {f"{LIST}/0023-drop.migration.ts": _tagged(up, down)}
    found = _run(git_repo, CONFIG, head)
    assert "drop-table" in _rules(found, Level.ERROR)


def test_a_sql_tag_table_and_its_index_are_one_migration_in_its_configs_database(
    git_repo: Any,
) -> None:
    # made in one template, indexed in the next: a new table; and SQLite's PRAGMA is read
    # as SQLite, since the merged drizzle config names turso for the folder
    up = (
        "    await db.run(sql`PRAGMA table_info(documents)`);\n"
        '    await db.run(sql`CREATE TABLE "kv" ("key" text PRIMARY KEY, "v" text);`);\n'
        '    await db.run(sql`CREATE INDEX "kv_v" ON "kv" ("v");`);\n'
    )
    down = '    await db.run(sql`DROP TABLE "kv";`);\n'
    head = {f"{LIST}/0020-kv-store.migration.ts": _tagged(up, down)}
    found = _run(git_repo, CONFIG, head)
    assert _rules(found) == []


# release folders of per-database SQL (memos' store/migration/<database>/<release>/)

STORE = "store/migration"
STORE_CODE = {"store/memo.go": "package store // reads memo and resource\n"}


def _store(db: str, release: str, name: str, sql: str) -> dict[str, str]:
    return {f"{STORE}/{db}/{release}/{name}": sql}


def test_release_folders_are_claimed_per_database_in_release_order(git_repo: Any) -> None:
    base = {
        **_store("mysql", "0.9", "00__memo.sql", "CREATE TABLE memo (id INT);\n"),
        **_store("sqlite", "0.10", "00__memo.sql", "CREATE TABLE memo (id INTEGER);\n"),
    }
    head = {
        **_store("mysql", "0.27", "04__share.sql", "CREATE TABLE share (id INT);\n"),
        **_store("sqlite", "0.27", "04__share.sql", "CREATE TABLE share (id INTEGER);\n"),
        f"{STORE}/sqlite/LATEST.sql": "CREATE TABLE share (id INTEGER);\n",
    }
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        found = detect.changed_migrations(changes)
        assert [(m.framework, m.dialect, m.version) for m in found] == [
            ("sql-folder", "mysql", "0.27.04"),
            ("sql-folder", "sqlite3", "0.27.04"),
        ]
        # the chain runs across the database's release folders, 0.9 before 0.27
        chain = detect.chain(changes, found[0])
        assert [m.path for m in chain] == [
            f"{STORE}/mysql/0.9/00__memo.sql",
            f"{STORE}/mysql/0.27/04__share.sql",
        ]


def test_a_release_folder_outside_a_migrations_folder_is_not_claimed(git_repo: Any) -> None:
    head = {"docs/releases/0.27/04__notes.sql": "select 1;\n"}
    assert _changed(git_repo, {"README.md": "x\n"}, head) == []


def test_a_release_folders_drop_of_a_table_the_code_reads_blocks(git_repo: Any) -> None:
    base = {**STORE_CODE, **_store("mysql", "0.9", "00__memo.sql", "CREATE TABLE memo (id INT);\n")}
    head = _store("mysql", "0.26", "01__drop_memo.sql", "DROP TABLE IF EXISTS memo;\n")
    found = _run(git_repo, base, head)
    assert "drop-table" in _rules(found, Level.ERROR)
    assert "unrecognised" not in _rules(found)


def test_a_drop_beside_a_test_only_change_is_a_contract_step(git_repo: Any) -> None:
    # no code reads the table any more; the test learning the new schema version ships
    # nothing that reads the schema differently
    base = _store("mysql", "0.9", "00__old.sql", "CREATE TABLE organizer (id INT);\n")
    head = {
        **_store("mysql", "0.26", "01__drop_organizer.sql", "DROP TABLE IF EXISTS organizer;\n"),
        "store/test/migrator_test.go": 'package test // want "0.26.2"\n',
    }
    found = _run(git_repo, base, head)
    assert _rules(found, Level.ERROR) == []
    assert "expand-contract" in _rules(found)


def test_a_drop_beside_a_code_change_is_no_contract_step(git_repo: Any) -> None:
    base = _store("mysql", "0.9", "00__old.sql", "CREATE TABLE organizer (id INT);\n")
    head = {
        **_store("mysql", "0.26", "01__drop_organizer.sql", "DROP TABLE IF EXISTS organizer;\n"),
        "store/memo.go": "package store // reads memo\n",
    }
    assert "drop-table" in _rules(_run(git_repo, base, head), Level.ERROR)


def test_an_alter_whose_down_claims_no_change_is_judged_by_the_merged_history(
    git_repo: Any,
) -> None:
    # the merged migration made heartbeat.ping an integer; a down saying it was a bigint
    # all along does not hide the retype
    head = {
        f"{KNEX}/2024-02-01-0000-bigint.js": _knex(
            _alter("heartbeat", 'bigInteger("ping")'), _alter("heartbeat", 'bigInteger("ping")')
        )
    }
    found = _run(git_repo, {}, head)
    (hit,) = [f for f in found if f.rule == "change-column-type"]
    assert hit.level is Level.ERROR
    assert "merged migrations" in hit.message
