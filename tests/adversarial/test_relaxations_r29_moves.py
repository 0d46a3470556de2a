"""Attacks on a move whose destination the same pull request drops (round 29, ormsafe29).

A column the change creates is new: no code at base reads it and no database held it
before, so its drop was let off twice, as an expand-contract step and as a drop of what
the change created (prcreated.py). Once the change copies stored values into it (``UPDATE t
SET new = old``, an ``INSERT ... SELECT``, Django's ``F("old")``), neither holds: dropping
it loses those values. Both reliefs now ask whether the change filled it.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
DROP = "migrations/drop-column"
BASE = {
    "app/store.py": "# reads orders.legacy\n",
    "db/1_init.up.sql": "CREATE TABLE orders (id bigint, legacy text);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\n",
}
LOCK = "SET lock_timeout = '2s';\n"


def _step(n: int, name: str, up: str) -> dict[str, str]:
    return {f"db/{n}_{name}.up.sql": LOCK + up, f"db/{n}_{name}.down.sql": "SELECT 1;\n"}


def test_moving_into_a_new_column_then_dropping_it_later_in_the_pr_blocks(
    attack: AttackFactory,
) -> None:
    head = {
        **_step(
            2,
            "move",
            "ALTER TABLE orders ADD COLUMN notes text;\n"
            "UPDATE orders SET notes = legacy;\n"
            "ALTER TABLE orders DROP COLUMN legacy;\n",
        ),
        **_step(3, "drop_notes", "ALTER TABLE orders DROP COLUMN notes;\n"),
    }
    verdict = attack(POLICY, BASE, head).judge()
    assert_blocked(verdict, DROP)


def test_with_no_reader_left_the_filled_new_column_is_no_contract_step(
    attack: AttackFactory,
) -> None:
    # nothing reads legacy at base: its own drop is a contract step, but the values went
    # into notes, which the same migration drops
    base = {**BASE, "app/store.py": "# reads nothing\n"}
    head = _step(
        2,
        "move",
        "ALTER TABLE orders ADD COLUMN notes text;\n"
        "UPDATE orders SET notes = legacy;\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n"
        "ALTER TABLE orders DROP COLUMN notes;\n",
    )
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, DROP)


def test_a_new_table_filled_by_insert_select_then_dropped_blocks(attack: AttackFactory) -> None:
    base = {**BASE, "app/store.py": "# reads nothing\n"}
    head = {
        **_step(
            2,
            "copy",
            "CREATE TABLE order_notes (order_id bigint, body text);\n"
            "INSERT INTO order_notes (order_id, body) SELECT id, legacy FROM orders;\n"
            "ALTER TABLE orders DROP COLUMN legacy;\n",
        ),
        **_step(3, "drop_notes", "DROP TABLE order_notes;\n"),
    }
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, "migrations/drop-table")


def test_a_django_f_copy_into_a_new_field_then_removed_blocks(attack: AttackFactory) -> None:
    init = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        '        migrations.CreateModel(name="Order", fields=[("id", models.AutoField('
        'primary_key=True)), ("legacy", models.TextField(null=True))]),\n    ]\n'
    )
    move = (
        "from django.db import migrations, models\n\n\ndef forward(apps, schema_editor):\n"
        '    apps.get_model("shop", "Order").objects.update(notes=models.F("legacy"))\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n    operations = [\n'
        '        migrations.AddField("order", "notes", models.TextField(null=True)),\n'
        "        migrations.RunPython(forward, migrations.RunPython.noop),\n    ]\n"
    )
    drop = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0002_move")]\n    operations = [\n'
        '        migrations.RemoveField("order", "notes"),\n    ]\n'
    )
    base = {
        "shop/__init__.py": "",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": init,
        "shop/views.py": "# reads nothing\n",
    }
    head = {"shop/migrations/0002_move.py": move, "shop/migrations/0003_drop.py": drop}
    verdict = attack(POLICY, base, head).judge()
    assert_blocked(verdict, DROP)
