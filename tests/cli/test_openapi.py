"""``gatekeeper openapi diff|changelog`` on spec files, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def test_a_broken_ref_is_refused_naming_it(tmp_path: Path, specs: tuple[str, str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        HEAD.replace("{'200': {description: ok}}", "{'200': {$ref: 'missing.yaml'}}"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(openapi, ["diff", specs[0], str(broken)])
    assert result.exit_code == 2, result.output
    assert (
        "broken.yaml:14 $ref 'missing.yaml'" in result.output and "Traceback" not in result.output
    )


def test_a_broken_sibling_ref_is_not_an_empty_schema(tmp_path: Path) -> None:
    # {$ref: missing, description: x} used to read as {description: x}: every property of
    # the user "removed", exit 1; it is a spec that cannot be compared, exit 2
    base = (
        BASE.replace(
            "schema: {type: object, required: [id], properties: {id: {type: string}}}",
            "schema: {$ref: '#/components/schemas/User'}",
        )
        + "components: {schemas: {User: {type: object, properties: {id: {type: string}}}}}\n"
    )
    head = base.replace(
        "{$ref: '#/components/schemas/User'}",
        "{$ref: '#/components/schemas/Usr', description: the user}",
    )
    (tmp_path / "b.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "h.yaml").write_text(head, encoding="utf-8")
    result = CliRunner().invoke(
        openapi, ["diff", str(tmp_path / "b.yaml"), str(tmp_path / "h.yaml")]
    )
    assert result.exit_code == 2 and "'#/components/schemas/Usr'" in result.output
    assert "removed" not in result.output


def test_a_duplicate_json_key_is_only_a_warning(tmp_path: Path) -> None:
    spec = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "paths": {}}'
    (tmp_path / "a.json").write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(
        openapi, ["diff", str(tmp_path / "a.json"), str(tmp_path / "a.json")]
    )
    assert result.exit_code == 0 and "warning:" in result.output and "'paths'" in result.output


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda s: s.replace("info: {title: t, version: '1'}\n", ""), "has no 'info' object"),
        (lambda s: s.replace("openapi: 3.0.3", "openapi: 4.7.0"), "'4.7.0' is not a version"),
        (lambda s: s.split("paths:")[0] + "paths:\n  - /users\n", "'paths' must be a mapping"),
        (lambda s: s.replace("openapi: 3.0.3", "swagger: '3.0'"), "is not a version"),
    ],
    ids=["no info", "openapi 4.7.0", "paths a list", "swagger 3.0"],
)
def test_a_spec_that_cannot_be_compared_is_refused(
    tmp_path: Path, specs: tuple[str, str], edit: Any, says: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit(HEAD), encoding="utf-8")
    for args in (["diff", specs[0], str(bad)], ["diff", str(bad), specs[1]]):
        result = CliRunner().invoke(openapi, args)
        assert result.exit_code == 2, result.output
        assert says in result.output and "bad.yaml" in result.output


def test_openapi_3_2_is_read(tmp_path: Path) -> None:
    for name, text in (("b.yaml", BASE), ("h.yaml", HEAD)):
        (tmp_path / name).write_text(text.replace("3.0.3", "3.2.0"), encoding="utf-8")
    result = CliRunner().invoke(
        openapi, ["diff", str(tmp_path / "b.yaml"), str(tmp_path / "h.yaml")]
    )
    assert result.exit_code == 1 and "api-path-removed-without-deprecation" in result.output


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


SHARED = """openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: $E}}}}
  /b:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: $E}}}}
  /internal/c:
    get:
      responses: {'200': {description: ok, content: {application/json: {schema: $E}}}}
  /gone:
    get:
      deprecated: true
      x-sunset: '2999-01-01'
      responses: {'200': {description: ok}}
components:
  schemas:
    E:
      type: object
      required: [code]
      properties: {code: {type: integer}, hint: {type: string}}
""".replace("$E", "{$ref: '#/components/schemas/E'}")


@pytest.fixture
def shared(tmp_path: Path) -> tuple[str, str]:
    top, _, rest = SHARED.replace("      required: [code]\n", "").partition("  /gone:")
    head = top + "components:" + rest.split("components:")[1]
    (tmp_path / "base.yaml").write_text(SHARED, encoding="utf-8")
    (tmp_path / "head.yaml").write_text(head, encoding="utf-8")
    return str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml")


def _run(*args: str) -> Any:
    return CliRunner().invoke(openapi, list(args))


def test_text_and_markdown_group_like_the_gate(shared: tuple[str, str]) -> None:
    text = _run("diff", *shared)
    lines = [ln for ln in text.output.splitlines() if "became-optional" in ln]
    assert lines == [
        "error   response-property-became-optional: property 'code' of the response schema E"
        " became optional, used by 3 operations (GET /a, GET /b, GET /internal/c)"
    ]
    assert text.output.splitlines()[-1].startswith("2 findings (4 changes): 2 error")
    ungrouped = _run("diff", *shared, "--no-group")
    assert sum("became-optional" in ln for ln in ungrouped.output.splitlines()) == 3
    md = _run("diff", *shared, "--format", "markdown")
    assert "**Changed shared schemas**" in md.output and "used by 3 operations" in md.output


def test_json_is_per_change_unless_grouped(shared: tuple[str, str]) -> None:
    flat = json.loads(_run("diff", *shared, "--format", "json").output)
    assert sum(f["rule"] == "response-property-became-optional" for f in flat["findings"]) == 3
    grouped = json.loads(_run("diff", *shared, "--format", "json", "--group").output)
    (g,) = [f for f in grouped["findings"] if f["rule"] == "response-property-became-optional"]
    assert g["operations"] == ["GET /a", "GET /b", "GET /internal/c"] and g["changes"] == 3
    assert g["path"].endswith("head.yaml") and isinstance(g["line"], int)
    sarif = json.loads(_run("diff", *shared, "--format", "sarif", "--group").output)
    assert len(sarif["runs"][0]["results"]) == len(grouped["findings"])


def test_severity_levels_file(tmp_path: Path, shared: tuple[str, str]) -> None:
    levels = tmp_path / "levels.txt"
    levels.write_text(
        "# our policy\nresponse-property-became-optional none\n"
        "api-path-removed-before-sunset   WARN\n",
        encoding="utf-8",
    )
    result = _run("diff", *shared, "--severity-levels", str(levels), "--format", "json")
    assert result.exit_code == 0, result.output
    rules = {f["rule"]: f["level"] for f in json.loads(result.output)["findings"]}
    assert "response-property-became-optional" not in rules
    assert rules["api-path-removed-before-sunset"] == "warning"
    failing = _run("diff", *shared, "--severity-levels", str(levels), "--fail-on", "WARN")
    assert failing.exit_code == 1
    levels.write_text("response-property-became-optional none\nno-such-rule err\n", "utf-8")
    bad = _run("diff", *shared, "--severity-levels", str(levels))
    assert bad.exit_code == 2 and "levels.txt:2: unknown rule 'no-such-rule'" in bad.output
    levels.write_text("response-property-became-optional loud\n", "utf-8")
    assert (
        "is not one of err, warn, info, none"
        in _run("diff", *shared, "--severity-levels", str(levels)).output
    )


def test_err_ignore_takes_lines_copied_from_the_output(
    tmp_path: Path, shared: tuple[str, str]
) -> None:
    ignore = tmp_path / "ignore.md"
    ignore.write_text(
        "- 2026-01-12 ticket API-7: get /GONE removed before its sunset date 2999-01-01\n"
        "- property 'code' of the response schema E became optional (agreed with clients)\n",
        encoding="utf-8",
    )
    result = _run("diff", *shared, "--err-ignore", str(ignore))
    assert result.exit_code == 0, result.output
    assert "became-optional" not in result.output and "before-sunset" not in result.output
    # ungrouped, a grouped finding's line does not name each change: they stay
    flat = _run("diff", *shared, "--err-ignore", str(ignore), "--no-group")
    assert flat.exit_code == 1 and "before-sunset" not in flat.output
    assert "became-optional" in flat.output
    warn = _run("diff", *shared, "--warn-ignore", str(ignore))
    assert warn.exit_code == 1  # warn-ignore leaves errors alone


def test_match_path_and_unmatch_path(shared: tuple[str, str]) -> None:
    only = json.loads(
        _run("diff", *shared, "--format", "json", "--match-path", "^/internal").output
    )
    assert {f["operation"] for f in only["findings"]} == {"GET /internal/c"}
    rest = json.loads(
        _run("diff", *shared, "--format", "json", "--unmatch-path", "internal").output
    )
    assert "GET /internal/c" not in {f["operation"] for f in rest["findings"]}
    bad = _run("diff", *shared, "--match-path", "(")
    assert bad.exit_code == 2 and "not a regular expression" in bad.output


def test_exclude_elements_extensions_and_deprecation_days(
    tmp_path: Path, shared: tuple[str, str]
) -> None:
    plain = json.loads(_run("diff", *shared, "--format", "json").output)
    assert "api-path-removed-before-sunset" in {f["rule"] for f in plain["findings"]}
    no_ext = _run("diff", *shared, "--format", "json", "--exclude-elements", "extensions,examples")
    rules = {f["rule"] for f in json.loads(no_ext.output)["findings"]}
    assert "api-path-removed-with-deprecation" in rules  # x-sunset no longer counts
    assert "api-path-removed-before-sunset" not in rules
    bad = _run("diff", *shared, "--exclude-elements", "everything")
    assert bad.exit_code == 2 and "everything not one of" in bad.output
    base = tmp_path / "d1.yaml"
    head = tmp_path / "d2.yaml"
    base.write_text(BASE, encoding="utf-8")
    head.write_text(
        BASE.replace("  /old:\n    get:\n", "  /old:\n    get:\n      deprecated: true\n"), "utf-8"
    )
    quiet = _run("diff", str(base), str(head), "--format", "json")
    assert {f["rule"] for f in json.loads(quiet.output)["findings"]} == {"endpoint-deprecated"}
    strict = _run("diff", str(base), str(head), "--deprecation-days-stable", "30")
    assert strict.exit_code == 1 and "api-deprecated-sunset-missing" in strict.output
    beta = _run("diff", str(base), str(head), "--deprecation-days-beta", "30")
    assert beta.exit_code == 0  # the endpoint is stable, beta's notice does not apply
