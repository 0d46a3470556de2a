"""``gatekeeper policy validate | schema | show``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from gatekeeper.cli import cli
from tests.conftest import GitRepo


def test_validate_a_good_and_a_bad_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yml").write_text("version: 1\nextends: [recommended]\n")
    result = CliRunner().invoke(cli, ["policy", "validate", "good.yml"])
    assert result.exit_code == 0, result.output
    assert "good.yml: valid; checks enabled:" in result.output and "openapi" in result.output
    (tmp_path / "bad.yml").write_text("version: 1\nchecks:\n  coverage: {diff_min: eighty}\n")
    result = CliRunner().invoke(cli, ["policy", "validate", "bad.yml"])
    assert result.exit_code == 2
    assert "bad.yml:3: checks.coverage.diff_min" in result.output


def test_validate_without_a_file_says_the_built_in_default_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["policy", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        ".github/gatekeeper.yml: no such file, so the built-in default policy applies "
        "(extends: [recommended]); checks enabled: coverage, env-vars, gate,"
    )
    # a file named on the command line must exist
    result = CliRunner().invoke(cli, ["policy", "validate", "missing.yml"])
    assert result.exit_code == 2 and "missing.yml: no such policy file" in result.output


def test_schema_is_a_valid_json_schema_with_every_check() -> None:
    result = CliRunner().invoke(cli, ["policy", "schema"])
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    text = result.output
    for cid in ("openapi", "migrations", "security", "coverage", "env-vars", "review"):
        assert f'"{cid}"' in text


def test_show_prints_the_effective_policy_for_an_agent(git_repo: GitRepo) -> None:
    git_repo.commit({".github/gatekeeper.yml": "version: 1\nextends: [agents]\n", "a": "1\n"})
    git_repo.git("checkout", "-q", "-b", "claude/fix")
    git_repo.commit({"a": "2\n"})
    result = CliRunner().invoke(
        cli,
        [
            "policy",
            "show",
            "--repo",
            str(git_repo.root),
            "--base",
            "main",
            "--branch",
            "claude/fix",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "# author: agent (branch prefix claude/)" in result.output
    assert "# override applied:" in result.output
    assert "diff_min: 90" in result.output
