"""The summary line and the per-migration table shown under the check."""

from __future__ import annotations

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.report.escape import md_blocks
from gatekeeper.testing import changeset, context

SQL = "SET lock_timeout = '1s';\n"


def test_table_states_every_kind_of_outcome() -> None:
    base = {"db/0_old.up.sql": "CREATE TABLE o (a int);", "db/0_old.down.sql": "DROP TABLE o;"}
    head = {
        "db/1_ok.up.sql": SQL + "CREATE TABLE a (id int);",
        "db/1_ok.down.sql": "DROP TABLE a;",
        "db/2_nodown.up.sql": SQL + "CREATE TABLE b (id int);",
        "db/3_pg.up.sql": SQL + "CREATE TABLE c (id int);\nCREATE INDEX CONCURRENTLY i ON c (id);",
        "db/3_pg.down.sql": "DROP TABLE c;",
        "app/migrations/0002_x.py": (
            "from django.db import migrations\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.RemoveField('order', 'legacy')]\n"
        ),
    }
    ctx = context(changeset(base, head), {"roundtrip": "sqlite"})
    list(MigrationsCheck().run(ctx))
    assert ctx.summary == (
        "5 migrations changed (1 django, 4 golang-migrate); roundtrip on sqlite: "
        "1 deleted, 2 not run, 1 proven on sqlite, 1 up only"
    )
    rows = md_blocks(ctx.details).splitlines()[2:]
    assert rows == [
        "| `app/migrations/0002_x.py` | django | present | not run | 0 |",
        "| `db/0_old.up.sql` | golang-migrate | present | deleted | 0 |",
        "| `db/1_ok.up.sql` | golang-migrate | present | proven on sqlite | 0 |",
        "| `db/2_nodown.up.sql` | golang-migrate | missing | up only (no down to prove) | 0 |",
        "| `db/3_pg.up.sql` | golang-migrate | present | not run | 1 |",
    ]


def test_roundtrip_off_is_said() -> None:
    head = {"db/1_ok.up.sql": "CREATE TABLE a (id int);", "db/1_ok.down.sql": "DROP TABLE a;"}
    ctx = context(changeset({}, head), {"roundtrip": "off"})
    list(MigrationsCheck().run(ctx))
    assert ctx.summary == "1 migration changed (1 golang-migrate)"
    assert "| off |" in md_blocks(ctx.details)


def test_every_rule_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "migrations.md").read_text("utf-8")
    missing = [rule for rule in MigrationsCheck.rules if f"| `{rule}` |" not in doc]
    assert missing == []


def test_django_alterfield_is_only_a_warning() -> None:
    from gatekeeper.model import Level

    head = {
        "shop/migrations/0002_x.py": (
            "from django.db import migrations, models\n"
            "class Migration(migrations.Migration):\n"
            "    operations = [migrations.AlterField('order', 'note', models.TextField())]\n"
        )
    }
    ctx = context(changeset({}, head), {"django": {"mode": "off"}})
    (finding,) = MigrationsCheck().run(ctx)
    assert (finding.rule, finding.level) == ("change-column-type", Level.WARNING)
    assert "| off |" in md_blocks(ctx.details)
