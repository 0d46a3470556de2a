"""The migrations check on real git repositories: through the ChangeSet built from git,
and end to end through ``gatekeeper run``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding
from gatekeeper.report.escape import md_blocks
from gatekeeper.testing import context
from tests.conftest import GitRepo

A1 = """import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))


def downgrade():
    op.drop_table("users")
"""

B2 = """import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(80)))
    op.create_index("ix_users_email", "users", ["email", "id"])


def downgrade():
    op.drop_column("users", "email")
"""


def test_alembic_revision_from_git(git_repo: GitRepo) -> None:
    base = git_repo.commit({"alembic/versions/a1_users.py": A1, "app/models.py": "email\n"})
    head = git_repo.commit({"alembic/versions/b2_email.py": B2})
    with changeset_from_git(git_repo.root, base, head) as changes:
        ctx = context(changes, {})
        check = MigrationsCheck()
        assert check.applies(ctx)
        found = list(check.run(ctx))
    assert sorted((f.rule, f.location.start_line if f.location else None) for f in found) == [
        ("down-incomplete", 10),
        ("index-not-concurrent", 10),
        ("roundtrip-failed", 14),  # the down's drop_column, where SQLite fails
    ]
    (incomplete,) = [f for f in found if f.rule == "down-incomplete"]
    assert "create_index ix_users_email" in incomplete.message
    assert ctx.summary == "1 migration changed (1 alembic); roundtrip on sqlite: 1 failed"
    assert md_blocks(ctx.details) == (
        "| migration | framework | down | roundtrip | safety findings |\n"
        "|---|---|---|---|---:|\n"
        "| `alembic/versions/b2_email.py` | alembic | incomplete | **failed** | 1 |"
    )


def test_untouched_migrations_do_not_apply(git_repo: GitRepo) -> None:
    base = git_repo.commit({"alembic/versions/a1_users.py": A1})
    head = git_repo.commit({"README.md": "docs\n"})
    with changeset_from_git(git_repo.root, base, head) as changes:
        assert not MigrationsCheck().applies(context(changes, {}))


def test_gatekeeper_run_blocks_a_down_that_does_not_restore(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    base = git_repo.commit(
        {"db/1_init.up.sql": "CREATE TABLE t (id int);\n", "db/1_init.down.sql": "DROP TABLE t;\n"}
    )
    head = git_repo.commit(
        {
            "db/2_note.up.sql": "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN note text;\n",
            "db/2_note.down.sql": "SELECT 1;\n",
        }
    )
    policy = tmp_path / "policy.yml"
    args = [sys.executable, "-m", "gatekeeper", "run", "--repo", str(git_repo.root)]
    args += ["--base", base, "--head", head, "--policy", str(policy), "-j", "1"]
    policy.write_text("version: 1\nextends: []\nchecks:\n  migrations: {}\n")
    # the CLI in a child process must import this tree's package, not an installed one
    src = str(Path(__file__).resolve().parents[3] / "src")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (src, os.environ.get("PYTHONPATH")))),
    }
    blocked = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "migrations/roundtrip-failed" in blocked.stdout
    assert "missing column t.note" not in blocked.stdout
    # SQLite fails it, and (where PostgreSQL is installed) PostgreSQL, which then judges
    assert "unexpected column " in blocked.stdout and "t.note text NULL" in blocked.stdout
    policy.write_text("version: 1\nextends: []\nchecks:\n  migrations: {roundtrip: 'off'}\n")
    met = subprocess.run(args, capture_output=True, text=True, check=False, env=env)
    assert met.returncode == 0, met.stdout + met.stderr


def _history(repo: GitRepo, base: str, head: str, config: dict[str, str]) -> list[Finding]:
    with changeset_from_git(repo.root, base, head) as changes:
        ctx = context(changes, {"roundtrip": "off", "safety": False, **config})
        return [f for f in MigrationsCheck().run(ctx) if f.rule == "history-rewritten"]


def test_editing_a_released_migration_blocks_an_unreleased_one_warns(git_repo: GitRepo) -> None:
    from gatekeeper.model import Level

    init = {"db/1_a.up.sql": "CREATE TABLE a (id int);\n", "db/1_a.down.sql": "DROP TABLE a;\n"}
    git_repo.commit(init)
    git_repo.git("tag", "v1.0.0")
    base = git_repo.commit(
        {"db/2_b.up.sql": "CREATE TABLE b (id int);\n", "db/2_b.down.sql": "DROP TABLE b;\n"}
    )
    head = git_repo.commit(
        {
            "db/1_a.up.sql": "CREATE TABLE a (id bigint);\n",
            "db/2_b.up.sql": "CREATE TABLE b (id bigint);\n",
        }
    )
    found = {f.location.path: f for f in _history(git_repo, base, head, {}) if f.location}
    assert found["db/1_a.up.sql"].level is Level.ERROR  # in v1.0.0: databases ran it
    assert found["db/2_b.up.sql"].level is Level.WARNING  # merged since v1.0.0 only
    assert "newest release (v1.0.0)" in found["db/2_b.up.sql"].message
    # history: merged counts every merged migration, as without tags
    strict = _history(git_repo, base, head, {"history": "merged"})
    assert {f.level for f in strict} == {Level.ERROR}
