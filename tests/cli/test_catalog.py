"""``gatekeeper checks`` and ``explain``, and the generated rules reference."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.cli.catalog import checks, explain, rules_reference
from gatekeeper.model import Level
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


def test_checks_name_lists_one_check_and_its_rules() -> None:
    result = CliRunner().invoke(checks, ["pr"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("pr  Pull request hygiene  (6 error;")
    assert "pr/title-format  [error]" in result.output
    assert "gate/" not in result.output and "openapi/" not in result.output
    assert "gatekeeper explain pr" in result.output


def test_checks_level_keeps_only_that_level() -> None:
    out = CliRunner().invoke(checks, ["openapi", "--level", "warning"]).output
    listed = [line for line in out.splitlines() if line.startswith("    openapi/")]
    warnings = [r for r in OpenAPICheck.rules.values() if r.level is Level.WARNING]
    assert len(listed) == len(warnings) > 30 and all("[warning]" in line for line in listed)


def test_checks_unknown_name_suggests_the_close_one() -> None:
    result = CliRunner().invoke(checks, ["opanapi"])
    assert result.exit_code == 2
    assert "no check called 'opanapi'. Did you mean openapi?" in result.output


def test_explain_a_check_names_its_policy_keys_in_full() -> None:
    result = CliRunner().invoke(explain, ["security"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("security: Security\n")
    assert "Rules: " in out and "`gatekeeper checks security` lists them" in out
    # nested keys by their full path, as the policy writes them, with their text
    assert "  checks.security.secrets.allowlist (list, default []): Regular expressions" in out
    assert 'checks.security.bandit.min_severity (choice, default "medium")' in out
    assert "Provided by: entry point security" in out


def test_explain_a_list_check_names_its_item_keys() -> None:
    out = CliRunner().invoke(explain, ["cochange"]).output
    assert "checks.cochange.items[].require (list): Globs of what must change too." in out
    assert 'checks.cochange.items[].mode (choice, default "any")' in out


def test_explain_an_openapi_error_rule_says_what_why_and_instead() -> None:
    result = CliRunner().invoke(explain, ["openapi/new-required-request-parameter"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "An operation gained a required query, header or cookie parameter." in out
    assert "Why: Existing clients do not send it" in out
    assert "What to do: Add the new parameter as optional with a default" in out


def test_explain_wraps_to_the_terminal_without_breaking_words() -> None:
    result = CliRunner().invoke(
        explain, ["openapi/request-property-max-length-decreased"], env={"COLUMNS": "60"}
    )
    lines = result.output.splitlines()
    assert max(len(line) for line in lines[1:]) <= 60
    assert "Why: " in result.output and "request-body property" in " ".join(lines)


def test_explain_a_bare_rule_id_finds_its_check() -> None:
    result = CliRunner().invoke(explain, ["request-body-became-required"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("openapi/request-body-became-required  [error]")


def test_explain_a_bare_rule_id_of_several_checks_asks_which() -> None:
    result = CliRunner().invoke(explain, ["result"])
    assert result.exit_code == 2
    assert "command/result" in result.output and "sarif/result" in result.output


def test_explain_an_unknown_check_suggests_the_close_one() -> None:
    result = CliRunner().invoke(explain, ["secuirty"])
    assert result.exit_code == 2
    assert "Did you mean security?" in result.output


def test_checks_given_a_rule_points_at_explain() -> None:
    result = CliRunner().invoke(checks, ["gate/policy-changed"])
    assert result.exit_code == 2
    assert "For a rule, run `gatekeeper explain gate/policy-changed`" in result.output


def test_checks_markdown_is_the_whole_reference_only() -> None:
    result = CliRunner().invoke(checks, ["--markdown", "pr"])
    assert result.exit_code == 2 and "leave out NAME" in result.output


def test_explain_a_bandit_rule_shows_its_cwe_tags_and_link() -> None:
    out = CliRunner().invoke(explain, ["security/bandit-b608"]).output
    assert "Tags: " in out and "CWE-89" in out
    assert "More: https://cwe.mitre.org/data/definitions/89.html" in out
