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
