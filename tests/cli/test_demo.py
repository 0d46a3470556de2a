"""``gatekeeper demo``: the newcomer's first minute blocks the example agent PR."""

from __future__ import annotations

import json

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
