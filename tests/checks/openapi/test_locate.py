"""Findings point at the changed node's own file and line: JSON specs, split specs."""

from __future__ import annotations

import copy
import json
from typing import Any

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.engine import compare, load_spec
from gatekeeper.checks.openapi.locate import JsonLines, pointers_of
from gatekeeper.model import Finding
from gatekeeper.testing import run_check


def _spec(schema: Any, params: list[Any] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {
        "responses": {
            "200": {
                "description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/U"}}},
            }
        }
    }
    if params is not None:
        op["parameters"] = params
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {"/u": {"get": op}},
        "components": {"schemas": {"U": schema}},
    }


USER = {
    "type": "object",
    "properties": {
        # a decoy: "b" also names a key inside an earlier sibling's subtree
        "a": {"type": "object", "properties": {"b": {"type": "string"}}},
        "b": {"type": "string", "enum": ["x"]},
    },
}


def _by_rule(found: list[Finding]) -> dict[str, Finding]:
    return {f.rule: f for f in found if f.rule != "api-version-not-bumped"}


def _line_of(text: str, needle: str, after: str = "") -> int:
    """The line of the first ``needle`` (after the first ``after``) in ``text``."""
    return text[: text.index(needle, text.index(after) if after else 0)].count("\n") + 1


def test_a_pretty_json_finding_points_at_the_changed_propertys_line() -> None:
    head_schema = copy.deepcopy(USER)
    head_schema["properties"]["b"]["enum"] = ["x", "y"]
    base = json.dumps(_spec(USER), indent=2)
    head = json.dumps(_spec(head_schema), indent=2)
    found = _by_rule(run_check(OpenAPICheck(), {"api.json": base}, {"api.json": head}))
    finding = found["response-property-enum-value-added"]
    assert finding.location is not None and finding.location.path == "api.json"
    # the property's own key line, not the decoy inside "a", not the /u path line
    assert finding.location.start_line == head[: head.rindex('"b": {')].count("\n") + 1
    assert finding.location.start_line != _line_of(head, '"/u"')


def test_a_minified_json_finding_says_line_one() -> None:
    # not a conventional name: also shows a minified spec is discovered by its first bytes
    head_schema = copy.deepcopy(USER)
    head_schema["properties"]["b"]["enum"] = ["x", "y"]
    base, head = json.dumps(_spec(USER)), json.dumps(_spec(head_schema))
    found = _by_rule(run_check(OpenAPICheck(), {"api.json": base}, {"api.json": head}))
    finding = found["response-property-enum-value-added"]
    assert finding.location is not None
    assert (finding.location.path, finding.location.start_line) == ("api.json", 1)


def test_a_json_parameter_in_an_array_points_at_its_element() -> None:
    param = {"name": "q", "in": "query", "schema": {"type": "string"}}
    base = json.dumps(_spec(USER, [{"name": "p", "in": "query"}, param]), indent=4)
    changed = dict(param, schema={"type": "string", "maxLength": 3})
    head = json.dumps(_spec(USER, [{"name": "p", "in": "query"}, changed]), indent=4)
    found = _by_rule(run_check(OpenAPICheck(), {"api.json": base}, {"api.json": head}))
    finding = found["request-parameter-max-length-set"]
    assert finding.location is not None
    assert finding.location.start_line == _line_of(head, '"schema": {', after='"q"')


SPLIT = """openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /u:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas/user.yaml'}
"""


def test_a_schema_in_a_referenced_yaml_file_is_reported_in_that_file() -> None:
    user = "type: object\nproperties:\n  a: {type: string}\n  b:\n    type: string\n"
    base_user, head_user = user + "    enum: [x]\n", user + "    enum: [x, y]\n"
    files = {"openapi.yaml": SPLIT, "schemas/user.yaml": base_user}
    found = _by_rule(run_check(OpenAPICheck(), files, {**files, "schemas/user.yaml": head_user}))
    finding = found["response-property-enum-value-added"]
    assert finding.location is not None
    assert finding.location.path == "schemas/user.yaml"
    # a YAML mapping starts on its first key, the line after the property name
    assert finding.location.start_line == head_user.splitlines().index("  b:") + 2


def test_a_schema_in_a_referenced_json_file_is_reported_at_its_json_line() -> None:
    spec = SPLIT.replace("schemas/user.yaml", "schemas/user.json")
    head_schema = copy.deepcopy(USER)
    head_schema["properties"]["b"]["enum"] = ["x", "y"]
    base_user, head_user = json.dumps(USER, indent=2), json.dumps(head_schema, indent=2)
    files = {"openapi.yaml": spec, "schemas/user.json": base_user}
    head = {**files, "schemas/user.json": head_user}
    found = _by_rule(run_check(OpenAPICheck(), files, head))
    finding = found["response-property-enum-value-added"]
    assert finding.location is not None
    assert finding.location.path == "schemas/user.json"
    assert finding.location.start_line == head_user[: head_user.rindex('"b": {')].count("\n") + 1


def test_a_removed_property_keeps_the_operation_line() -> None:
    head_schema = copy.deepcopy(USER)
    del head_schema["properties"]["b"]
    base, head = json.dumps(_spec(USER), indent=2), json.dumps(_spec(head_schema), indent=2)
    found = _by_rule(run_check(OpenAPICheck(), {"api.json": base}, {"api.json": head}))
    finding = found["response-optional-property-removed"]
    assert finding.location is not None
    assert finding.location.start_line == _line_of(head, '"/u"')


def test_base_nodes_are_never_located_in_the_head() -> None:
    head_schema = copy.deepcopy(USER)
    head_schema["properties"]["b"]["enum"] = ["x", "y"]
    texts = {"b.json": json.dumps(_spec(USER), indent=2)}
    texts["h.json"] = json.dumps(_spec(head_schema), indent=2)
    base = load_spec("b.json", lambda p: texts[p].encode())
    head = load_spec("h.json", lambda p: texts[p].encode())
    assert pointers_of(head.doc.root, {id(base.doc.root["components"])}) == {}
    changes = compare(base, head)
    assert any(c.path == "h.json" and c.line and c.line > 1 for c in changes)


def test_json_lines_edge_cases() -> None:
    rows = [
        "{",
        '\t"a\\/b": {',
        '\t\t"x": 1',
        "\t},",
        '\t"a\\/b": {',
        '\t\t"y": [',
        '\t\t\t{"z": 2},',
        "\t\t\t3",
        "\t\t]",
        "\t},",
        '\t"c": {"d": {}},',
        '\t"e": []',
        "}",
    ]
    text = "\r\n".join(rows) + "\r\n"  # tabs, CRLF, an escaped and a repeated key
    lines = JsonLines(text)
    got = lines.lines(
        [
            ("a/b",),
            ("a/b", "y", 0),
            ("a/b", "y", 1),
            ("a/b", "y", 5),
            ("c", "d"),
            ("e", 0),
            ("nope",),
            (),
        ]
    )
    assert got[("a/b",)] == 5  # a repeated key: the last one, as the parser keeps it
    assert got[("a/b", "y", 0)] == 7
    assert got[("a/b", "y", 1)] == 8
    assert got[("a/b", "y", 5)] == 6  # past the end: the array's own line
    assert got[("c", "d")] == 11  # children on the container's line: that line
    assert got[("e", 0)] == 12
    assert got[("nope",)] == got[()] == 1
    assert JsonLines('{\n"a": {\n"b": 1}}').lines([("a", "b")])[("a", "b")] == 1
    assert JsonLines('{\n  "a": 1\n}').lines([("a", "b")])[("a", "b")] == 2  # a scalar
    assert JsonLines('{\n  "caf\\u00e9": {\n    "x": 1\n  }\n}').lines([("café", "x")]) == {
        ("café", "x"): 3
    }


def test_a_json_validation_error_points_at_the_invalid_node() -> None:
    spec = _spec(USER)
    bad = copy.deepcopy(spec)
    bad["paths"]["/u"]["get"]["responses"]["200"]["descriptio"] = "ok"
    head = json.dumps(bad, indent=2)
    found = run_check(OpenAPICheck(), {"api.json": json.dumps(spec, indent=2)}, {"api.json": head})
    invalid = [f for f in found if f.rule == "spec-invalid"]
    assert len(invalid) == 1 and invalid[0].location is not None
    assert invalid[0].location.start_line == _line_of(head, '"200": {')
