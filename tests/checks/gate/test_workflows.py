"""gate/workflows.py: what a workflow could do to the required check."""

from __future__ import annotations

import pytest

from gatekeeper.checks.gate.workflows import MAX_WORKFLOW_BYTES, impersonation, runs_gate

REQUIRED = ["gatekeeper"]


def _job(name_line: str, job_id: str = "build") -> str:
    return f"on: pull_request\njobs:\n  {job_id}:\n    {name_line}\n    runs-on: x\n"


@pytest.mark.parametrize(
    "text",
    [
        _job("runs-on: x", job_id="gatekeeper"),  # no name: the id names the check run
        _job("name: gatekeeper"),
        _job("name: '  GateKeeper '"),  # GitHub compares check names loosely
        _job("name: ${{ matrix.name }}"),  # computed: could be anything
        _job("name: gate${{ 'keeper' }}"),
        "name: gatekeeper\non: pull_request\njobs: {}\n",  # the workflow's own name
        _job("permissions: {checks: write}"),
        _job("permissions: write-all"),
        _job("steps: [{run: 'gh api repos/o/r/check-runs -f name=x'}]"),
        _job("steps: [{run: 'curl -X POST $API/repos/o/r/statuses/$SHA'}]"),
    ],
)
def test_ways_to_stand_in_for_the_check(text: str) -> None:
    assert impersonation(text, REQUIRED)


@pytest.mark.parametrize(
    "text",
    [
        _job("name: test (${{ matrix.python }})"),
        _job("name: gatekeeper-docs"),
        "jobs: [not, a, mapping]\n",
        "::: not yaml :::\n  - [",
        "",
        None,
        _job("permissions: {contents: read, checks: read}"),
    ],
)
def test_ordinary_workflows_do_not(text: str | None) -> None:
    assert impersonation(text, REQUIRED) == []


def test_huge_workflows_are_not_parsed() -> None:
    text = _job("name: gatekeeper") + "#" * MAX_WORKFLOW_BYTES
    assert impersonation(text, REQUIRED) == []


def test_runs_gate() -> None:
    assert runs_gate("steps: [{uses: acme/GateKeeper@v1}]")
    assert runs_gate("run: pip install dod-gatekeeper && gatekeeper run")
    assert not runs_gate("run: pytest")
    assert not runs_gate(None)
