"""A Laravel ``->change()`` read against the column the merged migrations declare
(laravelcols.py, round 29): widenings pass on PostgreSQL, narrowings and retypes block,
and a length Laravel fills in itself keeps the warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.model import Level
from tests.checks.migrations.test_laravel import CODE, NEW, path, php, rules, run, table

CREATE = table(
    "orders",
    "$table->id();\n    $table->string('name', 50);\n    $table->string('code');\n"
    "    $table->text('notes')->nullable();\n    $table->decimal('total', 8, 2);\n"
    "    $table->integer('qty');",
    "create",
)
BASE = {**CODE, path("2024_01_01_000000", "create_orders"): php(CREATE, "Schema::drop('orders');")}


def _change(body: str) -> dict[str, str | None]:
    return {NEW: php(table("orders", body), "// nothing")}


@pytest.mark.parametrize(
    "body",
    [
        "$table->string('name', 255)->change();",
        "$table->text('name')->change();",
        "$table->string('name', 50)->nullable()->change();",
        "$table->decimal('total', 12, 2)->change();",
        "$table->longText('notes')->nullable()->change();",
    ],
)
def test_a_widening_change_is_not_reported_on_postgres(tmp_path: Path, body: str) -> None:
    found = run(tmp_path, BASE, _change(body))
    assert "change-column-type" not in rules(found)


@pytest.mark.parametrize(
    "body",
    [
        "$table->string('name', 20)->change();",
        "$table->integer('name')->change();",
        "$table->string('notes', 100)->nullable()->change();",
        "$table->decimal('total', 6, 2)->change();",
        "$table->smallInteger('qty')->change();",
    ],
)
def test_a_narrowing_or_retyping_change_blocks(tmp_path: Path, body: str) -> None:
    found = run(tmp_path, BASE, _change(body))
    assert "change-column-type" in rules(found, Level.ERROR)


def test_a_wider_integer_is_weighed_by_size(tmp_path: Path) -> None:
    found = run(tmp_path, BASE, _change("$table->bigInteger('qty')->change();"))
    assert "change-column-type" in rules(found, Level.WARNING)
    assert "change-column-type" not in rules(found, Level.ERROR)


def test_a_length_laravel_fills_in_keeps_the_warning(tmp_path: Path) -> None:
    # string('code') took Schema::defaultStringLength, which the application may set
    found = run(tmp_path, BASE, _change("$table->string('code', 100)->change();"))
    assert "change-column-type" in rules(found, Level.WARNING)
    assert "change-column-type" not in rules(found, Level.ERROR)


def test_dropping_nullable_in_a_change_sets_not_null(tmp_path: Path) -> None:
    found = run(tmp_path, BASE, _change("$table->text('notes')->change();"))
    assert "set-not-null" in rules(found)
