"""Attacks on the data-step readings (datasteps32): a step whose down gives nothing back
blocks when it deletes rows or erases values a column held, and keeps its warning when it
fills a column the change adds, fills only empty rows, remaps or recomputes; Rails
``change_column`` and Sequelize ``changeColumn`` are judged against the column as merged.

Each relief rests on what the pull request cannot plant: a column is new only when the
change adds it on that very model and the merged migrations (read at base) never declared
it; an erasure blocks when the rows are chosen by the erased field's own value, whatever
else the filter tests; the old type is read from ``db/schema.rb`` and the merged
Sequelize migrations at base; a ``gatekeeper:irreversible`` the pull request writes needs
a human's approval. The holes left open on purpose: an erasure of every row's value or of
rows chosen only by other fields or by a test of presence (bugsink resets its quota state
that way, netbox clears stale cable data, and reviewers pass both), a remap, and a
recomputation stay warnings, since they cannot be told from fixes.
"""

from __future__ import annotations

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"
NOOP = "migrations/reverse-is-noop"
EMPTY_DOWN = "migrations/empty-down"
RETYPE = "migrations/change-column-type"

INITIAL = """\
from django.db import migrations, models
class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel("Link", fields=[
            ("id", models.AutoField(primary_key=True)),
            ("url", models.URLField(null=True)),
        ]),
        migrations.CreateModel("Tag", fields=[("id", models.AutoField(primary_key=True))]),
    ]
"""
DJANGO = {"shop/__init__.py": "", "shop/migrations/__init__.py": "",
          "shop/migrations/0001_initial.py": INITIAL}  # fmt: skip


def _django(
    name: str, ops: str, code: str = "", dependency: str = "0001_initial"
) -> dict[str, str]:
    return {
        f"shop/migrations/{name}.py": (
            f"from django.db import migrations, models\n{code}\n"
            "class Migration(migrations.Migration):\n"
            f'    dependencies = [("shop", "{dependency}")]\n'
            f"    operations = [{ops}]\n"
        )
    }


ERASE = """
def erase(apps, schema_editor):
    Link = apps.get_model("shop", "Link")
    Link.objects.exclude(url__startswith="http").update(url=None)
"""
RUN_ERASE = "migrations.RunPython(erase, migrations.RunPython.noop)"


def test_a_field_of_the_same_name_added_to_another_model_does_not_make_it_new(
    attack: AttackFactory,
) -> None:
    decoy = 'migrations.AddField("tag", "url", models.URLField(null=True)), ' + RUN_ERASE
    verdict = attack(POLICY, DJANGO, _django("0002_erase", decoy, ERASE)).judge()
    assert_blocked(verdict, NOOP)


def test_an_earlier_new_migration_adding_a_merged_field_again_does_not_make_it_new(
    attack: AttackFactory,
) -> None:
    head = {
        **_django("0002_again", 'migrations.AddField("link", "url", models.URLField(null=True))'),
        **_django("0003_erase", RUN_ERASE, ERASE, dependency="0002_again"),
    }
    verdict = attack(POLICY, DJANGO, head).judge()
    assert_blocked(verdict, NOOP)


def test_a_test_of_another_field_beside_the_values_own_does_not_hide_it(
    attack: AttackFactory,
) -> None:
    code = ERASE.replace("Link.objects.exclude", "Link.objects.filter(id__gt=0).exclude")
    verdict = attack(POLICY, DJANGO, _django("0002_erase", RUN_ERASE, code)).judge()
    assert_blocked(verdict, NOOP)


def test_a_runsql_erasure_chosen_by_the_value_and_a_presence_test_still_blocks(
    attack: AttackFactory,
) -> None:
    sql = "UPDATE shop_link SET url = NULL WHERE id > 0 AND url IS NOT NULL AND url LIKE '%x%'"
    ops = f'migrations.RunSQL("{sql}", migrations.RunSQL.noop)'
    verdict = attack(POLICY, DJANGO, _django("0002_erase", ops)).judge()
    assert_blocked(verdict, NOOP)


def test_a_marker_the_pull_request_writes_does_not_declare_a_deletion(
    attack: AttackFactory,
) -> None:
    code = (
        "# gatekeeper:irreversible nobody needs these links\n"
        "def erase(apps, schema_editor):\n"
        '    apps.get_model("shop", "Link").objects.all().delete()\n'
    )
    verdict = attack(POLICY, DJANGO, _django("0002_erase", RUN_ERASE, code)).judge()
    assert_blocked(verdict, NOOP)


RAILS = {
    "Gemfile": "gem 'rails'\n",
    "config/database.yml": "production:\n  adapter: postgresql\n",
    "db/schema.rb": (
        "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n"
        '  create_table "users", force: :cascade do |t|\n'
        '    t.string "name", limit: 255\n'
        '    t.string "email"\n'
        "  end\n"
        "end\n"
    ),
}


def _rails(up: str, down: str, name: str = "20240601000000_step") -> dict[str, str]:
    return {
        f"db/migrate/{name}.rb": (
            "class Step < ActiveRecord::Migration[7.1]\n"
            f"  def up\n    {up}\n  end\n\n  def down\n    {down}\n  end\nend\n"
        )
    }


def test_a_rails_column_added_to_another_table_does_not_make_an_erasure_a_backfill(
    attack: AttackFactory,
) -> None:
    up = (
        "add_column :accounts, :plan, :string\n"
        "    execute \"UPDATE users SET email = NULL WHERE email NOT LIKE '%@%'\""
    )
    verdict = attack(POLICY, RAILS, _rails(up, "")).judge()
    assert_blocked(verdict, EMPTY_DOWN)


def test_a_rails_empty_down_with_a_marker_the_pull_request_writes_still_blocks(
    attack: AttackFactory,
) -> None:
    head = _rails("User.delete_all", "")
    path = next(iter(head))
    head[path] = "# gatekeeper:irreversible test data only\n" + head[path]
    verdict = attack(POLICY, RAILS, head).judge()
    assert_blocked(verdict, EMPTY_DOWN)


def test_a_schema_rb_the_pull_request_edits_does_not_make_a_narrowing_a_widening(
    attack: AttackFactory,
) -> None:
    head = {
        **_rails(
            "change_column :users, :name, :string, limit: 50",
            "change_column :users, :name, :string, limit: 255",
        ),
        "db/schema.rb": RAILS["db/schema.rb"].replace("limit: 255", "limit: 20"),
    }
    verdict = attack(POLICY, RAILS, head).judge()
    assert_blocked(verdict, RETYPE)


SEQUELIZE = {
    "package.json": '{"dependencies": {"sequelize": "6"}}\n',
    "migrations/20240101000000-create-users.js": (
        "module.exports = {\n"
        "  async up(queryInterface, Sequelize) {\n"
        '    await queryInterface.createTable("users", {\n'
        "      id: { type: Sequelize.INTEGER, primaryKey: true },\n"
        "      name: { type: Sequelize.STRING(255) },\n"
        "    });\n"
        "  },\n"
        '  async down(queryInterface) { await queryInterface.dropTable("users"); },\n'
        "};\n"
    ),
}


def _sequelize(name: str, call: str) -> dict[str, str]:
    return {
        f"migrations/{name}.js": (
            "module.exports = {\n"
            "  async up(queryInterface, Sequelize) {\n"
            f"    await queryInterface.{call};\n"
            "  },\n"
            "  async down(queryInterface, Sequelize) {\n"
            '    await queryInterface.changeColumn("users", "name",'
            " { type: Sequelize.STRING(255) });\n"
            "  },\n"
            "};\n"
        )
    }


def test_a_sequelize_declaration_the_pull_request_writes_does_not_count(
    attack: AttackFactory,
) -> None:
    # a migration dated before the merged one "declares" name at 10: the change to 50
    # is still judged against the merged 255
    head = {
        **_sequelize("20230101000000-planted",
                     'changeColumn("users", "name", { type: Sequelize.STRING(10) })'),
        **_sequelize("20240601000000-narrow",
                     'changeColumn("users", "name", { type: Sequelize.STRING(50) })'),
    }  # fmt: skip
    verdict = attack(POLICY, SEQUELIZE, head).judge()
    assert_blocked(verdict, RETYPE)
