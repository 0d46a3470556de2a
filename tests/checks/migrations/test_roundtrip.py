"""The roundtrip's own guarantees: the scratch database is discarded, steps are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.checks.migrations.catalog import Catalog, describe
from gatekeeper.testing import changeset, context

HALF_WAY = {
    "db/1_init.up.sql": "CREATE TABLE a (id integer);\nCREATE TABLE b (id integer);",
    "db/1_init.down.sql": "DROP TABLE b;\nDROP TABLE nope;\nDROP TABLE a;",
}


def test_down_failing_half_way_discards_the_scratch_database(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    (tmp_path / "keep.txt").write_text("untouched")
    config = {"safety": False, "roundtrip": "sqlite"}
    ctx = context(changeset({}, HALF_WAY, root=tmp_path), config, scratch=scratch)
    findings = list(MigrationsCheck().run(ctx))
    assert [f.rule for f in findings] == ["roundtrip-failed"]
    assert "down (line 2) failed on sqlite: no such table: nope" in findings[0].message
    leftovers = [p for p in scratch.rglob("*") if p.is_file()]
    assert leftovers == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt", "scratch"]


def test_findings_are_deterministic(tmp_path: Path) -> None:
    runs = []
    for i in range(2):
        scratch = tmp_path / str(i)
        scratch.mkdir()
        ctx = context(changeset({}, HALF_WAY), {}, scratch=scratch)
        runs.append([(f.rule, f.message, f.fingerprint) for f in MigrationsCheck().run(ctx)])
    assert runs[0] == runs[1]


def test_catalog_difference_names_both_sides() -> None:
    before = Catalog(frozenset({("table", "a"), ("column", "a", "id", "int", "null", "")}))
    after = Catalog(frozenset({("table", "a"), ("column", "a", "id", "int", "not null", "0")}))
    assert before.difference(before) == ""
    text = before.difference(after)
    assert text == "missing column a.id int NULL; unexpected column a.id int NOT NULL default 0"
    many = Catalog(frozenset(("table", f"t{i}") for i in range(12)))
    assert many.difference(Catalog(frozenset())).endswith("(and 4 more)")
    assert describe(("index", "a", "(x)")) == "index a (x)"


@pytest.mark.parametrize(
    ("lint", "message"),
    [
        ({"rules": ["XX99"]}, "sqlfluff has no rule XX99; fix checks.migrations.lint"),
        ({"dialect": "nosuch"}, "sqlfluff has no dialect 'nosuch'"),
    ],
)
def test_bad_lint_settings_fail_closed(lint: dict[str, object], message: str) -> None:
    head = {"db/1_a.up.sql": "select 1;\n", "db/1_a.down.sql": "select 1;\n"}
    ctx = context(changeset({}, head), {"roundtrip": "off", "lint": lint})
    with pytest.raises(CheckError, match=message):
        list(MigrationsCheck().run(ctx))


def test_attach_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "outside.db"
    head = {
        "db/1_x.up.sql": f"ATTACH DATABASE '{target}' AS o;\nCREATE TABLE o.t (a int);",
        "db/1_x.down.sql": "DROP TABLE o.t;",
    }
    (finding,) = MigrationsCheck().run(context(changeset({}, head), {"safety": False}))
    assert finding.rule == "roundtrip-not-run"
    assert "would write outside the scratch database" in finding.message
    assert not target.exists()


def test_problems_an_edited_migration_already_had_are_marked_pre_existing() -> None:
    # the folder has a down elsewhere: it is not forward-only, so 1_a's lack of one counts
    done = {"db/0_init.up.sql": "CREATE TABLE z (id int);", "db/0_init.down.sql": "DROP TABLE z;"}
    base = {**done, "db/1_a.up.sql": "CREATE TABLE a (id int);"}
    head = {**done, "db/1_a.up.sql": "CREATE TABLE a (id bigint);"}
    ctx = context(changeset(base, head), {"roundtrip": "off"})
    found = {f.rule: f for f in MigrationsCheck().run(ctx)}
    assert sorted(found) == ["history-rewritten", "missing-down"]
    assert ctx.existing_at_base == {found["missing-down"].fingerprint: 1}


def test_a_runaway_sqlite_statement_stops_at_the_time_limit() -> None:
    endless = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n;"
    )
    head = {"db/1_x.up.sql": endless, "db/1_x.down.sql": "SELECT 1;"}
    ctx = context(changeset({}, head), {"safety": False}, timeout=2.0)
    (finding,) = MigrationsCheck().run(ctx)
    assert finding.rule == "roundtrip-not-run"
    assert "stopped at the check's time limit" in finding.message
