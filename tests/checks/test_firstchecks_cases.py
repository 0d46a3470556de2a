"""Rule cases as data (STYLE.md §8) for the cochange, pr and sarif checks.

Each ``cases/<check>/<rule>-fires*.yml`` must yield that rule and each
``<rule>-passes*.yml`` must not; every rule of each catalog needs both. A case has
``config``, ``base`` and ``head`` files, optional ``pr`` fields, optional ``worktree``
files written to the repository root (SARIF reports; ``{root}`` is replaced by its
path, mappings are written as JSON) and ``expect`` (a list of ``{rule, path, line}``),
``error`` (a CheckError message fragment) or ``applies: false``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.cochange import CochangeCheck
from gatekeeper.checks.interface import BaseCheck, CheckError
from gatekeeper.checks.pr.check import PullRequestCheck
from gatekeeper.checks.sarif.check import SarifCheck
from gatekeeper.testing import changeset, context

CASES = Path(__file__).parent / "cases"
CHECKS: Mapping[str, type[BaseCheck]] = {
    "cochange": CochangeCheck,
    "pr": PullRequestCheck,
    "sarif": SarifCheck,
}
CASE_KEYS = {"description", "config", "base", "head", "renames", "pr", "worktree"}
CASE_KEYS |= {"expect", "error", "applies"}


def _case_files() -> list[Path]:
    return sorted(p for name in CHECKS for p in (CASES / name).glob("*.yml"))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: a case is a mapping"
    unknown = set(data) - CASE_KEYS
    assert not unknown, f"{path}: unknown keys {sorted(unknown)}"
    return data


def _fill(value: Any, root: Path) -> Any:
    if isinstance(value, str):
        return value.replace("{root}", root.as_posix())
    if isinstance(value, list):
        return [_fill(v, root) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, root) for k, v in value.items()}
    return value


def _write_worktree(root: Path, files: Mapping[str, Any]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        filled = _fill(content, root)
        text = filled if isinstance(filled, str) else json.dumps(filled, indent=1)
        target.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rule_case(path: Path, tmp_path: Path) -> None:
    case = _load(path)
    check = CHECKS[path.parent.name]()
    config = _fill(case.get("config") or {}, tmp_path)
    jsonschema.validate(config, check.config_schema)  # a case must be a valid policy block
    _write_worktree(tmp_path, case.get("worktree") or {})
    changes = changeset(
        case.get("base") or {}, case.get("head") or {}, renames=case.get("renames"), root=tmp_path
    )
    pr = PullRequest(**case["pr"]) if case.get("pr") else None
    ctx = context(changes, config, pr=pr, scratch=tmp_path / ".scratch")
    if case.get("applies") is False:
        assert not check.applies(ctx)
        return
    applies = check.applies(ctx)
    if "error" in case:
        assert applies, f"{path.name}: the check should apply"
        with pytest.raises(CheckError, match=case["error"]):
            list(check.run(ctx))
        return
    # like the engine (and gatekeeper.testing.run_check): no findings when it does not apply
    findings = list(check.run(ctx)) if applies else []
    got = [
        {
            "rule": f.rule,
            **({"path": f.location.path} if f.location else {}),
            **({"line": f.location.start_line} if f.location and f.location.start_line else {}),
        }
        for f in findings
    ]
    expected = [
        {k: v for k, v in e.items() if k in ("rule", "path", "line")}
        for e in case.get("expect") or []
    ]
    # an expectation without path/line matches on what it names
    trimmed = [{k: g[k] for k in e if k in g} for g, e in zip(got, expected, strict=False)]
    messages = [f.message for f in findings]
    assert len(got) == len(expected), f"{path.name}: got {got} {messages}"
    assert trimmed == expected, f"{path.name}: got {got}"
    for f, e in zip(findings, case.get("expect") or [], strict=True):
        if "message" in e:
            assert e["message"] in f.message, f.message
    if applies:  # deterministic: a second run gives the same findings
        again = context(changes, config, pr=pr, scratch=tmp_path / "s2")
        assert findings == list(check.run(again))


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_rule_has_a_firing_and_a_passing_case(name: str) -> None:
    stems = [p.stem for p in (CASES / name).glob("*.yml")]
    for rule in CHECKS[name].rules:
        assert any(s.startswith(f"{rule}-fires") for s in stems), f"{name}/{rule}: no firing case"
        assert any(s.startswith(f"{rule}-passes") for s in stems), f"{name}/{rule}: no passing case"


@pytest.mark.parametrize("path", _case_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case_name_matches_its_expectation(path: Path) -> None:
    case = _load(path)
    rules = {e["rule"] for e in case.get("expect") or []}
    stem = path.stem
    for rule in CHECKS[path.parent.name].rules:
        if stem.startswith(f"{rule}-fires"):
            assert rules or "error" in case, f"{path.name}: a firing case must expect findings"
        if stem.startswith(f"{rule}-passes"):
            assert rule not in rules and "error" not in case, f"{path.name} must not fire {rule}"
