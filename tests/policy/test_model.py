from __future__ import annotations

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Finding, Level, Severity
from gatekeeper.policy.model import CheckPolicy, Policy


def _finding(rule: str, level: Level) -> Finding:
    return Finding("coverage", rule, "m", level, None, "f")


def test_severity_for_maps_levels_caps_warnings_and_lets_rules_win() -> None:
    warn = CheckPolicy("coverage", severity=Severity.WARN, rules={"r": Severity.BLOCK})
    assert warn.severity_for(_finding("x", Level.ERROR)) is Severity.WARN
    assert warn.severity_for(_finding("x", Level.WARNING)) is Severity.WARN
    assert warn.severity_for(_finding("x", Level.INFO)) is Severity.INFO
    assert warn.severity_for(_finding("r", Level.INFO)) is Severity.BLOCK
    info = CheckPolicy("coverage", severity=Severity.INFO)
    assert info.severity_for(_finding("x", Level.WARNING)) is Severity.INFO


def test_unmentioned_check_is_disabled() -> None:
    policy = Policy(source="s", digest="d", checks={})
    assert policy.check("coverage").enabled is False


def test_is_agent_follows_the_signal() -> None:
    assert PullRequest(agent_signal="login Copilot").is_agent
    assert not PullRequest().is_agent
