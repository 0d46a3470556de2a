"""Django's ``AlterIndexTogether``/``AlterUniqueTogether`` read as the index builds they run
(djtogether.py), and a model the merged migrations index many ways treated as large."""

from __future__ import annotations

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding, Level
from gatekeeper.testing import run_check

APP = {"app/models.py": "# code\n"}
HEADER = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
CREATE = HEADER + (
    "    operations = [\n"
    '        migrations.CreateModel(name="Translation", fields=[\n'
    '            ("id", models.AutoField(primary_key=True)),\n'
    '            ("locale", models.IntegerField()),\n'
    '            ("date", models.DateTimeField()),\n'
    '            ("approved_date", models.DateTimeField(null=True)),\n'
    "        ]),\n"
    "    ]\n"
)
INDEX = 'models.Index(fields=["date", "locale"], name="i%d")'
TWO = '{("locale", "date"), ("date", "locale")}'


def _together(option: str, value: str, number: str = "0002") -> dict[str, str]:
    op = "AlterIndexTogether" if option == "index_together" else "AlterUniqueTogether"
    body = HEADER + (
        f'    dependencies = [("base", "0001_initial")]\n'
        f'    operations = [migrations.{op}(name="translation", {option}={value})]\n'
    )
    return {f"base/migrations/{number}_together.py": body}


def _run(base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    merged = {**APP, "base/migrations/0001_initial.py": CREATE, **base}
    found = run_check(MigrationsCheck(), merged, {**merged, **head}, {"roundtrip": "off"})
    return [f for f in found if f.rule in ("index-not-concurrent", "unique-constraint")]


def test_each_tuple_alter_index_together_adds_is_an_index_build() -> None:
    merged = _together("index_together", '{("locale", "date")}', "0002")
    found = _run(merged, _together("index_together", TWO, "0003"))
    assert [f.rule for f in found] == ["index-not-concurrent"]
    assert "adds an index on (date, locale)" in found[0].message
    # a small table by every sign: a warning that says what would make it block
    assert found[0].level is Level.WARNING


def test_alter_unique_together_adds_a_unique_index() -> None:
    found = _run({}, _together("unique_together", '(("locale", "date"),)'))
    assert [(f.rule, f.level) for f in found] == [("unique-constraint", Level.WARNING)]


def test_tuples_kept_or_removed_build_nothing() -> None:
    merged = _together("index_together", TWO, "0002")
    kept = _together("index_together", '[["date", "locale"]]', "0003")
    assert _run(merged, kept) == []


def test_a_model_created_by_the_same_change_is_empty() -> None:
    head = {"base/migrations/0001_initial.py": CREATE, **_together("index_together", TWO)}
    found = run_check(MigrationsCheck(), dict(APP), {**APP, **head}, {"roundtrip": "off"})
    assert [f for f in found if f.rule == "index-not-concurrent"] == []


def test_a_model_indexed_many_ways_is_treated_as_large() -> None:
    five = (
        '{("locale", "id"), ("date", "id"), ("date", "locale"), ("locale", "date"), ("id", "date")}'
    )
    six = five[:-1] + ', ("approved_date", "locale")}'
    found = _run(
        _together("index_together", five, "0002"), _together("index_together", six, "0003")
    )
    assert [(f.rule, f.level) for f in found] == [("index-not-concurrent", Level.ERROR)]
    assert (
        "the merged migrations declare 5 indexes on more than one of its columns"
        in found[0].message
    )


def test_four_indexes_are_not_many() -> None:
    # single-column tuples do not count: any table gets those with its columns
    four = (
        '{("locale",), ("date",), ("id",), '
        '("date", "locale"), ("locale", "date"), ("id", "date"), ("id", "locale")}'
    )
    five = four[:-1] + ', ("approved_date", "locale")}'
    found = _run(
        _together("index_together", four, "0002"), _together("index_together", five, "0003")
    )
    assert [(f.rule, f.level) for f in found] == [("index-not-concurrent", Level.WARNING)]


def test_named_indexes_count_and_removed_ones_do_not() -> None:
    add = (
        HEADER
        + "    operations = [\n"
        + "".join(f'        migrations.AddIndex("translation", {INDEX % n}),\n' for n in range(5))
        + '        migrations.RemoveIndex("translation", "i4"),\n    ]\n'
    )
    merged = {"base/migrations/0002_ix.py": add}
    found = _run(merged, _together("index_together", '{("locale", "date")}', "0003"))
    assert [f.level for f in found] == [Level.WARNING]  # 4 left: not many
    more = add.replace('        migrations.RemoveIndex("translation", "i4"),\n', "")
    found = _run({"base/migrations/0002_ix.py": more}, _together("index_together", TWO, "0003"))
    assert {f.level for f in found} == {Level.ERROR}


def test_not_on_mysql() -> None:
    merged = {**APP, "base/migrations/0001_initial.py": CREATE}
    head = {**merged, **_together("index_together", TWO)}
    config = {"roundtrip": "off", "dialect": "mysql"}
    found = run_check(MigrationsCheck(), merged, head, config)
    assert [f for f in found if f.rule == "index-not-concurrent"] == []
