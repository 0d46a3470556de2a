"""Attacks on round 29's type-change readings (ormsafe29): a Laravel ``->change()`` and a
Doctrine ``ALTER ... TYPE`` judged against the column the merged migrations declare, and a
``USING`` that only casts the column to its new type read as none.

The old type is read at base, so a declaration the pull request writes (a migration it
adds, dated before the merged ones) cannot make a narrowing look like a widening. The
hole left open on purpose: a Laravel column declared without a length takes the
application's ``Schema::defaultStringLength``, which the gate does not read, so changing
it only warns, as before.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.migrations import test_doctrine as doc
from tests.checks.migrations.test_laravel import CODE, path, php, table

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
RETYPE = "migrations/change-column-type"

CREATE = table("orders", "$table->id();\n    $table->string('name', 50);", "create")
LARAVEL = {**CODE, path("2024_01_01_000000", "create"): php(CREATE, "Schema::drop('orders');")}


def test_a_laravel_declaration_the_pr_writes_does_not_count(attack: AttackFactory) -> None:
    # a migration dated before the merged one "declares" name at 10: the change to 20
    # is still judged against the merged 50
    planted = table("orders", "$table->string('name', 10)->change();")
    head = {
        path("2023_01_01_000000", "planted"): php(planted, "// x"),
        path("2025_01_01_000000", "narrow"): php(
            table("orders", "$table->string('name', 20)->change();"), "// x"
        ),
    }
    verdict = attack(POLICY, LARAVEL, head).judge()
    assert_blocked(verdict, RETYPE)


def test_a_laravel_narrowing_after_a_widening_elsewhere_still_blocks(attack: AttackFactory) -> None:
    head = {
        path("2025_01_01_000000", "narrow"): php(
            table("orders", "$table->string('name', 20)->change();"), "// x"
        ),
        "app/Providers/AppServiceProvider.php": "<?php\n// Schema::defaultStringLength(500);\n",
    }
    verdict = attack(POLICY, LARAVEL, head).judge()
    assert_blocked(verdict, RETYPE)


def test_a_using_that_reads_another_column_blocks(attack: AttackFactory) -> None:
    base = {
        "db/1_init.up.sql": "CREATE TABLE orders (id bigint, name varchar(50), code varchar(9));\n",
        "db/1_init.down.sql": "DROP TABLE orders;\n",
    }
    up = "ALTER TABLE orders ALTER COLUMN name TYPE varchar(200) USING (code::varchar(200));\n"
    head = {"db/2_x.up.sql": up, "db/2_x.down.sql": "SELECT 1;\n"}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, RETYPE)


def test_a_doctrine_create_the_pr_adds_does_not_count(attack: AttackFactory) -> None:
    base = {
        ".env": "DATABASE_URL=postgresql://app@db/app\n",
        **doc.CODE,
        doc.path("20240101000000"): doc.php(
            "20240101000000",
            "$this->addSql('CREATE TABLE orders (id INT NOT NULL, name VARCHAR(50) NOT NULL)');",
            "$this->addSql('DROP TABLE orders');",
        ),
    }
    head = {
        doc.path("20230101000000"): doc.php(
            "20230101000000",
            "$this->addSql('CREATE TABLE IF NOT EXISTS orders (id INT, name VARCHAR(10))');",
            "$this->addSql('SELECT 1');",
        ),
        doc.path("20250101000000"): doc.php(
            "20250101000000",
            "$this->addSql('ALTER TABLE orders ALTER name TYPE VARCHAR(20)');",
            "$this->addSql('SELECT 1');",
        ),
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, RETYPE)
