"""Framework recognition by naming convention and content markers."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gatekeeper.checks.migrations import detect, flywayconf, variants
from gatekeeper.checks.migrations.sqltext import split
from gatekeeper.testing import MemoryTree, changeset

ALEMBIC_SRC = "revision = 'a1'\ndown_revision = None\n"
DJANGO_SRC = "from django.db import migrations\nclass Migration(migrations.Migration):\n    pass\n"


@pytest.mark.parametrize(
    ("path", "text", "framework", "up", "down", "version"),
    [
        ("db/versions/a1_x.py", ALEMBIC_SRC, "alembic", "db/versions/a1_x.py", None, "a1_x"),
        (
            "app/migrations/0002_x.py",
            DJANGO_SRC,
            "django",
            "app/migrations/0002_x.py",
            None,
            "0002_x",
        ),
        ("m/12_add.up.sql", None, "golang-migrate", "m/12_add.up.sql", "m/12_add.down.sql", "12"),
        ("m/12_add.down.sql", None, "golang-migrate", "m/12_add.up.sql", "m/12_add.down.sql", "12"),
        ("m/add.up.sql", None, "sql-pair", "m/add.up.sql", "m/add.down.sql", "add"),
        ("m/V1_2__x.sql", None, "flyway", "m/V1_2__x.sql", "m/U1_2__x.sql", "1_2"),
        ("m/U1_2__x.sql", None, "flyway", "m/V1_2__x.sql", "m/U1_2__x.sql", "1_2"),
        ("m/2024_x.sql", "-- migrate:up\n", "dbmate", "m/2024_x.sql", None, "2024"),
        ("m/2024_x.sql", "-- +goose Up\n", "goose", "m/2024_x.sql", None, "2024"),
        ("p/revert/x.sql", None, "sqitch", "p/deploy/x.sql", "p/revert/x.sql", "x"),
        (
            "prisma/migrations/20240101120000_init/migration.sql",
            None,
            "prisma",
            "prisma/migrations/20240101120000_init/migration.sql",
            None,
            "20240101120000_init",
        ),
    ],
)
def test_classify(
    path: str, text: str | None, framework: str, up: str, down: str | None, version: str
) -> None:
    m = detect.classify(path, text)
    assert m is not None
    assert (m.framework, m.path, m.down_path, m.version) == (framework, up, down, version)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("a/report.sql", "SELECT 1;"),
        ("a/models.py", "class User: pass\n"),
        ("a/migrations/0001_x.py", "print('not a migration')\n"),
        ("a/migrations/notes.txt", "-- migrate:up"),
        ("a/x.py", None),
        ("a/x.sql", None),
    ],
)
def test_not_a_migration(path: str, text: str | None) -> None:
    assert detect.classify(path, text) is None


def test_chain_is_in_numeric_order_and_per_folder() -> None:
    head = {
        "db/10_c.up.sql": "",
        "db/2_b.up.sql": "",
        "db/1_a.up.sql": "",
        "db/1_a.down.sql": "",
        "other/3_z.up.sql": "",
    }
    cs = changeset({}, head)
    m = detect.classify("db/2_b.up.sql", None)
    assert m is not None
    assert [x.path for x in detect.chain(cs, m)] == [
        "db/1_a.up.sql",
        "db/2_b.up.sql",
        "db/10_c.up.sql",
    ]


def test_split_keeps_lines_quotes_and_same_line_comments() -> None:
    sql = (
        "-- head\nCREATE TABLE a (x text DEFAULT 'a;b'); -- gatekeeper:ignore drop-table why\n"
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  DELETE FROM a;\nEND;\n/* tail */"
    )
    stmts = split(sql)
    assert [(s.line, s.end_line) for s in stmts] == [(2, 2), (3, 3), (4, 6)]
    assert stmts[0].ignores() == {"drop-table": "why"}
    assert "$$ SELECT 1; $$" in stmts[1].text


def test_a_trigger_without_a_begin_body_ends_at_its_first_semicolon() -> None:
    # AppFlowy-Cloud: a PostgreSQL trigger (EXECUTE FUNCTION f();) swallowed every
    # statement after it up to the next END, a DROP COLUMN among them
    sql = (
        "CREATE TRIGGER t BEFORE UPDATE ON a\nFOR EACH ROW\nEXECUTE FUNCTION f();\n"
        "INSERT INTO b (x) SELECT x FROM a;\n"
        "CREATE TRIGGER m BEFORE INSERT ON a FOR EACH ROW SET NEW.x = 1;\n"
        "CREATE TRIGGER s AFTER INSERT ON a BEGIN\n  DELETE FROM b;\n  DELETE FROM c;\nEND;\n"
        "ALTER TABLE a DROP COLUMN x;\n"
    )
    assert [(s.line, s.end_line) for s in split(sql)] == [(1, 3), (4, 4), (5, 5), (6, 9), (10, 10)]


def test_sqitch_chain_follows_the_plan() -> None:
    head = {
        "db/sqitch.plan": "%project=x\n\nusers 2024-01-01T00:00:00Z a <a@b> # first\n"
        "@v1 2024-01-02T00:00:00Z a <a@b>\nappts [users] 2024-01-03T00:00:00Z a <a@b>\n",
        "db/deploy/appts.sql": "",
        "db/deploy/users.sql": "",
        "db/deploy/zzz_unplanned.sql": "",
        "db/deploy/aaa_unplanned.sql": "",
    }
    cs = changeset({}, head)
    m = detect.classify("db/deploy/appts.sql", None)
    assert m is not None
    assert [x.version for x in detect.chain(cs, m)] == [
        "users",
        "appts",
        "aaa_unplanned",
        "zzz_unplanned",
    ]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SELECT 1", "CREATE TABLE t (a text DEFAULT 'x;y')", "DROP TABLE t"]),
            st.sampled_from(["", "-- note; here\n", "/* c; */ ", "\n\n"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_split_finds_every_statement_and_its_line(parts: list[tuple[str, str]]) -> None:
    sql, expected, line = "", [], 1
    for stmt, comment in parts:
        line += comment.count("\n")
        sql += comment + stmt + ";\n"
        expected.append((stmt, line))
        line += 1
    got = [(s.text.split("\n")[-1].split("*/ ")[-1], s.line) for s in split(sql)]
    assert got == expected


def test_split_keeps_every_statement_of_a_big_file() -> None:
    # its speed is measured by bench/bench_migrations.py, not here
    sql = "\n".join(f"UPDATE t SET a = {i} WHERE b = 'x;{i}';" for i in range(20_000))
    stmts = split(sql)
    assert len(stmts) == 20_000 and stmts[-1].line == 20_000


def test_e_strings_keep_backslash_escaped_quotes() -> None:
    assert [s.text for s in split("SELECT E'it\\'s; ok';\nSELECT 2")] == [
        "SELECT E'it\\'s; ok'",
        "SELECT 2",
    ]


def test_importing_the_check_loads_no_heavy_tool() -> None:
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src"
    code = (
        f"import sys; sys.path.insert(0, {str(src)!r}); import gatekeeper.checks.migrations; "
        "heavy = {'pglast', 'sqlglot', 'sqlalchemy', 'alembic', 'psycopg', 'sqlfluff'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_listings_are_cached_per_change_set_and_go_with_it() -> None:
    conf = {"flyway.conf": "flyway.ignoreMissingMigrations=true"}
    first = changeset(conf, {**conf, "db/1_a.up.sql": "x"})
    assert variants.folder_names(first, "db") == {"1_a.up.sql"}
    assert flywayconf.missing_allowed(first) is not None
    trees = [weakref.ref(first.head_tree), weakref.ref(first.base_tree)]
    del first
    gc.collect()
    # nothing the caches hold keeps a finished change set's trees alive
    assert [t() for t in trees] == [None, None]
    # a later change set (whatever id it gets) has listings of its own
    second = changeset({}, {"db/2_b.up.sql": "x"})
    assert variants.folder_names(second, "db") == {"2_b.up.sql"}
    assert flywayconf.missing_allowed(second) is None


class _Counting(MemoryTree):
    """A tree that counts how often it is listed."""

    def __init__(self, files: dict[str, str]) -> None:
        super().__init__(files)
        self.listings = 0

    def paths(self) -> Iterator[str]:
        self.listings += 1
        return super().paths()


def test_the_tree_is_listed_once_per_run_and_never_for_python_or_ruby() -> None:
    python = {
        "alembic/versions/a1.py": ALEMBIC_SRC,
        "app/migrations/0002_x.py": DJANGO_SRC,
        "db/migrate/20240101000000_add_x.rb": "class AddX < ActiveRecord::Migration[7.0]\nend\n",
    }
    changes = changeset({}, python)
    changes.head_tree = tree = _Counting(python)
    assert len(detect.changed_migrations(changes)) == 3
    assert tree.listings == 0  # their names pair with nothing beside them
    names = [f"{n}_x.{side}.sql" for n in (1, 2) for side in ("up", "mysql.up", "down")]
    sql = {f"db{i}/{name}": "SELECT 1;" for i in range(3) for name in names}
    changes = changeset({}, sql)
    changes.head_tree = tree = _Counting(sql)
    found = {m.path: m.down_path for m in detect.changed_migrations(changes)}
    # the MySQL up pairs with the generic down: the folder's names were read
    assert len(found) == 12 and found["db2/1_x.mysql.up.sql"] == "db2/1_x.down.sql"
    assert tree.listings == 1


# --- Go migrations written as Go code ------------------------------------------------------

GOOSE_GO = (
    'package migrations\n\nimport "github.com/pressly/goose/v3"\n\n'
    "func init() { goose.AddMigration(up1, down1) }\n\n"
    "func up1(tx *sql.Tx) error { _, err := tx.Exec(`CREATE TABLE t (id int)`); return err }\n"
    'func down1(tx *sql.Tx) error { _, err := tx.Exec("DROP TABLE t"); return err }\n'
)
RUNNER_GO = (
    "package migrations\n\n"
    "func V2_1_0(db *sqlx.DB) error { _, err := db.Exec(`ALTER TABLE a ADD COLUMN b int`); "
    "return err }\n"
)


@pytest.mark.parametrize(
    ("path", "text", "version"),
    [
        ("db/migrations/20240101_add_t.go", GOOSE_GO, "20240101"),
        ("internal/migrations/v2.1.0.go", RUNNER_GO, "v2.1.0"),
    ],
)
def test_go_migrations_are_recognised_by_folder_and_shape(
    path: str, text: str, version: str
) -> None:
    m = detect.classify(path, text)
    assert m is not None and (m.framework, m.version, m.down_path) == ("go", version, None)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("internal/store/v2.1.0.go", RUNNER_GO),  # not in a migrations folder
        ("internal/migrations/v2_test.go", RUNNER_GO),  # a test
        ("vendor/x/migrations/v2.go", RUNNER_GO),  # vendored
        ("cmd/migrate/main.go", "package main\n\n" + RUNNER_GO.split("\n", 2)[2]),  # a command
        # the runner's glue: it imports goose and registers nothing
        ("cmd/x/migrate/run.go", 'package migrate\n\nimport "github.com/pressly/goose/v3"\n\n'
         "func Run(db *sql.DB) error {\n\tdb.Exec(`DROP TABLE goose_lock`)\n"
         "\treturn goose.Up(db, \".\")\n}\n"),
        # reads only, or only the runner's bookkeeping table
        ("migrations/migrations.go", "package migrations\n\nfunc Migrate(db *sql.DB) error {\n"
         "\tdb.Exec(`CREATE TABLE IF NOT EXISTS appmigrations (v int)`)\n"
         "\tdb.QueryRow(`SELECT MAX(v) FROM appmigrations`)\n\treturn nil\n}\n"),
        ("migrations/util.go", "package migrations\n\nfunc quote(s string) string { return s }\n"),
    ],
)  # fmt: skip
def test_go_files_that_are_not_migrations(path: str, text: str) -> None:
    assert detect.classify(path, text) is None


def test_diesel_versions_with_and_without_dashes_sort_in_date_order() -> None:
    # crates.io's chain mixes both spellings; a repair of 2017 must come after the
    # index it repairs, built in 2014 (dashed versions used to sort before every number)
    names = [
        "2017-10-06-234455",
        "20141001190229",
        "2024-01-31-120000-0000",
        "2019-05-01-000000",
    ]
    chain = [detect.Migration(detect.SQL_PAIR, f"migrations/{n}_x/up.sql", n) for n in names]
    ordered = [m.version for m in sorted(chain, key=detect.sort_key)]
    assert ordered == [
        "20141001190229",
        "2017-10-06-234455",
        "2019-05-01-000000",
        "2024-01-31-120000-0000",
    ]


def test_plain_versions_still_sort_as_numbers() -> None:
    chain = [
        detect.Migration(detect.FLYWAY, f"db/V{n}__x.sql", n) for n in ("10", "2", "1.10", "1.9")
    ]
    assert [m.version for m in sorted(chain, key=detect.sort_key)] == ["1.9", "1.10", "2", "10"]
