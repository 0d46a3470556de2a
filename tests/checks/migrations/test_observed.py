"""The round trip through children is judged by the gate's snapshots: grouped revisions,
a runner that says nothing, a step the runner says it could not run, a scratch file
swapped for a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.checks.migrations import (
    MigrationsCheck,
    alembic_project,
    alembic_run,
    django_child,
    django_run,
    engines,
    roundtrip,
)
from gatekeeper.checks.migrations.catalog import Catalog, EngineError
from gatekeeper.checks.migrations.sqlite import SqliteDatabase
from gatekeeper.model import Finding
from gatekeeper.testing import changeset, context


def _revision(i: int, down: str | None = None) -> str:
    parent = repr(f"r{i - 1}") if i else "None"
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n"
        f"revision = 'r{i}'\ndown_revision = {parent}\n"
        f"def upgrade():\n    op.create_table('t{i}', sa.Column('id', sa.Integer))\n"
        f"def downgrade():\n    {down or f'op.drop_table({chr(39)}t{i}{chr(39)})'}\n"
    )


def _findings(files: dict[str, str], base: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in _run(files, base)]


def _run(files: dict[str, str], base: dict[str, str] | None = None) -> list[Finding]:
    ctx = context(changeset(base or {}, files), {"safety": False})
    return list(MigrationsCheck().run(ctx))


def _where(finding: Finding) -> tuple[str, int | None]:
    assert finding.location is not None
    return finding.location.path, finding.location.start_line


def test_many_new_revisions_are_proven_together() -> None:
    count = alembic_run.GROUP_ABOVE + 1
    files = {f"alembic/versions/r{i}.py": _revision(i) for i in range(count)}
    assert _findings(files) == []
    # the fourth one's down forgets its table: the group's down does not restore the
    # schema, and the finding names that revision, not the group's first
    files["alembic/versions/r3.py"] = _revision(3, "for _ in ():\n        op.drop_table('t3')")
    found = _run(files)
    assert found[0].rule == "roundtrip-failed"
    assert _where(found[0]) == ("alembic/versions/r3.py", None)
    assert "r3.py on sqlite: after up then down the schema differs: unexpected" in found[0].message
    assert "table t3" in found[0].message
    # the ones before it are proven; the one after it is not run
    rest = [(f.rule, _where(f)[0], f.message) for f in found[1:]]
    assert [(rule, path) for rule, path, _ in rest] == [
        ("roundtrip-not-run", "alembic/versions/r4.py")
    ]
    assert "r3.py before it did not roundtrip" in rest[0][2]


def test_a_grouped_revision_whose_down_breaks_is_named_with_its_line() -> None:
    count = alembic_run.GROUP_ABOVE + 2
    files = {f"alembic/versions/r{i}.py": _revision(i) for i in range(count)}
    files["alembic/versions/r4.py"] = _revision(4, "op.drop_table('nope')")
    (failed,) = [f for f in _run(files) if f.rule == "roundtrip-failed"]
    assert _where(failed) == ("alembic/versions/r4.py", 8)
    assert "down (line 8) failed on sqlite: no such table: nope" in failed.message


def test_few_new_revisions_are_proven_one_by_one() -> None:
    base = {"alembic/versions/r0.py": _revision(0)}
    files = {**base, "alembic/versions/r1.py": _revision(1), "alembic/versions/r2.py":
             _revision(2, "for _ in ():\n        op.drop_table('t2')")}  # fmt: skip
    found = _findings(files, base)
    assert [rule for rule, _ in found] == ["roundtrip-failed"]
    assert "r2.py on sqlite: after up then down the schema differs: unexpected" in found[0][1]


class _Db:
    """A database whose schema is what the test says it is."""

    engine = "sqlite"

    def __init__(self) -> None:
        self.facts: frozenset[tuple[str, ...]] = frozenset()

    def snapshot(self) -> Catalog:
        return Catalog(self.facts)

    def discard(self) -> None:
        pass


def _unit(db: _Db, down_raises: EngineError | None, down_restores: bool) -> roundtrip.Unit:
    def up(_: object) -> None:
        db.facts = frozenset({("table", "t")})

    def down(_: object) -> None:
        if down_restores:
            db.facts = frozenset()
        if down_raises is not None:
            raise down_raises

    return roundtrip.Unit("m.py", up, down)


def test_a_down_its_runner_calls_unrunnable_fails_when_the_schema_is_not_back() -> None:
    db = _Db()
    said = roundtrip.Unproven("the round-trip runner stopped: exit 0")
    (problem,) = roundtrip.run(lambda: db, [], [_unit(db, said, down_restores=False)])
    assert problem.failed
    assert problem.message == (
        "after up then down the schema differs: unexpected table t (its runner: the "
        "round-trip runner stopped: exit 0)"
    )
    # the schema is back: what the runner said stands (the step is "not run")
    db = _Db()
    (problem,) = roundtrip.run(lambda: db, [], [_unit(db, said, down_restores=True)])
    assert not problem.failed and "down cannot run on sqlite" in problem.message
    # a failure the runner reports is taken as it is
    db = _Db()
    failed = EngineError("boom", line=3)
    (problem,) = roundtrip.run(lambda: db, [], [_unit(db, failed, down_restores=True)])
    assert problem.failed and problem.message == "down (line 3) failed on sqlite: boom"


def test_a_shared_scratch_file_is_read_afresh_and_never_through_a_link(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "db", shared=True)
    try:
        assert db.snapshot().facts == frozenset()
        other = SqliteDatabase(tmp_path / "other")
        other.execute([("CREATE TABLE swapped (id integer)", 1)])
        # a file replaced under the gate: the new one is read, not the one opened first
        os.replace(other.path, db.path)
        assert ("table", "swapped") in db.snapshot().facts
        db.path.unlink()
        os.symlink(tmp_path / "elsewhere.sqlite3", db.path)
        with pytest.raises(EngineError, match="no longer a regular file"):
            db.snapshot()
    finally:
        db.discard()


def test_what_a_django_migration_surely_changes() -> None:
    source = (
        "from django.db import migrations, models\n"
        "class Migration(migrations.Migration):\n"
        "    operations = [\n"
        "        migrations.CreateModel('Legacy', fields=[], options={'managed': False}),\n"
        "        migrations.RunSQL('SELECT 1'),\n"
        "        migrations.CreateModel('Item', fields=[]),\n"
        "    ]\n"
    )
    said = "m.py calls migrations.CreateModel (line 6)"
    assert django_run.sure_change("m.py", source) == said
    # an unmanaged (or proxy) model makes no table; SQL says nothing sure; nor does bad input
    unmanaged = source.replace("        migrations.CreateModel('Item', fields=[]),\n", "")
    assert django_run.sure_change("m.py", unmanaged) == ""
    assert django_run.sure_change("m.py", "class Migration(:\n") == ""


def test_a_childs_connection_parameters_come_from_the_database_itself(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    pg = engines.attach(
        {"engine": "postgres", "conninfo": "host=/run/gk port=5433 user=gk dbname=gk_scratch_1"}
    )
    want = {"host": "/run/gk", "port": "5433", "user": "gk", "password": "",
            "database": "gk_scratch_1"}  # fmt: skip
    assert pg.params() == want
    # Django's settings, its URL and the policy's {placeholders} all come from params()
    entry, url = django_child.database_settings(pg)
    assert (entry["HOST"], entry["PORT"], entry["NAME"]) == ("/run/gk", "5433", "gk_scratch_1")
    assert url == "postgres://gk@/gk_scratch_1?host=/run/gk"
    assert "host=/run/gk" in pg.sqlalchemy_url() and "/gk_scratch_1?" in pg.sqlalchemy_url()
    rendered = alembic_project.render("{host}:{port}/{database}", url, pg.params())
    assert rendered == "/run/gk:5433/gk_scratch_1"
    lite = engines.attach({"engine": "sqlite", "path": str(tmp_path / "s.sqlite3")})
    entry, url = django_child.database_settings(lite)
    assert entry["NAME"] == lite.params()["database"] == str(tmp_path / "s.sqlite3")
    assert url == lite.sqlalchemy_url() == f"sqlite:///{tmp_path / 's.sqlite3'}"
