"""Node migrations written as kutt and logto write them, on real git repositories: sides
declared as functions and exported further down, SQL templates with interpolations, the
folder's habit of downs, edits of merged migrations that keep their statements, and
logto's alteration scripts (``next-*`` until a release renames them)."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck, detect
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults

KUTT = "server/migrations"
ALTERATIONS = "packages/schemas/alterations"
#: the code still reads every column: a drop is no expand-contract step
CODE = {"server/model.js": "const cols = ['user_id', 'role', 'address', 'kind'];\n"}


def _kutt(up: str, down: str = "", exports: str = "module.exports = {\n  up,\n  down,\n}\n") -> str:
    return (
        'const env = require("../env");\n\n'
        'const isMySQL = env.DB_CLIENT === "mysql";\n\n'
        f"async function up(knex) {{\n{up}}};\n\n"
        f"async function down(knex) {{\n{down}}};\n\n"
        f"{exports}"
    )


INDEX_UP = (
    '  const ifNotExists = isMySQL ? "" : "IF NOT EXISTS";\n'
    "  await knex.raw(`\n"
    "    CREATE INDEX ${ifNotExists} visits_user_id_index ON visits (user_id);\n"
    "  `);\n"
)
INDEX_DOWN = "  await knex.raw(`DROP INDEX visits_user_id_index;`);\n"
ROLE_UP = (
    '  await knex.schema.alterTable("users", (table) => {\n'
    '    table.string("role").notNullable().defaultTo("USER");\n'
    "  });\n"
)


def _alteration(up: str, down: str, before_up: str = "") -> str:
    before = f"  beforeUp: async (pool) => {{\n{before_up}  }},\n" if before_up else ""
    return (
        "import { sql } from '@silverhand/slonik';\n\n"
        "import type { AlterationScript } from '../lib/types/alteration.js';\n\n"
        "const alteration: AlterationScript = {\n"
        f"{before}"
        f"  up: async (pool) => {{\n{up}  }},\n"
        f"  down: async (pool) => {{\n{down}  }},\n"
        "};\n\n"
        "export default alteration;\n"
    )


def _query(sql: str) -> str:
    return f"    await pool.query(sql`\n      {sql}\n    `);\n"


def _run(git_repo: Any, base: dict[str, Any], head: dict[str, Any], **config: Any) -> list[Finding]:
    first = git_repo.commit({**CODE, **base})
    second = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, {**defaults(check), **config})))


def _changed(git_repo: Any, head: dict[str, Any]) -> list[str]:
    first = git_repo.commit({"README.md": "x\n"})
    second = git_repo.commit(head)
    with changeset_from_git(git_repo.root, first, second) as changes:
        return [f"{m.framework}:{m.path}" for m in detect.changed_migrations(changes)]


def _rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level is None or f.level is level)


# --- sides declared, exported later -----------------------------------------------------


@pytest.mark.parametrize(
    "exports",
    [
        "module.exports = {\n  up,\n  down,\n}\n",
        "module.exports = { up: up, down: down };\n",
        "exports.up = up;\nexports.down = down;\n",
        "export { up, down };\n",
    ],
)
def test_sides_declared_as_functions_and_exported_later_are_claimed(
    git_repo: Any, exports: str
) -> None:
    path = f"{KUTT}/20241223155527_visits_user_id_index.js"
    found = _changed(git_repo, {path: _kutt(INDEX_UP, INDEX_DOWN, exports)})
    assert found == [f"node:{path}"]


def test_a_function_called_up_that_the_file_does_not_export_is_no_side(git_repo: Any) -> None:
    # a helper named up in a migrations folder, exported under another name: no migration
    text = _kutt(INDEX_UP, INDEX_DOWN, "module.exports = { run: up };\n")
    assert _changed(git_repo, {f"{KUTT}/20241223155527_helper.js": text}) == []


# --- SQL templates with interpolations ----------------------------------------------------


def test_an_optional_keyword_interpolated_into_a_create_index_is_still_reviewed(
    git_repo: Any,
) -> None:
    head = {f"{KUTT}/20241223155527_visits_user_id_index.js": _kutt(INDEX_UP, INDEX_DOWN)}
    found = _run(git_repo, {}, head)
    assert "index-not-concurrent" in _rules(found, Level.ERROR)


def test_an_interpolation_bound_to_nothing_known_leaves_the_statement_reviewed(
    git_repo: Any,
) -> None:
    up = "  await knex.raw(`ALTER TABLE ${env.TABLE} DROP COLUMN address`);\n"
    head = {f"{KUTT}/20241223155527_drop.js": _kutt(up, "  await knex.raw(`SELECT 1`);\n")}
    found = _run(git_repo, {}, head)
    assert "drop-column" in _rules(found, Level.ERROR)


def test_a_template_without_an_index_on_a_large_table_passes(git_repo: Any) -> None:
    up = (
        '  const ifNotExists = isMySQL ? "" : "IF NOT EXISTS";\n'
        "  await knex.raw(`CREATE TABLE ${ifNotExists} notes (id integer PRIMARY KEY);`);\n"
    )
    down = "  await knex.raw(`DROP TABLE notes;`);\n"
    head = {f"{KUTT}/20241223155527_notes.js": _kutt(up, down)}
    assert _rules(_run(git_repo, {}, head), Level.ERROR) == []


# --- the folder's habit of downs --------------------------------------------------------


def _merged(n: int, working: int) -> dict[str, str]:
    out = {}
    for i in range(n):
        down = f'  await knex.schema.dropTable("t{i}");\n' if i < working else ""
        up = f'  await knex.schema.createTable("t{i}", (t) => t.increments());\n'
        out[f"{KUTT}/2020010100000{i}_t{i}.js"] = _kutt(up, down)
    return out


def test_an_empty_down_in_a_folder_that_never_writes_downs_is_not_an_error(git_repo: Any) -> None:
    head = {f"{KUTT}/20241103083933_user-roles.js": _kutt(ROLE_UP)}
    found = _run(git_repo, _merged(4, 0), head)
    assert "empty-down" not in _rules(found, Level.ERROR)


def test_an_empty_down_in_a_folder_that_mostly_skips_downs_is_a_warning(git_repo: Any) -> None:
    head = {f"{KUTT}/20241103083933_user-roles.js": _kutt(ROLE_UP)}
    found = _run(git_repo, _merged(4, 2), head)
    downs = [f for f in found if f.rule == "empty-down"]
    assert [f.level for f in downs] == [Level.WARNING]
    assert "rarely writes working downs" in downs[0].message


def test_an_empty_down_in_a_folder_that_writes_downs_blocks(git_repo: Any) -> None:
    head = {f"{KUTT}/20241103083933_user-roles.js": _kutt(ROLE_UP)}
    found = _run(git_repo, _merged(4, 4), head)
    assert "empty-down" in _rules(found, Level.ERROR)


# --- edits of merged migrations ----------------------------------------------------------

BACKFILL = (
    '  await knex.schema.alterTable("visits", (table) => {\n'
    '    table.integer("user_id").unsigned();\n'
    "  });\n"
    '  const [{ count }] = await knex("visits").count("\'*\' as count");\n'
    "  if (count < 1_000_000) {\n"
    "    await knex.raw(`UPDATE visits SET user_id = 1`);\n"
    "  }\n"
)
BACKFILL_PATH = f"{KUTT}/20241223103044_visits_user_id.js"


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        # the guard around the backfill fixed: the statements and schema calls are the same
        ("count(\"'*' as count\")", 'count("* as count")', Level.WARNING),
        ("if (count < 1_000_000) {", "if (parseInt(count) < 1_000_000) {", Level.WARNING),
        # a statement or a schema call changed: a rewrite
        ("SET user_id = 1", "SET user_id = 2", Level.ERROR),
        ('table.integer("user_id")', 'table.bigInteger("user_id")', Level.ERROR),
    ],
)
def test_an_edit_of_a_merged_node_migration_is_judged_by_its_statements(
    git_repo: Any, old: str, new: str, level: Level
) -> None:
    base = {BACKFILL_PATH: _kutt(BACKFILL)}
    found = _run(git_repo, base, {BACKFILL_PATH: _kutt(BACKFILL.replace(old, new))})
    rewrites = [f for f in found if f.rule == "history-rewritten"]
    assert [f.level for f in rewrites] == [level]
    if level is Level.WARNING:
        assert "only the JavaScript around its SQL" in rewrites[0].message


def test_an_edit_of_a_bound_value_changes_the_statement(git_repo: Any) -> None:
    path = f"{KUTT}/20241223155527_visits_user_id_index.js"
    base = {path: _kutt(INDEX_UP, INDEX_DOWN)}
    head = {path: _kutt(INDEX_UP.replace('"IF NOT EXISTS"', '"UNIQUE"'), INDEX_DOWN)}
    rewrites = [f for f in _run(git_repo, base, head) if f.rule == "history-rewritten"]
    assert [f.level for f in rewrites] == [Level.ERROR]


# --- logto's alteration scripts ------------------------------------------------------------


def test_an_alteration_script_is_claimed_and_its_index_on_a_large_table_blocks(
    git_repo: Any,
) -> None:
    path = f"{ALTERATIONS}/next-1765183934-add-logs-index.ts"
    script = _alteration(
        _query("create index logs__created_at on logs (tenant_id, created_at);"),
        _query("drop index logs__created_at;"),
    )
    found = _run(git_repo, {}, {path: script})
    assert "index-not-concurrent" in _rules(found, Level.ERROR)


def test_an_index_built_concurrently_before_the_up_passes(git_repo: Any) -> None:
    # logto's runner calls beforeUp outside the up's transaction
    path = f"{ALTERATIONS}/next-1765183934-add-logs-index.ts"
    before_up = _query("create index concurrently if not exists logs__at on logs (created_at);")
    script = _alteration("    // built before the transaction\n", "", before_up)
    script = script.replace(
        "  down: async (pool) => {\n  },\n",
        "  beforeDown: async (pool) => {\n"
        + _query("drop index concurrently if exists logs__at;")
        + "  },\n  down: async () => {},\n",
    )
    found = _run(git_repo, {}, {path: script})
    assert _rules(found, Level.ERROR) == []


def test_concurrently_in_an_alteration_up_runs_in_its_transaction(git_repo: Any) -> None:
    path = f"{ALTERATIONS}/next-1765183934-add-logs-index.ts"
    script = _alteration(
        _query("create index concurrently logs__at on logs (created_at);"),
        _query("drop index logs__at;"),
    )
    assert "concurrent-in-transaction" in _rules(_run(git_repo, {}, {path: script}))


def test_the_alterations_runner_folder_is_not_claimed(git_repo: Any) -> None:
    # logto's CLI keeps its runner in a folder named ``alteration``: code, not migrations
    runner = "packages/cli/src/commands/database/alteration/index.ts"
    text = "export const up = async (pool) => {\n  await pool.query(sql`select 1`);\n};\n"
    assert _changed(git_repo, {runner: text}) == []


def _released(name: str, up: str) -> str:
    return _alteration(_query(up), _query("select 1;"))


NEXT = f"{ALTERATIONS}/next-1762338508-add-type-index.ts"
SMALL = "create index organization_roles__type on organization_roles (tenant_id, type);"


def test_an_edit_of_an_unreleased_next_script_is_a_warning(git_repo: Any) -> None:
    base = {NEXT: _released(NEXT, SMALL)}
    head = {NEXT: _released(NEXT, SMALL.replace("(tenant_id, type)", "(type)"))}
    rewrites = [f for f in _run(git_repo, base, head) if f.rule == "history-rewritten"]
    assert [f.level for f in rewrites] == [Level.WARNING]
    assert "next-*" in rewrites[0].message


def test_a_release_renaming_next_scripts_is_a_move(git_repo: Any) -> None:
    released = f"{ALTERATIONS}/1.32.0-1762338508-add-type-index.ts"
    base = {NEXT: _released(NEXT, SMALL)}
    found = _run(git_repo, base, {NEXT: None, released: _released(NEXT, SMALL)})
    assert [f for f in found if f.level is Level.ERROR or f.rule == "history-rewritten"] == []


def test_an_edit_of_a_released_script_is_a_rewrite(git_repo: Any) -> None:
    released = f"{ALTERATIONS}/1.32.0-1762338508-add-type-index.ts"
    base = {released: _released(released, SMALL)}
    head = {released: _released(released, SMALL.replace("(tenant_id, type)", "(type)"))}
    rewrites = [f for f in _run(git_repo, base, head) if f.rule == "history-rewritten"]
    assert [f.level for f in rewrites] == [Level.ERROR]


WIDEN = "alter table users alter column password_encrypted set data type varchar(256);"
NARROW = "alter table users alter column password_encrypted set data type varchar(128);"
WIDEN_PATH = f"{ALTERATIONS}/next-1750663091-change-user-password-encrypted-length.ts"


def test_a_widened_varchar_the_down_narrows_back_is_catalog_only(git_repo: Any) -> None:
    # no merged alteration defines the column: its down says what it was
    found = _run(git_repo, {}, {WIDEN_PATH: _alteration(_query(WIDEN), _query(NARROW))})
    assert "change-column-type" not in _rules(found)


def test_the_merged_history_outweighs_what_the_down_says(git_repo: Any) -> None:
    # the merged script made it text: varchar(256) narrows it, whatever the down claims
    made = "alter table users add column password_encrypted text;"
    base = {f"{ALTERATIONS}/next-1750000000-add-password.ts": _alteration(_query(made), "")}
    found = _run(git_repo, base, {WIDEN_PATH: _alteration(_query(WIDEN), _query(NARROW))})
    assert "change-column-type" in _rules(found, Level.ERROR)
