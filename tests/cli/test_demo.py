"""``gatekeeper demo``: the newcomer's first minute blocks the example agent PR."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gatekeeper.cli import cli


def test_demo_blocks_the_agents_pr_for_the_right_reasons() -> None:
    result = CliRunner().invoke(cli, ["demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") : result.output.rindex("}") + 1])
    assert report["met"] is False
    assert report["pr"]["agent"]
    blocking = {
        f["rule"]
        for o in report["outcomes"]
        for f in o["findings"]
        if f["severity"] == "block" and not f["pre_existing"] and not f["waived"]
    }
    for rule in (
        "cochange/missing-cochange",
        "env-vars/undocumented",
        "openapi/new-required-request-parameter",
        "migrations/drop-column",
        "security/bandit-b608",
    ):
        assert rule in blocking, blocking
    assert all(o["status"] != "error" for o in report["outcomes"])


def _findings(report: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted(
        tuple(str(f[key]) for key in ("rule", "severity", "path", "start_line", "fingerprint"))
        for o in report["outcomes"]
        for f in o["findings"]
    )


def test_demo_keep_names_the_kept_folder_and_a_command_that_gives_the_same_verdict(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(cli, ["demo", "--keep", "--format", "json"])
    assert result.exit_code == 0, result.output
    kept = re.search(r"^Kept the example repository: (.+)$", result.stderr, re.MULTILINE)
    assert kept, result.stderr
    repo = Path(kept.group(1))
    try:
        assert (repo / ".git").is_dir()  # it exists after the demo ended
        assert f"Example repository: {repo};" in result.stderr  # the same folder, named first
        command = result.stderr.split("Rerun the same verdict there:\n", 1)[1].splitlines()[0]
        assert command.strip().startswith(f"cd {shlex.quote(str(repo))} && gatekeeper run ")
        gatekeeper = Path(sys.executable).with_name("gatekeeper")
        env = {**os.environ, "PATH": f"{gatekeeper.parent}{os.pathsep}{os.environ['PATH']}"}
        rerun = subprocess.run(
            ["bash", "-c", command.strip() + " -f json"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert rerun.returncode == 1, rerun.stderr
        demo_report, again = json.loads(result.stdout), json.loads(rerun.stdout)
        assert again["pr"] == demo_report["pr"] and again["met"] is False
        assert _findings(again) == _findings(demo_report)
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)


def test_demo_without_keep_does_not_name_a_folder_it_deletes() -> None:
    result = CliRunner().invoke(cli, ["demo", "--format", "json"])
    assert "a temporary folder (deleted afterwards; --keep keeps it)" in result.stderr
    assert "gatekeeper-demo-" not in result.stderr


def test_demo_refuses_an_unknown_format_before_it_runs() -> None:
    result = CliRunner().invoke(cli, ["demo", "--format", "html"])
    assert result.exit_code == 2
    assert "unknown format 'html' (known: json, junit, markdown, sarif, terminal)" in result.output
    assert "Example repository" not in result.output  # nothing was built or run


def test_demo_verbose_lists_what_the_terminal_report_otherwise_counts() -> None:
    quiet = CliRunner().invoke(cli, ["demo"])
    assert "1 notice (--verbose lists them)" in quiet.output, quiet.output
    result = CliRunner().invoke(cli, ["demo", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "Notices (1):" in result.output
    assert "openapi/api-version-not-bumped" in result.output
    assert "--verbose lists them" not in result.output
