"""The CLI with a central policy: ``--policy-repo OWNER/REPO=PATH`` and ``policy show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from gatekeeper.cli import cli
from tests.conftest import GitRepo
from tests.policy.central import REPO, V3, Central, make_central


@pytest.fixture
def central(tmp_path: Path) -> Central:
    return make_central(tmp_path / "policies")


def _project(repo: GitRepo, policy: str) -> None:
    repo.commit({".github/gatekeeper.yml": policy, "README.md": "a\n"}, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"src/app.py": "x = 1\n"}, "code without tests")


def _invoke(repo: GitRepo, *args: str) -> tuple[int, str]:
    """The exit code, and stdout (with stderr when the command failed)."""
    result = CliRunner().invoke(cli, [*args, "--repo", str(repo.root), "--base", "main"])
    return result.exit_code, result.stdout if result.exit_code in (0, 1) else result.output


def test_run_reads_the_central_policy_from_the_clone(git_repo: GitRepo, central: Central) -> None:
    _project(git_repo, f'version: 1\nextends: ["{V3}"]\n')
    code, out = _invoke(
        git_repo, "run", "--policy-repo", f"{REPO}={central.root}", "--format", "json"
    )
    assert code == 1, out
    report = json.loads(out)
    blocking = [
        f["rule"] for o in report["outcomes"] for f in o["findings"] if f["severity"] == "block"
    ]
    assert "cochange/missing-cochange" in blocking
    assert f"Central policy {V3} was read at commit {central.v3} (tag v3)." in report["notes"]


def test_run_without_the_clone_fails_closed_and_says_what_to_pass(
    git_repo: GitRepo, central: Central
) -> None:
    _project(git_repo, f'version: 1\nextends: ["{V3}"]\n')
    code, out = _invoke(git_repo, "run")
    assert code == 2
    assert "pass --policy-repo OWNER/REPO=PATH" in out
    code, out = _invoke(git_repo, "run", "--policy-repo", "acme/policies")
    assert code == 2 and "write OWNER/REPO=PATH" in out


def test_show_prints_where_each_value_came_from(git_repo: GitRepo, central: Central) -> None:
    policy = f'version: 1\nextends: ["{V3}"]\nchecks:\n  coverage: {{diff_min: 90}}\n'
    _project(git_repo, policy)
    code, out = _invoke(git_repo, "policy", "show", "--policy-repo", f"{REPO}={central.root}")
    assert code == 0, out
    header = [line for line in out.splitlines() if line.startswith("# ")]
    assert f"# central: {V3} -> commit {central.v3} (tag)" in header
    assert any(line.startswith("# locked: checks.security.severity by github:") for line in header)
    (diff_min,) = [line for line in out.splitlines() if line.strip().startswith("diff_min:")]
    assert diff_min.split("  # ")[1].startswith(".github/gatekeeper.yml (at base ")
    assert diff_min.endswith("):4")
    (items,) = [line for line in out.splitlines() if line.strip().startswith("items:")]
    assert f"{V3} (commit {central.v3[:12]}):9" in items
    assert yaml.safe_load(out)["checks"]["coverage"]["diff_min"] == 90


def test_show_in_json(git_repo: GitRepo, central: Central) -> None:
    _project(git_repo, f'version: 1\nextends: ["{V3}"]\n')
    code, out = _invoke(
        git_repo, "policy", "show", "--policy-repo", f"{REPO}={central.root}", "--format", "json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["central"][-1] == {
        "name": V3,
        "repository": REPO,
        "path": "gatekeeper/base.yml",
        "ref": "v3",
        "ref_kind": "tag",
        "commit": central.v3,
    }
    values = {v["key"]: v for v in data["values"]}
    assert values["checks.coverage.diff_min"]["value"] == 80
    assert values["checks.coverage.diff_min"]["from"]["kind"] == "central"
    assert values["checks.coverage.diff_min"]["from"]["central"]["commit"] == central.v3
    assert values["checks.gate.severity"]["from"] == {
        "kind": "preset",
        "source": "preset:recommended",
        "line": 8,
    }
    assert [lock["key"] for lock in data["locked"]] == [
        "checks.security.severity",
        "checks.coverage.diff_min",
        "waivers.security",
    ]
    assert data["document"]["checks"]["coverage"]["diff_min"] == 80


def test_validate_with_a_clone(
    tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yml").write_text(f'version: 1\nextends: ["{V3}"]\n')
    result = CliRunner().invoke(
        cli, ["policy", "validate", "p.yml", "--policy-repo", f"{REPO}={central.root}"]
    )
    assert result.exit_code == 0, result.output
    assert f"extends {V3}: commit {central.v3}" in result.output
    result = CliRunner().invoke(cli, ["policy", "validate", "p.yml"])
    assert result.exit_code == 2 and "pass --policy-repo OWNER/REPO=PATH" in result.output
