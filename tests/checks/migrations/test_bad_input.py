"""The issue's bad-input list: each gives a clear finding or CheckError, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding
from gatekeeper.testing import changeset, context

ALEMBIC_HEAD = 'from alembic import op\nrevision = "a1"\ndown_revision = None\n'


def _run(head: dict[str, str | bytes], config: dict[str, object] | None = None) -> list[Finding]:
    ctx = context(changeset({}, head), config or {})
    return list(MigrationsCheck().run(ctx))


def _rules(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


def test_python_migration_with_a_syntax_error() -> None:
    findings = _run({"alembic/versions/a1.py": ALEMBIC_HEAD + "def upgrade(:\n    pass\n"})
    assert "syntax-error" in _rules(findings)
    (f,) = [f for f in findings if f.rule == "syntax-error"]
    assert f.location is not None and f.location.start_line == 4
    assert "not valid Python" in f.message


def test_sql_that_no_parser_accepts() -> None:
    head = {
        "db/1_a.up.sql": "SET lock_timeout = '1s';\nALTER TABLE t FROBNICATE;",
        "db/1_a.down.sql": "SELECT 1;",
    }
    findings = _run(head, {"roundtrip": "off"})
    assert _rules(findings) == ["unreviewed-statement"]
    assert "line 2 was not reviewed" in findings[0].message
    findings = _run(head, {"roundtrip": "off", "dialect": "mysql"})
    assert _rules(findings) == ["unreviewed-statement"]


def test_down_that_fails_half_way(tmp_path: Path) -> None:
    head = {
        "db/1_a.up.sql": "CREATE TABLE a (id int);\nCREATE TABLE b (id int);",
        "db/1_a.down.sql": "DROP TABLE b;\nDROP TABLE nope;",
    }
    ctx = context(changeset({}, head), {"safety": False}, scratch=tmp_path)
    findings = list(MigrationsCheck().run(ctx))
    assert _rules(findings) == ["roundtrip-failed"]
    assert "down (line 2)" in findings[0].message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_migration_needing_an_extension_sqlite_lacks() -> None:
    head = {
        "db/1_a.up.sql": "CREATE VIRTUAL TABLE v USING vec0(e float[3]);",
        "db/1_a.down.sql": "DROP TABLE v;",
    }
    findings = _run(head, {"safety": False})
    assert _rules(findings) == ["roundtrip-not-run"]
    assert "no such module: vec0" in findings[0].message


def test_database_url_that_cannot_be_reached(tmp_path: Path) -> None:
    head = {"db/1_a.up.sql": "CREATE TABLE a (id int);", "db/1_a.down.sql": "DROP TABLE a;"}
    config = {"roundtrip": "postgres", "database_url": f"postgresql://u:pw@/x?host={tmp_path}"}
    with pytest.raises(CheckError, match="database_url cannot be reached"):
        _run(head, config)


def test_alembic_file_that_imports_the_application() -> None:
    source = ALEMBIC_HEAD + (
        "from app.models import Base\n"
        "def upgrade():\n    op.create_table('t')\n"
        "def downgrade():\n    op.drop_table('t')\n"
    )
    findings = _run({"alembic/versions/a1.py": source})
    (f,) = [f for f in findings if f.rule == "roundtrip-not-run"]
    assert "imports app.models: cannot run in isolation" in f.message


def test_alembic_file_that_imports_a_library_not_installed() -> None:
    # autogenerate writes `import sqlmodel.sql.sqltypes`; where it is not installed the
    # message must say to install it, not blame the migration for importing the app
    source = ALEMBIC_HEAD + (
        "import gatekeeper_absent_lib.types\n"
        "def upgrade():\n    op.create_table('t')\n"
        "def downgrade():\n    op.drop_table('t')\n"
    )
    findings = _run({"alembic/versions/a1.py": source})
    (f,) = [f for f in findings if f.rule == "roundtrip-not-run"]
    assert "imports gatekeeper_absent_lib.types: cannot run in isolation" in f.message
    assert "install the libraries migrations use" in f.message


def test_enormous_data_backfill_migration() -> None:
    rows = ",".join(f"({i}, 'name {i}')" for i in range(50_000))
    up = (
        "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN name text;\n"
        f"INSERT INTO users (id, name) VALUES {rows};\n"
    )
    assert len(up) > 1_000_000
    head = {"db/1_a.up.sql": up, "db/1_a.down.sql": "ALTER TABLE users DROP COLUMN name;"}
    findings = _run(head)
    assert _rules(findings) == ["backfill-in-migration", "roundtrip-not-run"]
    assert "larger than roundtrip_max_bytes" in " ".join(f.message for f in findings)


def test_migration_too_large_to_read_is_not_passed_silently() -> None:
    huge = "INSERT INTO t VALUES (1);\n" * 420_000  # over the 10 MB ChangeSet read limit
    findings = _run({"db/1_a.up.sql": huge, "db/1_a.down.sql": "DELETE FROM t;"})
    assert _rules(findings) == ["unreadable"]


def test_binary_and_undecodable_migrations() -> None:
    findings = _run({"db/1_a.up.sql": b"\xff\xfe CREATE", "db/1_a.down.sql": "SELECT 1;"})
    assert _rules(findings) == ["unreadable"]


def test_missing_optional_dependencies_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    absent = {"alembic", "psycopg"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in absent else real(name, *a)
    )
    source = ALEMBIC_HEAD + "def upgrade():\n    pass\ndef downgrade():\n    op.drop_table('t')\n"
    findings = _run({"alembic/versions/a1.py": source})
    assert [f.message for f in findings if f.rule == "roundtrip-not-run"] == [
        "Roundtrip of alembic/versions/a1.py on sqlite not run: needs alembic: "
        "pip install 'dod-gatekeeper[migrations]'"
    ]
    head = {"db/1_a.up.sql": "CREATE TABLE a (id int);", "db/1_a.down.sql": "DROP TABLE a;"}
    with pytest.raises(
        CheckError, match=r"needs psycopg: pip install 'dod-gatekeeper\[migrations\]'"
    ):
        _run(head, {"roundtrip": "postgres"})
