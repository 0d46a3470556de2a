"""syntax-rejected: each form the rule calls rejected is rejected by the real engine, and
what the rule lets through there runs (SQLite in process, PostgreSQL on the scratch
server). MySQL and MariaDB have no server here; their forms are the rule cases in
cases/syntax_rejected.yml, checked against each database's documented grammar."""

from __future__ import annotations

import sqlite3

import pytest

from gatekeeper.checks.migrations import MigrationsCheck, postgres, rejected
from gatekeeper.checks.migrations.sqltext import split
from gatekeeper.testing import run_check

SETUP = "CREATE TABLE a (id int, b int, c int);\nCREATE INDEX ix_a ON a (b)"

#: dialect -> (statements the rule must name, statements it must let through)
SAMPLES = {
    "sqlite": (
        [
            "ALTER TABLE a ALTER COLUMN b SET NOT NULL",
            "ALTER TABLE a ADD CONSTRAINT ck CHECK (b > 0)",
            "ALTER TABLE a DROP CONSTRAINT ck",
            "ALTER TABLE a MODIFY b bigint",
            "ALTER TABLE a ADD COLUMN IF NOT EXISTS d int",
            "ALTER TABLE a DROP COLUMN IF EXISTS c",
            "CREATE INDEX CONCURRENTLY ix_b ON a (c)",
        ],
        [
            "ALTER TABLE a ADD COLUMN d int DEFAULT 'modify x'",
            "ALTER TABLE a RENAME COLUMN d TO e",
            "ALTER TABLE a DROP COLUMN c",
            "DROP INDEX ix_a",
            "CREATE INDEX IF NOT EXISTS ix_c ON a (b)",
        ],
    ),
    "postgres": (
        [
            "DROP INDEX ix_a ON a",
            "ALTER TABLE a MODIFY COLUMN b bigint",
            "ALTER TABLE a CHANGE b b2 bigint",
        ],
        [
            "ALTER TABLE a ADD COLUMN IF NOT EXISTS d int",
            "ALTER TABLE a ALTER COLUMN b TYPE bigint",
            "ALTER TABLE a DROP COLUMN IF EXISTS c",
            "CREATE INDEX IF NOT EXISTS ix_c ON a (b)",
            "DROP INDEX IF EXISTS ix_c",
        ],
    ),
}


def _named(sql: str, dialect: str) -> bool:
    statements = split(sql + ";")
    lines = frozenset(range(1, sql.count("\n") + 2))
    return bool(rejected.rejections(statements, dialect, lines))


@pytest.mark.parametrize("sql", SAMPLES["sqlite"][0])
def test_what_the_rule_names_sqlite_rejects(sql: str) -> None:
    assert _named(sql, "sqlite")
    db = sqlite3.connect(":memory:")
    db.executescript(SETUP)
    with pytest.raises(sqlite3.OperationalError, match="syntax error"):
        db.execute(sql)


def test_what_the_rule_lets_through_sqlite_runs() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SETUP)
    for sql in SAMPLES["sqlite"][1]:
        assert not _named(sql, "sqlite"), sql
        db.execute(sql)


def test_postgres_agrees(pg_url: str) -> None:
    rejects, accepts = SAMPLES["postgres"]
    with postgres.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS a")
        for stmt in SETUP.split(";\n"):
            conn.execute(stmt)
        for sql in rejects:
            assert _named(sql, "postgres"), sql
            with pytest.raises(Exception, match="syntax error"):
                conn.execute(sql)
        for sql in accepts:
            assert not _named(sql, "postgres"), sql
            conn.execute(sql)
        conn.execute("DROP TABLE a")


def test_the_message_names_statement_line_dialect_and_the_accepted_form() -> None:
    head = {
        "assets/migrations/mysql/003_x.sql": (
            "-- +goose Up\nCREATE INDEX i ON tuple (a);\n\n-- +goose Down\nDROP INDEX  i;"
        )
    }
    found = run_check(MigrationsCheck(), {}, head, {"roundtrip": "off"})
    [hit] = [f for f in found if f.rule == "syntax-rejected"]
    assert hit.location is not None and hit.location.start_line == 5
    assert "MySQL rejects DROP INDEX without ON <table> (line 5: DROP INDEX i)" in hit.message
    assert "DROP INDEX <name> ON <table>" in hit.message


@pytest.mark.parametrize(
    ("path", "token"),
    [
        ("db/migration_mysql/V3__x.sql", "mysql"),
        ("src/main/resources/db/migration-postgresql/V1__x.sql", "postgresql"),
        ("migrations/sqlite/0001_x.up.sql", "sqlite"),
        ("db/mariadb_migrations/V1__x.sql", "mariadb"),
        ("mysql-persistence/src/main/resources/db/migration/V3__x.sql", "mysql"),
        ("db/mysql_legacy_stuff/V1__x.sql", ""),
        ("db/migration/V1__x.sql", ""),
    ],
)
def test_a_folder_names_its_database(path: str, token: str) -> None:
    from gatekeeper.checks.migrations import variants

    assert variants.folder_token(path) == token


#: SQLite's ADD COLUMN refusals: (statement, SQLite's error), on a table that holds a row
ADD_COLUMN_REFUSED = [
    ("ALTER TABLE a ADD COLUMN d integer PRIMARY KEY", "Cannot add a PRIMARY KEY column"),
    ("ALTER TABLE a ADD COLUMN d text UNIQUE", "Cannot add a UNIQUE column"),
    ("ALTER TABLE a ADD d text DEFAULT (json_array()) NOT NULL", "non-constant default"),
    ("ALTER TABLE a ADD COLUMN d text DEFAULT CURRENT_TIMESTAMP", "non-constant default"),
    ("ALTER TABLE a ADD COLUMN d int DEFAULT (1 + 2)", "non-constant default"),
    ("ALTER TABLE a ADD COLUMN d text DEFAULT (CURRENT_DATE)", "non-constant default"),
]
#: what SQLite adds to the same table: constants in or out of parentheses
ADD_COLUMN_TAKEN = [
    "ALTER TABLE a ADD COLUMN d text DEFAULT '[]' NOT NULL",
    "ALTER TABLE a ADD COLUMN e text DEFAULT ('[]') NOT NULL",
    "ALTER TABLE a ADD COLUMN f int DEFAULT (-1)",
    "ALTER TABLE a ADD COLUMN g blob DEFAULT (X'00')",
    "ALTER TABLE a ADD COLUMN h text DEFAULT 'CURRENT_TIMESTAMP (x())'",
    "ALTER TABLE a ADD COLUMN unique_id int",
]


@pytest.mark.parametrize(("sql", "error"), ADD_COLUMN_REFUSED)
def test_sqlite_refuses_the_add_columns_the_rule_names(sql: str, error: str) -> None:
    assert _named(sql, "sqlite") and _named(sql, "libsql")
    db = sqlite3.connect(":memory:")
    db.executescript(SETUP + ";\nINSERT INTO a VALUES (1, 2, 3)")
    with pytest.raises(sqlite3.OperationalError, match=error):
        db.execute(sql)


def test_sqlite_adds_the_columns_the_rule_lets_through() -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(SETUP + ";\nINSERT INTO a VALUES (1, 2, 3)")
    for sql in ADD_COLUMN_TAKEN:
        assert not _named(sql, "sqlite"), sql
        db.execute(sql)


def test_a_table_the_file_created_is_empty_so_sqlite_takes_the_default() -> None:
    sql = "CREATE TABLE b (id int);\nALTER TABLE b ADD COLUMN t int DEFAULT (unixepoch())"
    assert not _named(sql, "sqlite")
    sqlite3.connect(":memory:").executescript(sql)


def test_libsql_takes_alter_column_to_which_sqlite_refuses() -> None:
    sql = 'ALTER TABLE a ALTER COLUMN "b" TO "b" integer NOT NULL'
    assert _named(sql, "sqlite") and not _named(sql, "libsql")
    assert _named("ALTER TABLE a ALTER COLUMN b SET NOT NULL", "libsql")


def test_postgres_adds_a_column_with_an_expression_default(pg_url: str) -> None:
    sql = "ALTER TABLE a ADD COLUMN d timestamptz DEFAULT (now()) NOT NULL"
    assert not _named(sql, "postgres")
    with postgres.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS a")
        conn.execute("CREATE TABLE a (id int)")
        conn.execute("INSERT INTO a VALUES (1)")
        conn.execute(sql)
        conn.execute("DROP TABLE a")
