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
