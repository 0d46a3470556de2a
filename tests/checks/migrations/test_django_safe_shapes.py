"""Django migrations a senior reviewer passes, probed on unseen repositories (round 29):
a RenameField whose merged declaration keeps its column with ``db_column``, a
PostgreSQL-only operation the SQLite round trip cannot run, a field a pull request adds
and removes again; and the narrowing an ``AlterField`` can hide."""

from __future__ import annotations

from typing import Any

import pytest

from gatekeeper.model import Finding, Level
from tests.checks.migrations import projects
from tests.checks.migrations.runs import errors, findings
from tests.conftest import GitRepo

OFF = {"roundtrip": "off"}


def _migration(
    name: str, operations: str, *, extra: str = "", dependency: str = "0001_initial"
) -> dict[str, str]:
    return {
        f"catalog/migrations/{name}.py": (
            "from django.db import migrations, models\n"
            f"{extra}\n\n"
            "class Migration(migrations.Migration):\n"
            f'    dependencies = [("catalog", "{dependency}")]\n'
            f"    operations = [\n{operations}\n    ]\n"
        )
    }


def _base(sku: str = 'models.CharField(max_length=20, db_column="sku")') -> dict[str, str]:
    files = projects.django_project()
    files["catalog/migrations/0001_initial.py"] = projects.CATALOG_0001.replace(
        "models.CharField(max_length=20)", sku
    )
    return files


def _rules(found: list[Finding], level: Level | None = None) -> list[str]:
    return sorted(f.rule for f in found if level is None or f.level is level)


def test_rename_of_a_field_whose_merged_declaration_names_its_column_runs_nothing(
    git_repo: GitRepo,
) -> None:
    head = _migration("0002_rename", '        migrations.RenameField("product", "sku", "code"),')
    found = findings(git_repo, _base(), head, **OFF)
    assert "rename-column" not in _rules(found)


def test_rename_of_a_field_without_db_column_renames_the_column(git_repo: GitRepo) -> None:
    head = _migration("0002_rename", '        migrations.RenameField("product", "sku", "code"),')
    found = findings(git_repo, _base("models.CharField(max_length=20)"), head, **OFF)
    assert "rename-column" in errors(found)


def test_alter_field_that_changes_db_column_is_a_rename(git_repo: GitRepo) -> None:
    field = 'models.CharField(max_length=20, db_column="code")'
    head = _migration("0002_col", f'        migrations.AlterField("product", "sku", {field}),')
    found = findings(git_repo, _base(), head, **OFF)
    assert "rename-column" in errors(found)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("models.CharField(max_length=20)", "models.CharField(max_length=10)"),
        ("models.CharField(max_length=20)", "models.IntegerField()"),
        ("models.TextField()", "models.CharField(max_length=10)"),
        (
            "models.DecimalField(max_digits=8, decimal_places=2)",
            "models.DecimalField(max_digits=6, decimal_places=2)",
        ),
    ],
)
def test_a_narrowing_or_retyping_alter_field_blocks_on_a_small_table(
    git_repo: GitRepo, old: str, new: str
) -> None:
    head = _migration("0002_alter", f'        migrations.AlterField("product", "sku", {new}),')
    found = findings(git_repo, _base(old), head, **OFF)
    assert "change-column-type" in errors(found)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("models.CharField(max_length=20)", "models.CharField(max_length=200)"),
        ("models.CharField(max_length=20)", "models.TextField()"),
        (
            "models.DecimalField(max_digits=8, decimal_places=2)",
            "models.DecimalField(max_digits=12, decimal_places=2)",
        ),
    ],
)
def test_a_widening_alter_field_passes(git_repo: GitRepo, old: str, new: str) -> None:
    head = _migration("0002_alter", f'        migrations.AlterField("product", "sku", {new}),')
    found = findings(git_repo, _base(old), head, **OFF)
    assert "change-column-type" not in _rules(found)


@pytest.fixture
def django_installed() -> None:
    pytest.importorskip("django")


def _trips(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in found if f.rule.startswith("roundtrip")]


CONCURRENT = """\
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("catalog", "0001_initial")]
    operations = [
        AddIndexConcurrently("product", models.Index(fields=["sku"], name="ix_sku")),
    ]
"""


def test_add_index_concurrently_is_not_run_on_sqlite_rather_than_failed(
    git_repo: GitRepo, django_installed: Any
) -> None:
    head = {"catalog/migrations/0002_ix.py": CONCURRENT}
    found = findings(git_repo, projects.django_project(), head)
    ((rule, message),) = _trips(found)
    assert rule == "roundtrip-not-run"
    assert "written for PostgreSQL" in message


def test_run_sql_in_postgres_syntax_is_not_run_on_sqlite(
    git_repo: GitRepo, django_installed: Any
) -> None:
    ops = (
        '        migrations.RunSQL("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix ON catalog_product '
        '(sku)", "DROP INDEX CONCURRENTLY IF EXISTS ix"),'
    )
    head = _migration("0002_ix", ops)
    head["catalog/migrations/0002_ix.py"] = head["catalog/migrations/0002_ix.py"].replace(
        "class Migration(migrations.Migration):\n",
        "class Migration(migrations.Migration):\n    atomic = False\n",
    )
    found = findings(git_repo, projects.django_project(), head)
    assert [r for r, _ in _trips(found)] == ["roundtrip-not-run"]


def test_a_down_sqlite_refuses_for_what_it_knows_still_fails(
    git_repo: GitRepo, django_installed: Any
) -> None:
    # SQLite knows this SQL: the reverse drops a table that is not there, a real failure
    ops = '        migrations.RunSQL("CREATE TABLE extra (id integer)", "DROP TABLE missing"),'
    found = findings(git_repo, projects.django_project(), _migration("0002_x", ops))
    assert [r for r, _ in _trips(found)] == ["roundtrip-failed"]


def test_a_field_added_and_removed_in_one_pull_request_is_no_lie(
    git_repo: GitRepo, django_installed: Any
) -> None:
    head = {
        **_migration(
            "0002_tmp",
            '        migrations.AddField("product", "tmp", models.TextField(null=True)),',
        ),
        **_migration(
            "0003_untmp", '        migrations.RemoveField("product", "tmp"),', dependency="0002_tmp"
        ),
    }
    found = findings(git_repo, projects.django_project(), head)
    assert _trips(found) == []


def _with_table(extra_fields: str = "") -> dict[str, str]:
    files = projects.django_project()
    files["catalog/migrations/0001_initial.py"] = projects.CATALOG_0001.replace(
        "            ],\n        ),",
        f"{extra_fields}            ],\n"
        '            options={"db_table": "products"},\n        ),',
    )
    return files


def test_rename_model_whose_merged_options_name_its_table_runs_nothing(git_repo: GitRepo) -> None:
    head = _migration("0002_rename", '        migrations.RenameModel("Product", "Item"),')
    found = findings(git_repo, _with_table(), head, **OFF)
    assert "rename-table" not in _rules(found)


def test_rename_model_without_db_table_renames_the_table(git_repo: GitRepo) -> None:
    head = _migration("0002_rename", '        migrations.RenameModel("Product", "Item"),')
    found = findings(git_repo, projects.django_project(), head, **OFF)
    assert "rename-table" in errors(found)


def test_rename_model_with_a_many_to_many_field_renames_its_join_table(git_repo: GitRepo) -> None:
    m2m = '                ("tags", models.ManyToManyField(to="catalog.tag")),\n'
    head = _migration("0002_rename", '        migrations.RenameModel("Product", "Item"),')
    found = findings(git_repo, _with_table(m2m), head, **OFF)
    assert "rename-table" in errors(found)
