"""Attacks on round 29's Django reliefs (ormsafe29): a RenameField whose merged
declaration keeps its column with ``db_column`` runs nothing; a step SQLite fails inside
a ``django.contrib.postgres`` operation or on PostgreSQL syntax in a ``RunSQL`` is "not
run"; a field added and removed within the pull request is no lying round trip.

Each relief rests on what the pull request cannot plant: the declaration is read from
the merged migrations, the PostgreSQL operation must be where the failure was raised
(not merely present in the migration), and only the very field removed again is let off.
An ``AlterField`` that narrows a column now blocks whatever the table's size.
"""

from __future__ import annotations

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.checks.migrations import projects

POLICY = "version: 1\nchecks:\n  migrations: {dialect: postgres}\n"
OFF = "version: 1\nchecks:\n  migrations: {roundtrip: 'off', dialect: postgres}\n"


def _migration(
    name: str, body: str, *, dependency: str = "0001_initial", head: str = ""
) -> dict[str, str]:
    return {
        f"catalog/migrations/{name}.py": (
            "from django.db import migrations, models\n"
            f"{head}\n\n"
            "class Migration(migrations.Migration):\n"
            f'    dependencies = [("catalog", "{dependency}")]\n'
            f"    operations = [\n{body}\n    ]\n"
        )
    }


def test_db_column_set_by_the_pull_request_itself_does_not_make_a_rename_free(
    attack: AttackFactory,
) -> None:
    head = {
        **_migration(
            "0002_col",
            '        migrations.AlterField("product", "sku", '
            'models.CharField(max_length=20, db_column="sku")),',
        ),
        **_migration(
            "0003_rename",
            '        migrations.RenameField("product", "sku", "code"),',
            dependency="0002_col",
        ),
    }
    verdict = attack(OFF, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/rename-column")


def test_db_column_written_only_in_models_py_does_not_count(attack: AttackFactory) -> None:
    base = {
        **projects.django_project(),
        "catalog/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n"
        "    sku = models.CharField(max_length=20)\n",
    }
    head = {
        "catalog/models.py": "from django.db import models\n\n\nclass Product(models.Model):\n"
        '    code = models.CharField(max_length=20, db_column="sku")\n',
        **_migration("0002_rename", '        migrations.RenameField("product", "sku", "code"),'),
    }
    verdict = attack(OFF, base, head).judge()
    assert_blocked(verdict, "migrations/rename-column")


def test_an_alter_field_moving_the_column_elsewhere_is_a_rename(attack: AttackFactory) -> None:
    base = projects.django_project()
    base["catalog/migrations/0001_initial.py"] = projects.CATALOG_0001.replace(
        "models.CharField(max_length=20)", 'models.CharField(max_length=20, db_column="sku")'
    )
    head = _migration(
        "0002_col",
        '        migrations.AlterField("product", "sku", '
        'models.CharField(max_length=20, db_column="stock_code")),',
    )
    verdict = attack(OFF, base, head).judge()
    assert_blocked(verdict, "migrations/rename-column")


@pytest.mark.parametrize("new", ["models.CharField(max_length=5)", "models.IntegerField()"])
def test_a_narrowing_alter_field_blocks_on_a_table_no_one_calls_large(
    attack: AttackFactory, new: str
) -> None:
    head = _migration("0002_alter", f'        migrations.AlterField("product", "sku", {new}),')
    verdict = attack(OFF, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/change-column-type")


def test_a_harmless_postgres_operation_does_not_excuse_a_broken_down(
    attack: AttackFactory,
) -> None:
    # CreateExtension does nothing on SQLite; the RunSQL's reverse really fails there, on
    # SQL SQLite knows: the failure was not raised inside the PostgreSQL operation
    pytest.importorskip("django")
    body = (
        '        CreateExtension("pg_trgm"),\n'
        '        migrations.RunSQL("CREATE TABLE extra (id integer)", "DROP TABLE missing"),'
    )
    head = _migration(
        "0002_x", body, head="from django.contrib.postgres.operations import CreateExtension"
    )
    verdict = attack(POLICY, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/roundtrip-failed")


def test_removing_another_field_does_not_let_off_the_one_added(attack: AttackFactory) -> None:
    head = {
        **_migration(
            "0002_tmp",
            '        migrations.AddField("product", "tmp", models.TextField(null=True)),',
        ),
        **_migration(
            "0003_drop", '        migrations.RemoveField("product", "sku"),', dependency="0002_tmp"
        ),
    }
    base = {**projects.django_project(), "catalog/views.py": "def show(p):\n    return p.sku\n"}
    verdict = attack(OFF, base, head).judge()
    assert_blocked(verdict, "migrations/drop-column")


def _rename_model(dependency: str = "0001_initial") -> dict[str, str]:
    return _migration(
        "0009_rename", '        migrations.RenameModel("Product", "Item"),', dependency=dependency
    )


def test_a_db_table_the_pull_request_sets_first_does_not_make_a_model_rename_free(
    attack: AttackFactory,
) -> None:
    head = {
        **_migration("0002_table", '        migrations.AlterModelTable("product", "product"),'),
        **_rename_model("0002_table"),
    }
    verdict = attack(OFF, projects.django_project(), head).judge()
    assert_blocked(verdict, "migrations/rename-table")


def test_a_many_to_many_pointing_at_the_model_keeps_the_rename(attack: AttackFactory) -> None:
    base = projects.django_project()
    base["catalog/migrations/0001_initial.py"] = projects.CATALOG_0001.replace(
        "            ],\n        ),",
        '            ],\n            options={"db_table": "products"},\n        ),',
    )
    base["catalog/migrations/0002_bundle.py"] = _migration(
        "0002_bundle",
        '        migrations.CreateModel("Bundle", [("id", models.AutoField(primary_key=True)), '
        '("items", models.ManyToManyField(to="catalog.product"))]),',
    )["catalog/migrations/0002_bundle.py"]
    verdict = attack(OFF, base, _rename_model("0002_bundle")).judge()
    assert_blocked(verdict, "migrations/rename-table")
