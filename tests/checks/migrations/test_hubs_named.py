"""A hub named for events or activity (tables.py, hubs.py): ten other tables pointing at it
make it an entity, not a table presumed large by its name; logs and audits stay large.
Each case is a real two-commit repository."""

from __future__ import annotations

from typing import Any

from gatekeeper.model import Level
from tests.checks.migrations.runs import errors, findings


def _sql(table: str, referrers: int) -> dict[str, str]:
    files = {"db/001_init.up.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, slug text);"}
    for i in range(referrers):
        files[f"db/1{i:02d}_t.up.sql"] = (
            f"CREATE TABLE t{i} (id int, owner_id int REFERENCES {table} (id));"
        )
    return files


def _sql_head(table: str) -> dict[str, str]:
    return {
        "db/900_ix.up.sql": f"SET lock_timeout = '2s';\nCREATE INDEX ix_x ON {table} (slug);",
        "db/900_ix.down.sql": "DROP INDEX ix_x;",
    }


def test_an_events_table_ten_others_reference_is_an_entity(git_repo: Any) -> None:
    base = _sql("events", 10)
    found = findings(git_repo, base, {**base, **_sql_head("events")}, roundtrip="off")
    assert errors(found) == []
    (warned,) = [f for f in found if f.rule == "index-not-concurrent"]
    assert warned.level is Level.WARNING
    assert "10 other tables reference it" in warned.message


def test_an_events_table_nine_reference_is_presumed_large(git_repo: Any) -> None:
    base = _sql("events", 9)
    found = findings(git_repo, base, {**base, **_sql_head("events")}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


def test_an_event_log_hub_is_still_a_log(git_repo: Any) -> None:
    # a word beside the event says it is a record of traffic: the hub relieves nothing
    base = _sql("event_logs", 10)
    found = findings(git_repo, base, {**base, **_sql_head("event_logs")}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]


DJANGO = (
    "from django.db import migrations, models\n\n\n"
    "class Migration(migrations.Migration):\n"
    "    dependencies = []\n"
    "    operations = [\n{ops}    ]\n"
)
EVENT = (
    "        migrations.CreateModel(\n            name='Event',\n            fields=[\n"
    "                ('id', models.AutoField(primary_key=True)),\n"
    "                ('slug', models.CharField(max_length=50)),\n            ],\n        ),\n"
)


def _django(referring_apps: int) -> dict[str, str]:
    """An ``event`` app whose Event model the models of ``referring_apps`` other apps
    point at, each in its own app's migrations."""
    files = {"src/conf/event/migrations/0001_initial.py": DJANGO.format(ops=EVENT)}
    for i in range(referring_apps):
        op = (
            f"        migrations.CreateModel(\n            name='Thing{i}',\n"
            "            fields=[\n                ('id', models.AutoField(primary_key=True)),\n"
            "                ('event', models.ForeignKey(on_delete=models.CASCADE, "
            "to='event.event')),\n            ],\n        ),\n"
        )
        files[f"src/conf/app{i}/migrations/0001_initial.py"] = DJANGO.format(ops=op)
    return files


DJANGO_HEAD = {
    "src/conf/event/migrations/0002_slug_idx.py": DJANGO.format(
        ops="        migrations.AddIndex(\n            model_name='event',\n"
        "            index=models.Index(fields=['slug'], name='event_slug_idx'),\n        ),\n"
    )
}


def test_a_django_model_the_other_apps_point_at_is_an_entity(git_repo: Any) -> None:
    # pretalx caa8000e8a: the conference Event, referenced from every other app
    base = _django(10)
    found = findings(git_repo, base, {**base, **DJANGO_HEAD}, roundtrip="off")
    assert errors(found) == []
    (warned,) = [f for f in found if f.rule == "index-not-concurrent"]
    assert "other tables reference it" in warned.message


def test_a_django_event_few_apps_point_at_is_presumed_large(git_repo: Any) -> None:
    base = _django(3)
    found = findings(git_repo, base, {**base, **DJANGO_HEAD}, roundtrip="off")
    assert errors(found) == ["index-not-concurrent"]
