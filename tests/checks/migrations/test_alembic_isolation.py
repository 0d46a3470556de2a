"""Alembic revisions run in a child process: no tokens, no stdout, a time limit."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from gatekeeper.checks.migrations import MigrationsCheck, alembic_child
from gatekeeper.checks.migrations.alembic_run import Revision
from gatekeeper.testing import changeset, context

HEADER = (
    "import os, sys, time\nimport sqlalchemy as sa\nfrom alembic import op\n"
    "revision = 'a1'\ndown_revision = None\n"
)
CREATE = "    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n"


def _check(source: str, timeout: float = 300.0) -> list[tuple[str, str]]:
    ctx = context(
        changeset({}, {"alembic/versions/a1.py": source}), {"safety": False}, timeout=timeout
    )
    return [(f.rule, f.message) for f in MigrationsCheck().run(ctx)]


def test_child_sees_no_secrets_and_its_prints_do_not_corrupt_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_secret")
    source = HEADER + (
        "def upgrade():\n"
        "    print('noise on stdout')\n"
        "    if 'GITHUB_TOKEN' in os.environ:\n"
        "        raise RuntimeError('token leaked')\n"
        + CREATE
        + "def downgrade():\n    op.drop_table('t')\n"
    )
    assert _check(source) == []


def test_a_hanging_revision_is_stopped_at_the_time_limit() -> None:
    source = HEADER + "def upgrade():\n    time.sleep(60)\ndef downgrade():\n    pass\n"
    (found,) = [f for f in _check(source, timeout=3.0) if f[0] == "roundtrip-not-run"]
    assert "did not finish within the time limit" in found[1]


def test_a_revision_that_exits_the_process_is_reported() -> None:
    source = HEADER + "def upgrade():\n    os._exit(3)\ndef downgrade():\n    op.drop_table('t')\n"
    (found,) = [f for f in _check(source) if f[0] == "roundtrip-not-run"]
    assert "the round-trip runner stopped" in found[1]


def _job(
    tmp_path: Path, source: str, action: str = "up", db: dict[str, str] | None = None
) -> dict[str, object]:
    rev = Revision("versions/a1.py", source, new=True, provable=True)
    if db is None:
        sqlite3.connect(tmp_path / "db.sqlite3").close()
    return {
        "db": db or {"engine": "sqlite", "path": str(tmp_path / "db.sqlite3")},
        "result": str(tmp_path / "result.json"),
        "revisions": [rev.__dict__],
        "step": {"action": action, "paths": ["versions/a1.py"]},
    }


def test_child_main_does_one_step_and_reports_only_failures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = HEADER + "def upgrade():\n" + CREATE + "def downgrade():\n    op.drop_table('x')\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(_job(tmp_path, source))))
    assert alembic_child.main() == 0
    report = json.loads((tmp_path / "result.json").read_text())
    assert report == {"error": None, "unloadable": "", "info": {}}
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:  # the step ran on the gate's file
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]
    error, _ = alembic_child.run(_job(tmp_path, source, "down"))
    assert error is not None and not error.unsupported and "no such table: x" in str(error)


def test_child_reports_unloadable_and_unopenable(tmp_path: Path) -> None:
    broken = HEADER + "def upgrade(:\n"
    error, unloadable = alembic_child.run(_job(tmp_path, broken))
    assert error is None and "invalid syntax" in unloadable
    no_upgrade = HEADER + "X = 1\n"
    assert alembic_child.run(_job(tmp_path, no_upgrade)) == (
        None,
        "versions/a1.py has no upgrade()",
    )
    fine = HEADER + "def upgrade():\n" + CREATE
    error, _ = alembic_child.run(_job(tmp_path, fine, "down"))
    assert error is not None and str(error) == "versions/a1.py has no downgrade()"
    bad_db = {"engine": "postgres", "conninfo": f"host={tmp_path} port=1 dbname=x"}
    error, _ = alembic_child.run(_job(tmp_path, fine, db=bad_db))
    assert error is not None and error.unsupported and "connect" in str(error)
