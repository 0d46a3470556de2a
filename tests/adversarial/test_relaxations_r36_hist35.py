"""Attacks on the round-36 repairs of merged-migration edits (hist35): an author who
wants an edit of a shipped migration to pass as goalert's or cognee's harmless one.

- A Go file stops being a migration only when the merged file was the tool's code (a
  library's glue or a tool's source) and still is one: forging the tool's signs (an
  ``//go:embed``, a bookkeeping table) into a merged migration keeps it a migration.
- A merged SQL file's edit is layout only when every token but blanks, comments and a
  section's last ``;`` is the same: joining two statements, or touching a directive,
  is an edit of what runs; a checksummed (Flyway) file is never relieved.
- ``try: ... except AlreadyExists: pass`` is a guard only around one merged statement.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
HISTORY = "migrations/history-rewritten"

GO = "internal/migrations/v2.go"
GO_MERGED = """\
package migrations

func V2(db *sqlx.DB, stmt string) error {
\t_, err := db.Exec(stmt)
\treturn err
}
"""
#: the tool's two signs written into the merged migration, its statement changed too
GO_FORGED = """\
package migrations

import "embed"

//go:embed v2.sql
var files embed.FS

func V2(db *sqlx.DB, stmt string) error {
\tdb.QueryRow(`SELECT max(version) FROM schema_migrations`)
\t_, err := db.Exec(strings.ReplaceAll(stmt, "RESTRICT", "CASCADE"))
\treturn err
}
"""


def test_a_merged_migration_dressed_as_the_tool_blocks(attack: AttackFactory) -> None:
    verdict = attack(POLICY, {GO: GO_MERGED}, {GO: GO_FORGED}).judge()
    assert_blocked(verdict, HISTORY)


SQL = "migrate/migrations/20170712094434-policy.sql"
SQL_MERGED = (
    "-- +migrate Up\n"
    "UPDATE policies SET active = false;\n"
    "DELETE FROM policies WHERE active;\n"
    "-- +migrate Down\n"
)


def test_two_statements_joined_by_a_dropped_terminator_block(attack: AttackFactory) -> None:
    head = {SQL: SQL_MERGED.replace("active = false;\n", "active = false\n")}
    assert_blocked(attack(POLICY, {SQL: SQL_MERGED}, head).judge(), HISTORY)


def test_a_directive_edited_beside_a_terminator_blocks(attack: AttackFactory) -> None:
    edited = SQL_MERGED.replace("-- +migrate Up\n", "-- +migrate Up notransaction\n")
    head = {SQL: edited.replace("-- +migrate Down\n", "-- +migrate Down;\n")}
    assert_blocked(attack(POLICY, {SQL: SQL_MERGED}, head).judge(), HISTORY)


def test_a_terminator_added_to_a_flyway_file_blocks(attack: AttackFactory) -> None:
    path = "src/main/resources/db/migration/V1__things.sql"
    base = {path: "CREATE TABLE things (id bigint)\n"}
    head = {path: "CREATE TABLE things (id bigint);\n"}
    assert_blocked(attack(POLICY, base, head).judge(), HISTORY)


ALEMBIC = "alembic/versions/482cd6517ce4_add_default_user.py"
ALEMBIC_MERGED = """\
from alembic import op

revision = "482cd6517ce4"
down_revision = None


def upgrade() -> None:
    op.create_table("users")
    op.add_column("users", "email")


def downgrade() -> None:
    op.drop_table("users")
"""


def test_two_operations_under_one_already_exists_block(attack: AttackFactory) -> None:
    # a failing create now also skips the add_column after it: no guard does that
    wrapped = ALEMBIC_MERGED.replace(
        '    op.create_table("users")\n    op.add_column("users", "email")\n',
        '    try:\n        op.create_table("users")\n        op.add_column("users", "email")\n'
        "    except TableAlreadyExists:\n        pass\n",
    )
    verdict = attack(POLICY, {ALEMBIC: ALEMBIC_MERGED}, {ALEMBIC: wrapped}).judge()
    assert_blocked(verdict, HISTORY)


def test_a_wrap_around_a_changed_operation_blocks(attack: AttackFactory) -> None:
    wrapped = ALEMBIC_MERGED.replace(
        '    op.add_column("users", "email")\n',
        '    try:\n        op.add_column("users", "phone")\n'
        "    except ColumnAlreadyExists:\n        pass\n",
    )
    verdict = attack(POLICY, {ALEMBIC: ALEMBIC_MERGED}, {ALEMBIC: wrapped}).judge()
    assert_blocked(verdict, HISTORY)


SEQ = "server/models/migrations/20231006073638-team.js"
SEQ_MERGED = """\
const Sequelize = require("sequelize");

module.exports = {
  async up(queryInterface) {
    await queryInterface.addColumn("Connection", "team_id", {
      type: Sequelize.INTEGER,
      allowNull: false,
    });
  },
  async down(queryInterface) {
    await queryInterface.removeColumn("Connection", "team_id");
  },
};
"""


def test_not_null_deferred_with_a_type_changed_blocks(attack: AttackFactory) -> None:
    # the repair's shape, but the final column is another type than the merged one
    head = SEQ_MERGED.replace(
        "allowNull: false,\n    });\n", "allowNull: true,\n    });\n"
    ).replace(
        "  },\n  async down",
        '    await queryInterface.changeColumn("Connection", "team_id", {\n'
        "      type: Sequelize.BIGINT,\n      allowNull: false,\n    });\n  },\n  async down",
    )
    assert_blocked(attack(POLICY, {SEQ: SEQ_MERGED}, {SEQ: head}).judge(), HISTORY)


def test_not_null_dropped_for_good_blocks(attack: AttackFactory) -> None:
    # nullable with no changeColumn after it: the column ends up nullable
    head = SEQ_MERGED.replace("allowNull: false", "allowNull: true")
    assert_blocked(attack(POLICY, {SEQ: SEQ_MERGED}, {SEQ: head}).judge(), HISTORY)
