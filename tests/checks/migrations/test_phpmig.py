"""One rule for the empty or missing down of a PHP migration, Doctrine's and Laravel's
alike (phpmig.down_level), on real git repositories: an up that only adds warns, one that
only fills empty values warns, one that writes over stored rows blocks unless the step is
declared irreversible (a down that throws), any other schema change blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.checks.migrations import sqlwrites
from gatekeeper.model import Finding, Level
from tests.checks.migrations import test_doctrine as doctrine
from tests.checks.migrations import test_laravel as laravel

V = doctrine.V


def downs(found: list[Finding]) -> list[tuple[str, Level]]:
    """The down findings, with their level."""
    return sorted((f.rule, f.level) for f in found
                  if f.rule in ("missing-down", "empty-down", "irreversible"))  # fmt: skip


def on_doctrine(tmp_path: Path, up: str, down: str | None = "// nothing\n") -> list[Finding]:
    return doctrine.run(tmp_path, doctrine.MERGED, {doctrine.path(V): doctrine.php(V, up, down)})


def on_laravel(tmp_path: Path, up: str, down: str | None = "// nothing") -> list[Finding]:
    return laravel.run(tmp_path, laravel.MERGED, {laravel.NEW: laravel.php(up, down)}, "mysql")


WARN = [("empty-down", Level.WARNING)]
BLOCK = [("empty-down", Level.ERROR)]
DECLARED = [("irreversible", Level.INFO)]


# --- an up that only adds: a warning ------------------------------------------------------


@pytest.mark.parametrize(
    ("up", "expected"),
    [
        (doctrine.ADD, WARN),
        ("$schema->createTable('tags')->addColumn('id', Types::INTEGER);\n"
         "$schema->getTable('users')->addIndex(['email']);", WARN),
        ("$this->addSql('ALTER TABLE users ADD nick VARCHAR(255) DEFAULT NULL, "
         "ADD INDEX idx_nick (nick)');", WARN),
        ("$this->addSql('CREATE TABLE tags (id INT NOT NULL, PRIMARY KEY(id))');", WARN),
        # a NOT NULL column without default breaks old code's inserts: no mere addition
        ("$this->addSql('ALTER TABLE users ADD nick VARCHAR(255) NOT NULL');", BLOCK),
        ("$this->addSql('ALTER TABLE users DROP nick');", BLOCK),
    ],
)  # fmt: skip
def test_doctrine_only_an_additive_up_warns(tmp_path: Path, up: str, expected: object) -> None:
    assert downs(on_doctrine(tmp_path, up)) == expected


@pytest.mark.parametrize(
    ("up", "expected"),
    [
        (laravel.table("users", "$table->string('nick')->nullable();"), WARN),
        ("DB::statement('CREATE INDEX users_nick ON users (nick)');", WARN),
        (laravel.table("users", "$table->string('nick');"), BLOCK),
        (laravel.table("users", "$table->string('email', 100)->change();"), BLOCK),
    ],
)
def test_laravel_only_an_additive_up_warns(tmp_path: Path, up: str, expected: object) -> None:
    assert downs(on_laravel(tmp_path, up)) == expected


# --- an up that writes over rows: an error, unless declared -------------------------------


@pytest.mark.parametrize(
    ("up", "expected"),
    [
        ("$this->addSql('UPDATE users SET email = lower(email)');", BLOCK),
        ("$this->addSql('DELETE FROM events WHERE id < 10');", BLOCK),
        ("$this->connection->update('users', ['email' => 'x'], ['id' => 1]);", BLOCK),
        ("$this->connection->delete('events', ['id' => 1]);", BLOCK),
        # only values that were empty, or a column the same up adds: nothing is lost
        ("$this->addSql(\"UPDATE users SET email = 'x' WHERE email IS NULL\");", WARN),
        ("$this->connection->update('users', ['email' => 'x'], ['email' => null]);", WARN),
        (
            "$qb = $this->connection->createQueryBuilder();\n$qb->update('users')->set('email', "
            "'nick')->where($qb->expr()->isNull('email'));",
            WARN,
        ),
        (
            "$qb = $this->connection->createQueryBuilder();\n$qb->update('users')->set('email', "
            "'nick')->where($qb->expr()->isNotNull('email'));",
            BLOCK,
        ),
        ("$this->addSql('INSERT INTO events (id) VALUES (1)');", WARN),
        (
            "$this->addSql('ALTER TABLE users ADD nick TEXT DEFAULT NULL');\n"
            "$this->addSql('UPDATE users SET nick = email');",
            WARN,
        ),
    ],
)
def test_doctrine_an_up_writing_over_rows_blocks(tmp_path: Path, up: str, expected: object) -> None:
    assert downs(on_doctrine(tmp_path, up)) == expected


def test_doctrine_a_throwing_down_declares_a_destructive_up(tmp_path: Path) -> None:
    up = "$this->addSql('UPDATE users SET email = lower(email)');"
    found = on_doctrine(tmp_path, up, "$this->throwIrreversibleMigrationException();")
    assert downs(found) == DECLARED
    assert "overwrites or deletes stored rows" in found[0].message


@pytest.mark.parametrize(
    ("up", "expected"),
    [
        ("DB::table('users')->update(['admin' => 0]);", BLOCK),
        ("DB::table('events')->where('id', '<', 10)->delete();", BLOCK),
        ("DB::update('UPDATE users SET admin = 0');", BLOCK),
        ("DB::table('users')->whereNull('nick')->update(['nick' => 'x']);", WARN),
        ("DB::table('events')->insert(['id' => 1]);", WARN),
        (laravel.table("users", "$table->string('nick')->nullable();")
         + "\nDB::table('users')->update(['nick' => 'x']);", WARN),
    ],
)  # fmt: skip
def test_laravel_an_up_writing_over_rows_blocks(tmp_path: Path, up: str, expected: object) -> None:
    assert downs(on_laravel(tmp_path, up)) == expected


def test_laravel_a_throwing_down_declares_the_step_irreversible(tmp_path: Path) -> None:
    up = "DB::table('users')->update(['admin' => 0]);"
    found = on_laravel(tmp_path, up, "throw new RuntimeException('the old flags are gone');")
    assert downs(found) == DECLARED
    # a down that throws nothing and does nothing is no declaration
    assert downs(on_laravel(tmp_path, up, "// RuntimeException")) == BLOCK


# --- the SQL facts the rule reads ---------------------------------------------------------


def test_what_a_statement_writes_over() -> None:
    assert sqlwrites.lost("UPDATE users SET a = 1, b = (SELECT x FROM t WHERE y OR z)", set()) == (
        "users.a, users.b"
    )
    assert sqlwrites.lost("UPDATE users SET a = 1 WHERE a IS NULL OR b = 2", set()) == "users.a"
    assert sqlwrites.lost("UPDATE users SET a = 1 WHERE a IS NULL AND b = 2", set()) == ""
    assert sqlwrites.lost("UPDATE users SET a = 1 WHERE a = ''", set()) == ""
    assert sqlwrites.lost("UPDATE users SET a = 1", {("users", "a")}) == ""
    assert sqlwrites.lost("DELETE FROM tags", set()) == "the rows of tags it deletes"
    assert sqlwrites.lost("DELETE FROM tags", {("tags", "*")}) == ""
    assert sqlwrites.lost("INSERT INTO tags VALUES (1)", set()) == ""
    assert sqlwrites.lost("UPDATE t SET (a, b) = (1, 2) WHERE a IS NULL", set()) == "t.?"
    assert sqlwrites.lost("UPDATE t1 JOIN t2 ON t1.k = t2.k SET t1.a = t2.a", set()) != ""


def test_what_a_statement_only_adds() -> None:
    assert sqlwrites.adds_only("ALTER TABLE t ADD c INT NOT NULL DEFAULT 0, ADD UNIQUE (c)")
    assert sqlwrites.adds_only('ALTER TABLE "t" ADD COLUMN "c" TEXT')
    assert sqlwrites.adds_only("CREATE UNIQUE INDEX i ON t (c)")
    assert not sqlwrites.adds_only("ALTER TABLE t ADD c INT NOT NULL")
    assert not sqlwrites.adds_only("ALTER TABLE t ADD c INT, DROP d")
    assert not sqlwrites.adds_only("ALTER TABLE t ALTER c SET NOT NULL")
    assert not sqlwrites.adds_only("CREATE OR REPLACE VIEW v AS SELECT 1")
    # a new view is one more object old code ignores (btcpayserver's translations view)
    assert sqlwrites.adds_only("CREATE VIEW v AS SELECT 1")
    assert sqlwrites.adds_only("CREATE MATERIALIZED VIEW v AS SELECT 1")


def test_a_delete_of_rows_whose_reference_is_empty() -> None:
    assert sqlwrites.deletes_unreferenced('DELETE FROM "WalletObjects" WHERE "WalletId"=\'\'')
    assert sqlwrites.deletes_unreferenced(
        "DELETE FROM t WHERE owner_id IS NULL AND \"TeamId\" = ''"
    )
    assert not sqlwrites.deletes_unreferenced("DELETE FROM users WHERE email IS NULL")
    assert not sqlwrites.deletes_unreferenced("DELETE FROM t WHERE \"WalletId\"='' OR 1=1")
    assert not sqlwrites.deletes_unreferenced("DELETE FROM t WHERE paid = ''")
    assert not sqlwrites.deletes_unreferenced("DELETE FROM t")


# --- a backfill of what an older migration of the same change adds ------------------------


def test_doctrine_a_backfill_of_a_column_the_change_adds_warns(tmp_path: Path) -> None:
    add = doctrine.php("20250101000000", doctrine.ADD,
                       "$schema->getTable('users')->dropColumn('nick');")  # fmt: skip
    fill = doctrine.php("20250102000000", "$this->addSql('UPDATE users SET nick = email');", "//")
    head = {doctrine.path("20250101000000"): add, doctrine.path("20250102000000"): fill}
    assert downs(doctrine.run(tmp_path, doctrine.MERGED, head)) == WARN
    # the column merged before: values written since may be overwritten
    base = {**doctrine.MERGED, doctrine.path("20250101000000"): add}
    found = doctrine.run(tmp_path, base, {doctrine.path("20250102000000"): fill})
    assert downs(found) == BLOCK


def test_laravel_a_backfill_of_a_column_the_change_adds_warns(tmp_path: Path) -> None:
    add = laravel.php(laravel.table("users", "$table->string('nick')->nullable();"),
                      laravel.table("users", "$table->dropColumn('nick');"))  # fmt: skip
    fill = laravel.php("DB::table('users')->update(['nick' => 'x']);", "//")
    first, second = laravel.path("2025_01_01_000000", "add"), laravel.path("2025_01_02_000000")
    found = laravel.run(tmp_path, laravel.MERGED, {first: add, second: fill}, "mysql")
    assert downs(found) == WARN
    found = laravel.run(tmp_path, {**laravel.MERGED, first: add}, {second: fill}, "mysql")
    assert downs(found) == BLOCK
