"""Rule cases as data: each YAML file under cases/ lists base/head pairs and expected rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.testing import run_check

CASES = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            config = case.get("config", doc.get("config", {}))
            params.append(pytest.param(case, config, id=f"{path.stem}: {case['name']}"))
    return params


@pytest.mark.parametrize(("case", "config"), _load())
def test_rule_case(case: dict[str, Any], config: dict[str, Any]) -> None:
    findings = run_check(MigrationsCheck(), case.get("base", {}), case["head"], config)
    got = sorted(f.rule for f in findings)
    assert got == sorted(case["expect"]), [f"{f.location}: {f.rule}: {f.message}" for f in findings]
    for f in findings:
        assert f.message and f.check == "migrations"
        assert f.rule in MigrationsCheck.rules
