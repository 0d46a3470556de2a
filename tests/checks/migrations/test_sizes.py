"""Lock findings weighed by the table's size, end to end through ``gatekeeper run``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import GitRepo

BASE = {
    "db/1_init.up.sql": "CREATE TABLE orders (id int, user_id int);\n",
    "db/1_init.down.sql": "DROP TABLE orders;\n",
}
HEAD = {
    "db/2_ix.up.sql": "SET lock_timeout = '1s';\nCREATE INDEX ix_user ON orders (user_id);\n",
    "db/2_ix.down.sql": "DROP INDEX ix_user;\n",
}


def _run(repo: GitRepo, base: str, head: str, policy: Path) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "gatekeeper", "run", "--repo", str(repo.root), "-j", "1"]
    args += ["--base", base, "--head", head, "--policy", str(policy), "--no-color"]
    # the CLI in a child process must import this tree's package, not an installed one
    src = str(Path(__file__).resolve().parents[3] / "src")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (src, os.environ.get("PYTHONPATH")))),
    }
    return subprocess.run(args, capture_output=True, text=True, check=False, env=env)


def test_an_index_blocks_only_on_a_table_the_policy_calls_large(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    base = git_repo.commit(BASE)
    head = git_repo.commit(HEAD)
    policy = tmp_path / "policy.yml"
    only = "version: 1\nextends: []\nchecks:\n  migrations: {roundtrip: 'off'%s}\n"
    # nothing says orders is large, and its name does not: a warning that says how to block
    policy.write_text(only % "")
    warned = _run(git_repo, base, head, policy)
    assert warned.returncode == 0, warned.stdout + warned.stderr
    assert "migrations/index-not-concurrent" in warned.stdout
    assert "checks.migrations.large_tables" in warned.stdout
    # the policy names it: the same index blocks
    policy.write_text(only % ", large_tables: [orders]")
    blocked = _run(git_repo, base, head, policy)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "orders is listed in checks.migrations.large_tables" in blocked.stdout
