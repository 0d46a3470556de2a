"""Rule cases as data: each YAML file under cases/ lists base/head pairs and expected rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Level
from gatekeeper.testing import changeset, context, run_check

CASES = Path(__file__).parent / "cases"


#: shorthand for safety cases: ``sql:`` is the up side of a plain up/down pair (no
#: transaction), after a lock_timeout so that rule stays out of the other cases' way
PRELUDE = "SET lock_timeout = '2s';\n"


#: application code that still uses the names the cases drop (so no drop is taken
#: for the contract step of an expand-contract plan unless a case says so)
APP = {"app/models.py": "# users: email, old\n"}


def _base(case: dict[str, Any]) -> dict[str, Any]:
    return {**APP, **case.get("base", {})} if "sql" in case else dict(case.get("base", {}))


def _head(case: dict[str, Any]) -> dict[str, Any]:
    if "sql" not in case:
        return dict(case["head"])
    prelude = PRELUDE if case.get("prelude", True) else ""
    return {
        "db/change.up.sql": prelude + case["sql"],
        "db/change.down.sql": "SELECT 1;",
        **APP,
    }


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            config = case.get("config", doc.get("config", {}))
            params.append(pytest.param(case, config, id=f"{path.stem}: {case['name']}"))
    return params


@pytest.mark.parametrize(("case", "config"), _load())
def test_rule_case(
    case: dict[str, Any], config: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if config.get("database_url") == "$PG_URL":
        config = {**config, "database_url": request.getfixturevalue("pg_url")}
    findings = run_check(MigrationsCheck(), _base(case), _head(case), config)
    got = sorted(f.rule for f in findings)
    assert got == sorted(case["expect"]), [f"{f.location}: {f.rule}: {f.message}" for f in findings]
    if "errors" in case:  # the rules found at error level (the others warn)
        errors = sorted(f.rule for f in findings if f.level is Level.ERROR)
        assert errors == sorted(case["errors"]), [f"{f.rule}: {f.message}" for f in findings]
    for f in findings:
        assert f.message and f.check == "migrations"
        assert f.rule in MigrationsCheck.rules


def test_a_drop_in_another_dialect_names_its_table() -> None:
    # sqlglot moved DROP's table from "this" to "tables"; the message said "Drops table ?."
    head = {"db/1_x.up.sql": "DROP TABLE users;", "db/1_x.down.sql": "SELECT 1;", **APP}
    config = {"roundtrip": "off", "dialect": "mysql"}
    found = run_check(MigrationsCheck(), dict(APP), head, config)
    assert [f.message for f in found if f.rule == "drop-table"] == ["Drops table users."]


# --- regressions found by running the gate on real repositories ----------------------------

_REVISION = (
    '"""init"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
    'revision = "a1"\ndown_revision = None\n\n\n'
    'def upgrade():\n    op.create_table("t", sa.Column("id", sa.Integer()))\n\n\n'
    'def downgrade():\n    op.drop_table("t")\n'
)
_DJANGO = (
    "from django.db import migrations\n\n\n"
    "class Migration(migrations.Migration):\n    operations = []\n"
)


def _history_rules(
    base: dict[str, Any], head: dict[str, Any], renames: dict[str, str]
) -> list[str]:
    ctx = context(changeset(base, head, renames=renames), {"roundtrip": "off"})
    return sorted(f.rule for f in MigrationsCheck().run(ctx) if f.rule.endswith("rewritten"))


@pytest.mark.parametrize(
    ("old", "new", "content", "expect"),
    [
        # a project moved from src/backend/ to backend/: the revision id inside is unchanged
        ("src/app/alembic/versions/a1_init.py", "app/alembic/versions/a1_init.py", _REVISION, []),
        # Django knows a migration by app folder and file name: both kept
        ("src/shop/migrations/0001_initial.py", "shop/migrations/0001_initial.py", _DJANGO, []),
        # a different file name is a different migration to Django
        (
            "shop/migrations/0001_initial.py",
            "shop/migrations/0001_first.py",
            _DJANGO,
            ["history-rewritten"],
        ),
    ],
)
def test_moving_a_merged_migration_unchanged(
    old: str, new: str, content: str, expect: list[str]
) -> None:
    assert _history_rules({old: content}, {new: content}, {old: new}) == expect


def test_moving_and_editing_a_merged_revision_rewrites_history() -> None:
    old, new = "src/alembic/versions/a1_init.py", "alembic/versions/a1_init.py"
    edited = _REVISION.replace("sa.Integer()", "sa.BigInteger()")
    assert _history_rules({old: _REVISION}, {new: edited}, {old: new}) == ["history-rewritten"]


def test_django_renames_by_keyword_name_both_sides() -> None:
    # makemigrations writes RenameField/RenameModel with old_name=/new_name= keywords
    migration = (
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.RenameField(model_name="order", old_name="sku", new_name="code"),\n'
        '        migrations.RenameField(model_name="order", old_name="qty", new_name="amount"),\n'
        '        migrations.RenameModel(old_name="Item", new_name="Product"),\n'
        "    ]\n"
    )
    findings = run_check(
        MigrationsCheck(), dict(APP), {**APP, "shop/migrations/0002_rename.py": migration}
    )
    renames = sorted(f.message for f in findings if f.rule.startswith("rename-"))
    assert renames == [
        "Renames field order.qty to amount.",
        "Renames field order.sku to code.",
        "Renames model Item to Product.",
    ]
    fingerprints = [f.fingerprint for f in findings if f.rule == "rename-column"]
    assert len(set(fingerprints)) == 2


def test_alembic_unnamed_constraints_name_their_columns() -> None:
    # autogenerate writes op.create_foreign_key(None, ...): the database picks the name
    revision = (
        '"""fks"""\nfrom alembic import op\n\nrevision = "b2"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.create_foreign_key(None, "item", "user", ["owner_id"], ["id"])\n'
        '    op.create_foreign_key(None, "item", "shop", ["shop_id"], ["id"])\n'
        '    op.create_unique_constraint(None, "item", columns=["sku", "shop_id"])\n\n\n'
        "def downgrade():\n    pass\n"
    )
    head = {**APP, "alembic/versions/b2_fks.py": revision}
    findings = run_check(MigrationsCheck(), dict(APP), head, {"roundtrip": "off"})
    locks = [f for f in findings if f.rule in ("constraint-not-valid", "unique-constraint")]
    assert sorted(f.message.split(" validates")[0].split(" builds")[0] for f in locks) == [
        "create_foreign_key (unnamed, on owner_id) on item",
        "create_foreign_key (unnamed, on shop_id) on item",
        "create_unique_constraint (unnamed, on sku, shop_id) on item",
    ]
    assert len({f.fingerprint for f in locks}) == 3


@pytest.mark.parametrize(
    ("path", "before", "after", "expect"),
    [
        # a formatter removed a blank line and changed quotes: the same syntax tree
        (
            "shop/migrations/0001_initial.py",
            _DJANGO.replace("):\n", "):\n\n"),
            _DJANGO.replace("[]", "[  ]") + "# reformatted\n",
            [],
        ),
        ("alembic/versions/a1_init.py", _REVISION, _REVISION.replace('"t"', "'t'"), []),
        # a blank line in the module docstring that repeats the revision: nothing runs it
        ("alembic/versions/a1_init.py", _REVISION, _REVISION.replace('"""init', '"""init\n'), []),
        # ...but the same edit with a changed statement still is a rewrite
        (
            "alembic/versions/a1_init.py",
            _REVISION,
            _REVISION.replace('"""init', '"""init\n').replace('"t"', '"u"'),
            ["history-rewritten"],
        ),
        # a block comment written as a bare string below the imports, moved into the
        # docstring (onyx e031576c87): a string standing alone runs nothing
        (
            "alembic/versions/a1_init.py",
            _REVISION.replace(
                "import sqlalchemy as sa\n", 'import sqlalchemy as sa\n"""Steps: one."""\n'
            ),
            _REVISION.replace('"""init', '"""init\n\nSteps: one.\n'),
            [],
        ),
        # ...but a string the upgrade hands to op.execute is what runs
        (
            "alembic/versions/a1_init.py",
            _REVISION.replace("op.create_table", 'op.execute("SELECT 1")\n    op.create_table'),
            _REVISION.replace("op.create_table", 'op.execute("SELECT 2")\n    op.create_table'),
            ["history-rewritten"],
        ),
        # an edit to what runs is still a rewrite
        (
            "alembic/versions/a1_init.py",
            _REVISION,
            _REVISION.replace('"t"', '"u"'),
            ["history-rewritten"],
        ),
        # a SQL migration is checksummed by some tools: any byte counts
        (
            "db/V1__init.sql",
            "CREATE TABLE a (id int);\n",
            "CREATE TABLE a (id int); \n",
            ["history-rewritten"],
        ),
    ],
)
def test_reformatting_a_merged_python_migration_is_not_a_rewrite(
    path: str, before: str, after: str, expect: list[str]
) -> None:
    assert _history_rules({path: before}, {path: after}, {}) == expect


def test_django_operations_on_unmanaged_models_are_not_schema_changes() -> None:
    # managed=False: another system owns the table; Django's AddField touches nothing
    initial = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        '        migrations.CreateModel(name="Ticket", fields=[], options={"managed": False}),\n'
        '        migrations.CreateModel(name="Order", fields=[]),\n'
        "    ]\n"
    )
    update = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("legacy", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField(model_name="ticket", name="owner", '
        "field=models.TextField()),\n"
        '        migrations.AddField(model_name="order", name="owner", '
        "field=models.TextField()),\n"
        "    ]\n"
    )
    base = {**APP, "legacy/migrations/0001_initial.py": initial}
    head = {**base, "legacy/migrations/0002_update.py": update}
    findings = run_check(MigrationsCheck(), base, head, {"roundtrip": "off"})
    assert [f.message for f in findings if f.rule == "add-required-column"] == [
        "Adds non-null field order.owner without a default."
    ]


def test_django_generated_fields_and_db_default_are_not_required_columns() -> None:
    migration = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("docs", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField("doc", "stored", models.GeneratedField('
        'expression=models.F("a"), output_field=models.TextField(), db_persist=True)),\n'
        '        migrations.AddField("doc", "virtual", models.GeneratedField('
        'expression=models.F("a"), output_field=models.TextField(), db_persist=False)),\n'
        '        migrations.AddField("doc", "lang", models.SlugField(db_default="simple")),\n'
        '        migrations.AddField("doc", "title", models.TextField()),\n'
        '        migrations.AddField("doc", "kind", models.CharField(blank=True, max_length=9)),\n'
        '        migrations.AddField("doc", "n", models.IntegerField(blank=True)),\n'
        "    ]\n"
    )
    head = {**APP, "docs/migrations/0002_search.py": migration}
    findings = run_check(MigrationsCheck(), dict(APP), head, {"roundtrip": "off"})
    shown = [(f.rule, f.message.split(" Brief on")[0]) for f in findings]
    assert sorted(r for r in shown if r[0] != "missing-lock-timeout") == [
        ("add-required-column", "Adds non-null field doc.n without a default."),
        ("add-required-column", "Adds non-null field doc.title without a default."),
        (
            "volatile-default",
            "Adds doc.stored as a stored generated field, computed for every row.",
        ),
    ]


def test_django_auto_now_fields_fill_existing_rows() -> None:
    # umap 0026: DateTimeField(auto_now=True) added without a default; Django's schema
    # editor gives existing rows the migration's time, so no row is left without a value
    migration = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("docs", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField("doc", "modified_at", models.DateTimeField(auto_now=True)),\n'
        '        migrations.AddField("doc", "created", models.DateField(auto_now_add=True)),\n'
        '        migrations.AddField("doc", "seen", models.DateTimeField(auto_now=False)),\n'
        '        migrations.AddField("doc", "n", models.IntegerField(auto_now=True)),\n'
        "    ]\n"
    )
    head = {**APP, "docs/migrations/0002_stamps.py": migration}
    findings = run_check(MigrationsCheck(), dict(APP), head, {"roundtrip": "off"})
    assert sorted(f.message for f in findings if f.rule == "add-required-column") == [
        "Adds non-null field doc.n without a default.",
        "Adds non-null field doc.seen without a default.",
    ]


def test_django_fields_added_to_a_model_created_in_the_same_change() -> None:
    # a new app: 0001 creates the model, 0002 adds a required field; the table is empty
    create = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    operations = [migrations.CreateModel(name="Person", fields=[])]\n'
    )
    add = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("people", "0001_initial")]\n'
        '    operations = [migrations.AddField("person", "bio", models.TextField())]\n'
    )
    files = {"people/migrations/0001_initial.py": create, "people/migrations/0002_bio.py": add}
    new_app = run_check(MigrationsCheck(), dict(APP), {**APP, **files}, {"roundtrip": "off"})
    assert [f.rule for f in new_app if f.rule == "add-required-column"] == []
    # the same field added once 0001 is merged: existing rows need a value
    merged = {**APP, "people/migrations/0001_initial.py": create}
    later = run_check(MigrationsCheck(), merged, {**APP, **files}, {"roundtrip": "off"})
    assert [f.rule for f in later if f.rule == "add-required-column"] == ["add-required-column"]


def test_history_and_exemptions_survive_broken_and_managed_siblings() -> None:
    # a merged migration edited into invalid Python is still a rewrite (and unparseable);
    # a broken sibling and a model declared managed=True exempt nothing
    broken = _DJANGO.replace("operations = []", "operations = [")
    managed = (
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    operations = [migrations.CreateModel("Ticket", [], {"managed": True})]\n'
    )
    add = (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    operations = [migrations.AddField("ticket", "owner", models.TextField())]\n'
    )
    base = {
        **APP,
        "legacy/migrations/0001_initial.py": managed,
        "legacy/migrations/0002_old.py": _DJANGO,
    }
    head = {
        **base,
        "legacy/migrations/0002_old.py": broken,
        "legacy/migrations/0003_owner.py": add,
    }
    findings = run_check(MigrationsCheck(), base, head, {"roundtrip": "off"})
    rules = sorted(f.rule for f in findings if f.rule != "missing-lock-timeout")
    assert rules == ["add-required-column", "history-rewritten", "syntax-error"]
