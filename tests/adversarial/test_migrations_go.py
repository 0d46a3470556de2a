"""A Go migration cannot slip a destructive change past the gate by dressing its SQL
(raw strings holding quotes or comment markers, concatenations, constants, values built
at run time), nor pass a down that does nothing by hiding its emptiness or its up's
real work from the text reader."""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
#: code that still reads the column and table the attacks drop (no expand-contract)
APP = {"app/models.go": "package app\n\n// users.legacy, sessions\n"}


def _goose(up_body: str, extra: str = "") -> str:
    return (
        "package migrations\n\n"
        'import (\n\t"database/sql"\n\n\t"github.com/pressly/goose/v3"\n)\n\n'
        "func init() { goose.AddMigration(up9, down9) }\n\n"
        f"{extra}"
        f"func up9(tx *sql.Tx) error {{\n{up_body}\n}}\n\n"
        "func down9(tx *sql.Tx) error {\n"
        '\t_, err := tx.Exec("ALTER TABLE users ADD COLUMN legacy text")\n\treturn err\n}\n'
    )


@pytest.mark.parametrize(
    ("up_body", "extra"),
    [
        # a raw string holding a double quote and a // that is not a comment
        ('\t_, err := tx.Exec(`-- "x" // y\nALTER TABLE users DROP COLUMN legacy`)\n'
         "\treturn err", ""),
        # a comment with a backtick before the call: a naive reader loses the string
        ("\t/* ` */\n\t_, err := tx.Exec(\"ALTER TABLE \\\"users\\\" DROP COLUMN legacy\")\n"
         "\treturn err", ""),
        # the statement split over a concatenation and a constant
        ("\t_, err := tx.Exec(dropPrefix + \" COLUMN \" + `legacy`)\n\treturn err",
         'const dropPrefix = "ALTER TABLE users DROP"\n\n'),
        # in a helper the up calls, not in the up itself
        ("\treturn purge(tx)",
         'func purge(tx *sql.Tx) error {\n\t_, err := tx.Exec("ALTER TABLE users DROP '
         'COLUMN legacy")\n\treturn err\n}\n\n'),
    ],
)  # fmt: skip
def test_a_drop_hidden_in_a_go_migrations_sql_is_still_blocked(
    attack: AttackFactory, up_body: str, extra: str
) -> None:
    head = {**APP, "db/migrations/00009_drop.go": _goose(up_body, extra)}
    verdict = attack(POLICY, dict(APP), head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def test_a_drop_built_at_run_time_still_blocks(attack: AttackFactory) -> None:
    body = '\tname := "sessions"\n\t_, err := tx.Exec("DROP TABLE " + name)\n\treturn err'
    head = {**APP, "db/migrations/00009_drop.go": _goose(body)}
    verdict = attack(POLICY, dict(APP), head).judge()
    assert_blocked(verdict, "migrations/drop-table")


def test_a_file_in_a_migrations_folder_cannot_hide_as_a_test_by_its_content(
    attack: AttackFactory,
) -> None:
    # a runner file is a migration by its shape whatever else it declares
    text = (
        'package migrations\n\nimport (\n\t"database/sql"\n\t"testing"\n)\n\n'
        "var _ = testing.Short\n\n"
        "func V9(db *sql.DB) error {\n\t_, err := db.Exec(`DROP TABLE sessions`)\n"
        "\treturn err\n}\n"
    )
    verdict = attack(POLICY, dict(APP), {**APP, "internal/migrations/v9.go": text}).judge()
    assert_blocked(verdict, "migrations/drop-table")


@pytest.mark.parametrize(
    "migrate",
    [
        # the up looks additive but hands its handle to code the gate does not read
        "tx.Sync(t9{})\n\t\t\treturn apply(tx)",
        # a closing brace in a comment ends a naive body early
        "/* } return nil { */\n\t\t\t_, err := tx.Exec(`DROP TABLE sessions`)\n\t\t\treturn err",
    ],
)
def test_a_rollback_that_does_nothing_blocks_when_the_up_is_not_purely_additive(
    attack: AttackFactory, migrate: str
) -> None:
    text = (
        "package migration\n\n"
        'import (\n\t"src.techknowlogick.com/xormigrate"\n\t"xorm.io/xorm"\n)\n\n'
        "func init() {\n"
        "\tmigrations = append(migrations, &xormigrate.Migration{\n"
        '\t\tID: "20260101000000",\n'
        f"\t\tMigrate: func(tx *xorm.Engine) error {{\n\t\t\t{migrate}\n\t\t}},\n"
        "\t\tRollback: func(tx *xorm.Engine) error {\n\t\t\treturn nil\n\t\t},\n"
        "\t})\n}\n"
    )
    verdict = attack(POLICY, dict(APP), {**APP, "pkg/migration/20260101000000.go": text}).judge()
    assert_blocked(verdict, "migrations/empty-down")
