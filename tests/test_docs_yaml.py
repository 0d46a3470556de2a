"""Every YAML snippet in the docs parses, and every step that uses gatekeeper's actions
passes only inputs the action declares (action.yml, in-job/action.yml). Whole workflows
also carry what the gate needs: permissions, a trigger, and a full-history checkout.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", ROOT / "checks" / "README.md", *(ROOT / "docs").rglob("*.md")])
ACTIONS = {
    "": yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8")),
    "/in-job": yaml.safe_load((ROOT / "in-job" / "action.yml").read_text(encoding="utf-8")),
}
OURS = re.compile(r"^<org>/gatekeeper(?P<sub>/in-job)?@v\d+$")
FENCE = re.compile(r"^```ya?ml\n(.*?)^```", re.M | re.S)


def snippets() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(ROOT)}:{line}", match[1]))
    return found


SNIPPETS = snippets()


def steps_in(data: Any) -> list[dict[str, Any]]:
    """The steps of a workflow, a job list, a steps list or a lone step."""
    if isinstance(data, list):
        return [s for s in data if isinstance(s, dict)]
    if not isinstance(data, dict):
        return []
    if "jobs" in data:
        return [s for job in data["jobs"].values() for s in job.get("steps", [])]
    if "steps" in data:
        return steps_in(data["steps"])
    return [data] if "uses" in data else []


def test_the_docs_have_yaml_snippets_and_use_both_actions() -> None:
    used = {
        OURS.match(str(s.get("uses", "")))["sub"] or ""  # type: ignore[index]
        for _, text in SNIPPETS
        for s in steps_in(yaml.safe_load(text))
        if OURS.match(str(s.get("uses", "")))
    }
    assert len(SNIPPETS) >= 15 and used == {"", "/in-job"}


@pytest.mark.parametrize(("where", "text"), SNIPPETS, ids=[w for w, _ in SNIPPETS])
def test_snippet(where: str, text: str) -> None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        pytest.fail(f"{where}: not YAML: {exc}")
    for step in steps_in(data):
        uses = str(step.get("uses", ""))
        if "gatekeeper" in uses and not uses.startswith("./"):
            match = OURS.match(uses)
            assert match, f"{where}: {uses} is not <org>/gatekeeper[/in-job]@vN"
            action = ACTIONS[match["sub"] or ""]
            given = set(step.get("with") or {})
            unknown = given - set(action["inputs"])
            assert not unknown, f"{where}: {uses} has no input {sorted(unknown)}"
            required = {k for k, v in action["inputs"].items() if v.get("required")}
            assert required <= given, f"{where}: {uses} needs {sorted(required - given)}"
    if isinstance(data, dict) and "jobs" in data:
        _whole_workflow(where, data)


def _whole_workflow(where: str, data: dict[str, Any]) -> None:
    gate_jobs = [
        job
        for job in data["jobs"].values()
        if any(OURS.match(str(s.get("uses", ""))) for s in job.get("steps", []))
    ]
    if not gate_jobs or (True not in data and "on" not in data):
        return  # a fragment showing only the jobs
    assert "permissions" in data, f"{where}: a gate workflow sets its permissions"
    assert data["permissions"].get("checks") == "write", where
    for job in gate_jobs:
        checkout = [
            s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout")
        ]
        assert checkout and checkout[0]["with"]["fetch-depth"] == 0, f"{where}: full history"
