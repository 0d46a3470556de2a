"""Attacks on the round-35 repairs of merged migrations (existguards.py, djsteps.py): an
author who wants an edit of a shipped migration to pass as a repair.

Existence guards relieve only an edit whose every token difference is ``IF [NOT]
EXISTS`` placed after the words of a create or drop (or Ecto's guarded call), in a file
no runner checksums; Django data steps only an edit whose schema operations, and all
they read, are the same, and whose edited code (with all it reads) cannot reach the
schema. Each attack below hides a schema change behind one of them and must still block.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
HISTORY = "migrations/history-rewritten"

ECTO = "priv/repo/migrations/20220124162404_add_things.exs"
ECTO_MERGED = """\
defmodule App.Repo.Migrations.AddThings do
  use Ecto.Migration

  def change do
    execute("CREATE TABLE things (id bigint, name text)", "DROP TABLE things")
  end
end
"""


def test_a_guard_beside_a_new_column_blocks(attack: AttackFactory) -> None:
    head = {
        ECTO: ECTO_MERGED.replace(
            "TABLE things (id bigint, name text)",
            "TABLE IF NOT EXISTS things (id bigint, name text, x int)",
        )
    }
    assert_blocked(attack(POLICY, {ECTO: ECTO_MERGED}, head).judge(), HISTORY)


def test_a_guard_in_a_checksummed_flyway_file_blocks(attack: AttackFactory) -> None:
    path = "src/main/resources/db/migration/V1__things.sql"
    base = {path: "CREATE TABLE things (id bigint);\n"}
    head = {path: "CREATE TABLE IF NOT EXISTS things (id bigint);\n"}
    assert_blocked(attack(POLICY, base, head).judge(), HISTORY)


DJ_PATH = "shop/migrations/0002_backfill.py"
DJ_BASE = {
    "shop/__init__.py": "",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    operations = [migrations.CreateModel('Book', fields=[\n"
        "        ('id', models.AutoField(primary_key=True)),\n"
        "    ])]\n"
    ),
}
DJ_MERGED = """\
from django.db import connection, migrations, models


def _cleanup():
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE shop_book ADD COLUMN secret text")


def backfill(apps, schema_editor):
    Book = apps.get_model("shop", "Book")
    Book.objects.filter(id__lt=0).delete()


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
"""


def _edited(body: str, imports: str = "") -> dict[str, str]:
    old = "    Book.objects.filter(id__lt=0).delete()\n"
    return {DJ_PATH: imports + DJ_MERGED.replace(old, body)}


def test_a_data_step_that_now_calls_a_dead_helper_with_ddl_blocks(attack: AttackFactory) -> None:
    head = _edited("    _cleanup()\n")
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)


def test_a_data_step_calling_project_code_blocks(attack: AttackFactory) -> None:
    head = _edited("    reshape_schema()\n", imports="from shop.tools import reshape_schema\n")
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)


def test_the_editor_passed_under_another_name_blocks(attack: AttackFactory) -> None:
    head = _edited(
        "    _apply(schema_editor)\n\n\ndef _apply(editor):\n    editor.add_field(None, None)\n"
    )
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)


def test_a_new_run_python_lambda_with_ddl_blocks(attack: AttackFactory) -> None:
    head = {
        DJ_PATH: DJ_MERGED.replace(
            "operations = [",
            "operations = [migrations.RunPython(lambda a, e: a.get_model('shop', 'Book')"
            ".objects.raw('DROP TABLE shop_book')), ",
        )
    }
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)


def test_a_project_import_inside_the_data_step_blocks(attack: AttackFactory) -> None:
    head = _edited("    from shop.tools import reshape_schema\n\n    reshape_schema()\n")
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)


def test_a_run_python_argument_that_runs_code_on_load_blocks(attack: AttackFactory) -> None:
    head = {
        DJ_PATH: DJ_MERGED.replace(
            "RunPython(backfill, migrations.RunPython.noop)",
            "RunPython(backfill, reverse_code=_cleanup())",
        )
    }
    assert_blocked(attack(POLICY, {**DJ_BASE, DJ_PATH: DJ_MERGED}, head).judge(), HISTORY)
