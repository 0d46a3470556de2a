"""The shipped presets load, use only common keys, and are documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Severity
from gatekeeper.policy.layers import available_presets
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.schema import COMMON_KEYS
from gatekeeper.policy.yamlmarks import load
from tests.policy.fakes import CHECKS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
PRESETS = Path(__file__).resolve().parents[2] / "src" / "gatekeeper" / "policies"


def test_the_three_presets_ship() -> None:
    assert available_presets() == ("agents", "recommended", "strict")


@pytest.mark.parametrize("name", ["agents", "recommended", "strict"])
def test_preset_loads_and_uses_only_common_keys(name: str) -> None:
    policy = load_policy(
        f"version: 1\nextends: [{name}]\n", source="p.yml", checks=CHECKS, pr=PullRequest()
    )
    assert policy.checks
    data = load((PRESETS / f"{name}.yml").read_text(encoding="utf-8"), name).data
    blocks = [data.get("checks", {})]
    blocks += [o["checks"] for o in data.get("overrides", [])]
    for checks in blocks:
        for cid, block in checks.items():
            own = set(CHECKS[cid].config_schema.get("properties", {}))
            assert set(block) <= set(COMMON_KEYS) | own, cid


@pytest.mark.parametrize("name", ["agents", "recommended", "strict"])
def test_preset_is_documented(name: str) -> None:
    assert f"### `{name}`" in DOCS.read_text(encoding="utf-8")


def test_recommended_never_blocks_on_warning_tier_checks_that_cannot_run() -> None:
    policy = load_policy(None, source="p.yml", checks=CHECKS, pr=PullRequest())
    for cid, check in policy.checks.items():
        if check.severity is Severity.WARN:
            assert check.on_error is Severity.WARN, cid
        else:
            assert check.on_error is Severity.BLOCK, cid
