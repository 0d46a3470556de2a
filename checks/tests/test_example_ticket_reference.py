"""Tests for the example check checks/ticket_reference.py, using gatekeeper.testing only."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.interface import CheckError
from gatekeeper.testing import changeset, context, run_check


def load(name: str) -> ModuleType:
    """Import a check file by path, as the policy's `plugins:` loader does."""
    path = Path(__file__).resolve().parents[1] / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = load("ticket_reference").TicketReference()
FILES = ({"a.py": "x = 1\n"}, {"a.py": "x = 2\n"})


def test_fires_without_a_ticket() -> None:
    pr = PullRequest(number=1, title="fix: crash", body="Fixes it.", head_ref="fix-crash")
    (finding,) = run_check(CHECK, *FILES, pr=pr)
    assert finding.qualified_rule == "ticket-reference/no-ticket"
    assert finding.location is None
    assert "title, body, branch" in finding.message


@pytest.mark.parametrize(
    "pr",
    [
        PullRequest(number=1, title="fix: crash (PAY-12)"),
        PullRequest(number=1, title="fix: crash", body="Closes OPS-7."),
        PullRequest(number=1, title="fix: crash", head_ref="ENG-1-crash"),
        PullRequest(number=1, title="chore: bump", labels=("no-ticket",)),
    ],
)
def test_passes_with_a_ticket_or_an_exempting_label(pr: PullRequest) -> None:
    assert run_check(CHECK, *FILES, pr=pr) == []


def test_where_and_pattern_come_from_the_policy() -> None:
    pr = PullRequest(number=1, title="fix", body="See #42", head_ref="gh-42")
    config = {"pattern": r"#\d+", "where": ["title"]}
    assert [f.rule for f in run_check(CHECK, *FILES, config, pr=pr)] == ["no-ticket"]
    assert run_check(CHECK, *FILES, {"pattern": r"#\d+"}, pr=pr) == []


def test_skipped_on_a_local_run_and_fails_closed_on_a_bad_pattern() -> None:
    assert not CHECK.applies(context(changeset(*FILES)))
    ctx = context(changeset(*FILES), {"pattern": "("}, pr=PullRequest(number=1, title="x"))
    with pytest.raises(CheckError, match="not a valid regular expression"):
        list(CHECK.run(ctx))
