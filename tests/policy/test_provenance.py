"""Where each effective value came from: defaults, presets, files, central files, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.plugins import discover
from gatekeeper.policy.central import CentralPolicies
from gatekeeper.policy.checkouts import LocalCheckouts
from gatekeeper.policy.load import load_policy
from gatekeeper.policy.model import Policy
from gatekeeper.policy.provenance import annotated_yaml, values_json
from tests.policy.central import REPO, V3, make_central

SRC = ".github/gatekeeper.yml"
CHECKS = discover().classes()
AGENT = PullRequest(author="Copilot", head_ref="copilot/x")
TOP = f"""\
version: 1
extends: ["{V3}", agents]
checks:
  coverage: {{diff_min: 85, total_max_drop: 0.5}}
  review: {{sensitive: ["src/auth/**"]}}
overrides:
  - name: agents on auth
    when: {{author: agent, paths: ["src/auth/**"]}}
    checks: {{review: {{approvals: 2}}}}
waivers:
  - {{rule: "openapi/*", reason: sunset, approved_by: "@acme/api", expires: 2030-01-01}}
"""
RECOMMENDED = Path(__file__).resolve().parents[2] / "src/gatekeeper/policies/recommended.yml"


def _recommended_line(text: str) -> str:
    """``preset:recommended:N`` for the first line of the preset that contains ``text``."""
    lines = RECOMMENDED.read_text(encoding="utf-8").splitlines()
    return f"preset:recommended:{next(n for n, ln in enumerate(lines, 1) if text in ln)}"


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    central = make_central(tmp_path / "p")
    return load_policy(
        TOP,
        source=SRC,
        checks=CHECKS,
        pr=AGENT,
        changed_paths=["src/auth/login.py"],
        central=CentralPolicies(LocalCheckouts({REPO: central.root})),
    )


def origin(policy: Policy, key: tuple[str | int, ...]) -> str:
    return dict(policy.origins)[key].describe()


def test_each_kind_of_origin(policy: Policy) -> None:
    central = policy.central[-1]
    base = f"github:acme/policies/gatekeeper/base.yml@v3 (commit {central.commit[:12]})"
    assert origin(policy, ("checks", "coverage", "total_max_drop")) == f"{SRC}:4"
    # the agents preset raises diff_min for agents over the file's 85
    assert origin(policy, ("checks", "coverage", "diff_min")) == (
        "override 'agent-authored PRs meet the strict bar' (when author: agent), preset:agents:11"
    )
    assert origin(policy, ("checks", "coverage", "cache_dir")) == "default"
    assert origin(policy, ("checks", "coverage", "timeout")) == "default"
    assert origin(policy, ("checks", "cochange", "items")) == f"{base}:9"
    assert origin(policy, ("checks", "security", "bandit", "min_severity")).startswith(
        "github:acme/policies/gatekeeper/common.yml@v3 (commit "
    )
    assert origin(policy, ("checks", "security", "bandit", "min_confidence")) == "default"
    assert origin(policy, ("checks", "openapi", "severity")) == _recommended_line(
        "    severity: block"
    )
    # the agents preset's override and the file's own override both applied; the later wins
    assert origin(policy, ("checks", "review", "approvals")) == (
        f"override 'agents on auth' (when author: agent; paths: src/auth/**), {SRC}:9"
    )
    assert origin(policy, ("checks", "pr", "severity")).startswith(
        "override 'agent-authored PRs meet the strict bar' (when author: agent), preset:agents:"
    )
    assert origin(policy, ("waivers", 0)) == f"{SRC}:11"


def test_a_human_gets_no_override_origin(tmp_path: Path) -> None:
    central = make_central(tmp_path / "p")
    human = load_policy(
        TOP, source=SRC, checks=CHECKS, pr=PullRequest(author="alice"),
        central=CentralPolicies(LocalCheckouts({REPO: central.root})),
    )  # fmt: skip
    assert origin(human, ("checks", "review", "approvals")) == "default"
    assert origin(human, ("checks", "pr", "severity")) == _recommended_line("  pr: ")
    assert origin(human, ("checks", "coverage", "diff_min")) == f"{SRC}:4"


def test_the_annotated_yaml_is_the_effective_policy(policy: Policy) -> None:
    text = annotated_yaml(policy.document, policy.origins)
    assert yaml.safe_load(text) == policy.document
    lines = text.splitlines()
    assert lines[0] == "version: 1"
    (drop,) = [line for line in lines if "total_max_drop:" in line]
    assert drop.split("#")[1].strip() == f"{SRC}:4"
    assert all(" # " in line for line in lines if line.strip().startswith("- {rule"))
    # reloading it gives the same checks
    again = load_policy(text, source="shown.yml", checks=CHECKS, pr=AGENT)
    assert again.checks == policy.checks and again.digest == policy.digest


def test_every_value_is_listed_in_json(policy: Policy) -> None:
    values = {v["key"]: v for v in values_json(policy.origins, policy.document)}
    assert values["checks.coverage.total_max_drop"] == {
        "key": "checks.coverage.total_max_drop",
        "value": 0.5,
        "from": {"kind": "file", "source": SRC, "line": 4},
    }
    cochange = values["checks.cochange.items"]["from"]
    assert cochange["kind"] == "central" and cochange["central"]["ref"] == "v3"
    assert cochange["central"]["commit"] == policy.central[-1].commit
    review = values["checks.review.approvals"]["from"]
    assert review["kind"] == "override" and review["when"]["author"] == "agent"
    assert values["checks.security.bandit.include"]["from"] == {"kind": "default"}
    assert values["waivers[0]"]["value"]["rule"] == "openapi/*"
