"""``gatekeeper openapi diff|changelog`` on spec files, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from gatekeeper.cli.openapi import openapi

BASE = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], properties: {id: {type: string}}}
  /old:
    get:
      responses: {'200': {description: ok}}
"""
HEAD = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, properties: {id: {type: string}, name: {type: string}}}
  /new:
    get:
      responses: {'200': {description: ok}}
"""


@pytest.fixture
def specs(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(HEAD, encoding="utf-8")
    return str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml")


def test_diff_json_lists_rule_level_operation_path_line(specs: tuple[str, str]) -> None:
    result = CliRunner().invoke(openapi, ["diff", *specs, "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    by_rule = {f["rule"]: f for f in data["findings"]}
    removed = by_rule["api-path-removed-without-deprecation"]
    assert removed["level"] == "error" and removed["operation"] == "GET /old"
    optional = by_rule["response-property-became-optional"]
    assert optional["operation"] == "GET /users" and optional["path"] == specs[1]
    assert isinstance(optional["line"], int)
    assert data["counts"]["error"] >= 2


def test_diff_fail_on_and_identical_specs(specs: tuple[str, str]) -> None:
    same = CliRunner().invoke(openapi, ["diff", specs[0], specs[0]])
    assert same.exit_code == 0 and "0 changes" in same.output
    info_only = CliRunner().invoke(openapi, ["diff", specs[1], specs[1], "--fail-on", "warning"])
    assert info_only.exit_code == 0


def test_diff_text_markdown_sarif(specs: tuple[str, str]) -> None:
    text = CliRunner().invoke(openapi, ["diff", *specs])
    assert text.output.splitlines()[0].startswith("error")
    md = CliRunner().invoke(openapi, ["diff", *specs, "--format", "markdown"])
    assert "**Removed endpoints**" in md.output and "`GET /new`" in md.output
    sarif = json.loads(CliRunner().invoke(openapi, ["diff", *specs, "--format", "sarif"]).output)
    results = sarif["runs"][0]["results"]
    assert {r["level"] for r in results} >= {"error", "note"}


def test_changelog_always_succeeds(specs: tuple[str, str]) -> None:
    for fmt in ("markdown", "text", "json"):
        result = CliRunner().invoke(openapi, ["changelog", *specs, "--format", fmt])
        assert result.exit_code == 0 and "GET /new" in result.output


def test_bad_spec_is_a_usage_error_without_traceback(
    tmp_path: Path, specs: tuple[str, str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: [\n", encoding="utf-8")
    result = CliRunner().invoke(openapi, ["diff", specs[0], str(bad)])
    assert result.exit_code == 2 and "invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_ref_problems_are_warnings(tmp_path: Path, specs: tuple[str, str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        HEAD.replace("{'200': {description: ok}}", "{'200': {$ref: 'missing.yaml'}}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(openapi, ["diff", specs[0], str(broken)])
    assert "warning:" in result.output and "missing.yaml" in result.output


def test_diff_names_the_referenced_file_a_change_is_in(tmp_path: Path) -> None:
    spec = BASE.replace(
        "{type: object, required: [id], properties: {id: {type: string}}}",
        "{$ref: 'schemas/user.yaml'}",
    )
    for side, required in (("base", "required: [id]\n"), ("head", "")):
        (tmp_path / side / "schemas").mkdir(parents=True)
        (tmp_path / side / "api.yaml").write_text(spec, encoding="utf-8")
        user = "type: object\n" + required + "properties:\n  id: {type: string}\n"
        (tmp_path / side / "schemas" / "user.yaml").write_text(user, encoding="utf-8")
    base, head = str(tmp_path / "base" / "api.yaml"), str(tmp_path / "head" / "api.yaml")
    result = CliRunner().invoke(openapi, ["diff", base, head, "--format", "json"])
    by_rule = {f["rule"]: f for f in json.loads(result.output)["findings"]}
    optional = by_rule["response-property-became-optional"]
    assert optional["path"] == (tmp_path / "head" / "schemas" / "user.yaml").as_posix()
    assert optional["line"] == 3  # the property's line in that file
    sarif = CliRunner().invoke(openapi, ["diff", base, head, "--format", "sarif"])
    uris = {
        r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(sarif.output)["runs"][0]["results"]
    }
    assert uris["response-property-became-optional"].endswith("head/schemas/user.yaml")
