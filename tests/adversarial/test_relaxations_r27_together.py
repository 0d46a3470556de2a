"""Attacks on round 27's reading of Django's ``AlterIndexTogether``/``AlterUniqueTogether``
(djtogether.py): only the tuples the merged migrations did not declare are index builds,
and a model with many declared indexes is treated as large. Both are read at base, so a
change cannot make its new index look old, or its table look small, by editing merged
migrations; a tuple of the same columns in another order is another index.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

LARGE = (
    "version: 1\nchecks:\n"
    "  migrations: {roundtrip: 'off', dialect: postgres, large_tables: [base_translation]}\n"
)
PRESUMED = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
HEADER = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
CREATE = HEADER + (
    '    operations = [migrations.CreateModel(name="Translation", fields=[\n'
    '        ("id", models.AutoField(primary_key=True)),\n'
    '        ("a", models.IntegerField()), ("b", models.IntegerField()),\n'
    "    ])]\n"
)
INDEX = "migrations/index-not-concurrent"


def _together(value: str, op: str = "AlterIndexTogether", key: str = "index_together") -> str:
    return HEADER + f'    operations = [migrations.{op}(name="translation", {key}={value})]\n'


BASE = {
    "app/models.py": "# code\n",
    "base/migrations/0001_initial.py": CREATE,
    "base/migrations/0002_ix.py": _together('{("a", "b")}'),
}


def test_the_same_columns_in_another_order_are_a_new_index(attack: AttackFactory) -> None:
    head = {"base/migrations/0003_ix.py": _together('{("a", "b"), ("b", "a")}')}
    assert_blocked(attack(LARGE, BASE, head).judge(), INDEX)


def test_editing_the_merged_declaration_does_not_make_the_tuple_old(
    attack: AttackFactory,
) -> None:
    head = {
        "base/migrations/0002_ix.py": _together('{("a", "b"), ("b", "a")}'),
        "base/migrations/0003_ix.py": _together('{("a", "b"), ("b", "a")}'),
    }
    assert_blocked(attack(LARGE, BASE, head).judge(), INDEX)


def test_a_unique_together_added_to_a_large_table_blocks(attack: AttackFactory) -> None:
    head = {
        "base/migrations/0003_u.py": _together(
            '(("a", "b"),)', "AlterUniqueTogether", "unique_together"
        )
    }
    assert_blocked(attack(LARGE, BASE, head).judge(), "migrations/unique-constraint")


def test_indexes_removed_in_the_change_do_not_make_the_table_small(
    attack: AttackFactory,
) -> None:
    many = '{("a", "id"), ("b", "id"), ("a", "b"), ("b", "a"), ("id", "a")}'
    base = {**BASE, "base/migrations/0002_ix.py": _together(many)}
    # the change drops four of them in one migration and adds one in the next: the
    # count is read at base, so the table is still treated as large
    head = {
        "base/migrations/0003_less.py": _together('{("a",)}'),
        "base/migrations/0004_ix.py": _together('{("a",), ("id", "b")}'),
    }
    assert_blocked(attack(PRESUMED, base, head).judge(), INDEX)
