"""A Node migration cannot pass a down that does nothing by hiding its emptiness from the
text reader: a closing brace inside a comment, a resolve without braces."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
UP = (
    "exports.up = async (knex) => {\n"
    '  await knex.schema.createTable("t", (t) => t.increments());\n'
    "};\n"
)


@pytest.mark.parametrize(
    "down",
    [
        # a closing brace in a comment would end a naive body early, leaving "code" after it
        "exports.down = async () => {\n  /* } await knex.schema.dropTable('t'); { */\n};\n",
        "exports.down = function () { return Promise.resolve() }\n",
    ],
)
def test_a_down_that_does_nothing_is_found_however_it_is_dressed(
    attack: AttackFactory, down: str
) -> None:
    head = {"migrations/20240101000000_t.js": UP + down}
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/empty-down")


def test_schema_work_handed_to_imported_code_keeps_an_empty_down_blocking(
    attack: AttackFactory,
) -> None:
    # a data-only up may warn on an empty down; one that hands queryInterface to code the
    # gate cannot read (which may drop a column) is not data-only
    head = {
        "migrations/20240101000000-fill.js": (
            'const { apply } = require("../lib/ddl");\n'
            "module.exports = {\n"
            "  async up(queryInterface) {\n"
            '    await queryInterface.sequelize.query("UPDATE t SET x = 1");\n'
            "    await apply(queryInterface);\n"
            "  },\n"
            "  async down() {},\n"
            "};\n"
        )
    }
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/empty-down")


KNEX_FIRST = (
    "exports.up = (knex) => knex.schema.createTable('heartbeat', (table) => {\n"
    "  table.increments('id');\n"
    "  table.integer('ping');\n"
    "});\n"
    "exports.down = (knex) => knex.schema.dropTable('heartbeat');\n"
)


def _retype(down_type: str) -> str:
    return (
        "exports.up = (knex) => knex.schema.alterTable('heartbeat', (table) => {\n"
        "  table.bigInteger('ping').alter();\n"
        "});\n"
        "exports.down = (knex) => knex.schema.alterTable('heartbeat', (table) => {\n"
        f"  table.{down_type}('ping').alter();\n"
        "});\n"
    )


@pytest.mark.parametrize("down_type", ["integer", "bigInteger"])
def test_a_knex_retype_of_a_large_table_blocks_whatever_its_down_claims(
    attack: AttackFactory, down_type: str
) -> None:
    # the merged migration made heartbeat.ping an integer; a down that says it was a
    # bigint already does not turn the retype into a no-op; nor does a folder whose name
    # is not exactly "migrations" keep the file from being read
    base = {
        "db/knex_migrations/2023-01-01-0000-heartbeat.js": KNEX_FIRST,
        "server/model.js": "const cols = ['ping'];\n",
    }
    head = {"db/knex_migrations/2024-02-01-0000-bigint.js": _retype(down_type)}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/change-column-type")


# kutt's layout: sides declared as functions, exported at the end; SQL in templates


def _kutt(up: str, down: str = "") -> str:
    return (
        f"async function up(knex) {{\n{up}}}\n\n"
        f"async function down(knex) {{\n{down}}}\n\n"
        "module.exports = {\n  up,\n  down,\n};\n"
    )


@pytest.mark.parametrize(
    "up",
    [
        # an optional keyword bound to literals: the statement is read with each value
        '  const ifNotExists = isMySQL ? "" : "IF NOT EXISTS";\n'
        "  await knex.raw(`CREATE INDEX ${ifNotExists} visits_user_id ON visits (user_id)`);\n",
        # a name bound to nothing the gate can read: still split, still reviewed
        "  await knex.raw(`CREATE INDEX ${name} ON visits (user_id); SELECT ${x}`);\n",
    ],
)
def test_an_interpolation_does_not_hide_an_index_build(attack: AttackFactory, up: str) -> None:
    head = {"server/migrations/20241223155527_visits_user_id_index.js": _kutt(
        up, "  await knex.raw(`DROP INDEX visits_user_id_index`);\n")}  # fmt: skip
    verdict = attack(POLICY, {"README.md": "x\n"}, head).judge()
    assert_blocked(verdict, "migrations/index-not-concurrent")


def test_a_change_cannot_set_its_own_habit_of_empty_downs(attack: AttackFactory) -> None:
    # the folder's habit is read at base: three new migrations with empty downs in a
    # folder whose merged migrations write downs do not make empty downs its convention
    made = '  await knex.schema.createTable("t%d", (t) => t.increments());\n'
    base = {f"server/migrations/2020010100000{i}_t{i}.js": _kutt(
        made % i, f'  await knex.schema.dropTable("t{i}");\n') for i in range(3)}  # fmt: skip
    head = {f"server/migrations/2024010100000{i}_u{i}.js": _kutt(made % (i + 10)) for i in range(3)}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/empty-down")


BACKFILL = (
    "  const s = knex.schema;\n"
    '  await s.alterTable("visits", (table) => table.integer("user_id"));\n'
    '  const [{ count }] = await knex("visits").count("* as count");\n'
    '  const fill = count > 0 ? "UPDATE visits SET user_id = 1" : "SELECT 1";\n'
    "  await knex.raw(`${fill}`);\n"
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a schema call made through an alias of the builder
        ('table.integer("user_id")', 'table.dropColumn("link_id")'),
        # the value a bound name puts into the template
        ("SET user_id = 1", "SET user_id = NULL"),
    ],
)
def test_an_edit_of_what_a_merged_node_migration_runs_stays_a_rewrite(
    attack: AttackFactory, old: str, new: str
) -> None:
    path = "server/migrations/20241223103044_visits_user_id.js"
    base = {path: _kutt(BACKFILL), "server/model.js": "const cols = ['link_id'];\n"}
    head = {path: _kutt(BACKFILL.replace(old, new))}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/history-rewritten")


ALTERATION = (
    "import { sql } from '@silverhand/slonik';\n\n"
    "const alteration: AlterationScript = {\n"
    "  up: async (pool) => {\n"
    "    await pool.query(sql`alter table users drop column %s;`);\n"
    "  },\n"
    "  down: async (pool) => {\n"
    "    await pool.query(sql`alter table users add column %s text;`);\n"
    "  },\n"
    "};\n\n"
    "export default alteration;\n"
)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a released script renamed back to next-* to pass as unreleased
        ("1.30.0-1700000000-drop-x.ts", "next-1700000000-drop-x.ts"),
        # a next-* script "released" under another timestamp: another migration
        ("next-1700000000-drop-x.ts", "1.30.0-1700000001-drop-x.ts"),
    ],
)
def test_release_names_do_not_launder_a_rewrite(attack: AttackFactory, old: str, new: str) -> None:
    folder = "packages/schemas/alterations"
    base = {f"{folder}/{old}": ALTERATION % ("legacy", "legacy"),
            "packages/core/user.ts": "const cols = ['legacy', 'nickname'];\n"}  # fmt: skip
    head = {f"{folder}/{old}": None, f"{folder}/{new}": ALTERATION % ("nickname", "nickname")}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/drop-column")
