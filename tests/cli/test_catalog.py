"""``gatekeeper checks`` and ``explain``, and the generated rules reference."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gatekeeper.cli.catalog import checks, explain, rules_reference
from gatekeeper.plugins import discover

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_reference_is_in_sync_with_the_catalog() -> None:
    expected = rules_reference(discover())
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `gatekeeper checks --markdown > docs/rules.md`"
    )


def test_checks_lists_every_builtin_check_with_its_origin() -> None:
    out = CliRunner().invoke(checks, []).output
    for cid in ("gate", "cochange", "pr", "command", "sarif", "coverage", "env-vars"):
        assert f"\n{cid}  " in "\n" + out
    assert "gate/policy-changed  [error]" in out


def test_explain_prints_what_why_and_remedy() -> None:
    result = CliRunner().invoke(explain, ["gate/policy-changed"])
    assert result.exit_code == 0
    assert "Why:" in result.output and "What to do:" in result.output


def test_explain_engine_rule_and_unknown_rule() -> None:
    assert "could not run" in CliRunner().invoke(explain, ["coverage/check-error"]).output
    result = CliRunner().invoke(explain, ["gate/policy-changd"])
    assert result.exit_code == 2
    assert "Did you mean gate/policy-changed" in result.output


def test_explain_tool_rule_falls_back_to_the_generic_rule() -> None:
    result = CliRunner().invoke(explain, ["sarif/ruff-f401"])
    assert result.exit_code == 0
    assert "comes from a tool's own rule set" in result.output
