"""Bad input: every broken spec gives a clear finding, never a traceback."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES, SpecError, check_size, parse
from gatekeeper.model import plain_text
from gatekeeper.testing import changeset, context, run_check

GOOD = (
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /a:\n"
    "    get:\n"
    "      responses:\n"
    "        '200': {description: ok}\n"
)


def _spec(extra_paths: str = "", components: str = "") -> str:
    return GOOD + extra_paths + components


def _rules(base: dict[str, str | bytes], head: dict[str, str | bytes]) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in run_check(OpenAPICheck(), base, head)]


def test_invalid_yaml_is_a_finding_with_a_line() -> None:
    findings = run_check(
        OpenAPICheck(), {"openapi.yaml": GOOD}, {"openapi.yaml": GOOD + "  bad: [unclosed\n"}
    )
    assert [f.rule for f in findings] == ["spec-invalid-syntax"]
    assert findings[0].location is not None and findings[0].location.start_line is not None


def test_duplicate_yaml_key_is_refused() -> None:
    head = "openapi: 3.0.3\nopenapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    rules = _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head})
    assert rules and rules[0][0] == "spec-invalid-syntax" and "duplicate key" in rules[0][1]


def test_duplicate_json_key_is_reported_but_the_spec_still_compares() -> None:
    head = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "paths": {}}'
    rules = [r for r, _ in _rules({"openapi.json": GOOD}, {"openapi.json": head})]
    assert "spec-duplicate-key" in rules and "api-path-removed-without-deprecation" in rules


def test_broken_ref() -> None:
    head = _spec(
        "  /b:\n"
        "    post:\n"
        "      requestBody: {$ref: '#/components/requestBodies/Missing'}\n"
        "      responses: {'200': {description: ok}}\n"
    )
    assert "spec-ref-broken" in [
        r for r, _ in _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head})
    ]


def test_ref_to_missing_file_and_ref_in_other_file() -> None:
    head = _spec(
        "  /b:\n"
        "    get:\n"
        "      responses: {'200': {$ref: 'parts/resp.yaml#/Ok'}}\n"
        "  /c:\n"
        "    get:\n"
        "      responses: {'200': {$ref: 'nope.yaml'}}\n"
    )
    files = {"api/openapi.yaml": head, "api/parts/resp.yaml": "Ok: {description: fine}\n"}
    rules = _rules({"api/openapi.yaml": GOOD}, files)
    assert [r for r, m in rules if r.startswith("spec-")] == ["spec-ref-broken"]


def test_change_in_a_referenced_file_is_compared() -> None:
    spec = _spec(
        "  /b:\n"
        "    get:\n"
        "      responses: {'200': {description: ok, content: {application/json:\n"
        "        {schema: {$ref: 'schemas.yaml#/User'}}}}}\n"
    )
    base = {
        "openapi.yaml": spec,
        "schemas.yaml": "User: {type: object, required: [id], properties: {id: {type: string}}}\n",
    }
    head = {
        "openapi.yaml": spec,
        "schemas.yaml": "User: {type: object, properties: {id: {type: string}}}\n",
    }
    assert "response-property-became-optional" in [r for r, _ in _rules(base, head)]


def test_cyclic_ref_terminates() -> None:
    comp = (
        "components:\n"
        "  schemas:\n"
        "    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n"
    )
    head = _spec(
        (
            "  /b:\n"
            "    get:\n"
            "      responses: {'200': {description: ok, content: {application/json:\n"
            "        {schema: {$ref: '#/components/schemas/A'}}}}}\n"
        ),
        comp,
    )
    rules = _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head})
    assert ("endpoint-added" in [r for r, _ in rules]) or rules


def test_ref_outside_repository_and_url_ref() -> None:
    head = _spec(
        "  /b:\n"
        "    get:\n"
        "      responses: {'200': {$ref: '../../etc/passwd'}}\n"
        "  /c:\n"
        "    get:\n"
        "      responses: {'200': {$ref: 'https://example.com/r.yaml'}}\n"
    )
    rules = [r for r, _ in _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head})]
    assert "spec-ref-outside-repo" in rules and "spec-ref-url" in rules


def test_not_openapi_and_binary() -> None:
    assert [r for r, _ in _rules({}, {"openapi.yaml": "just: a config\n"})] == ["spec-not-openapi"]
    assert [r for r, _ in _rules({}, {"openapi.yaml": b"\x00\x01binary"})] == ["spec-unreadable"]
    assert [r for r, _ in _rules({}, {"openapi.yaml": b"openapi: \xff\xfe\n"})] == [
        "spec-unreadable"
    ]


def test_a_workflow_named_like_a_spec_is_not_one() -> None:
    workflow = "name: openapi\non: [push]\njobs:\n  build: {runs-on: ubuntu-latest}\n"
    moved = {".github/workflows/openapi.yml": workflow}
    assert _rules(moved, {".github/workflows/openapi.yml": workflow + "# bumped\n"}) == []
    # the same file anywhere else is taken for a spec that lost its key, and blocks
    assert [r for r, _ in _rules({}, {"ci/openapi.yml": workflow})] == ["spec-not-openapi"]
    # a real spec kept under .github/ is still found by what it declares
    spec = {".github/workflows/openapi.yml": GOOD}
    head = {".github/workflows/openapi.yml": GOOD.replace("    get:", "    post:")}
    assert _rules(spec, head)


def test_deleted_spec_breaks_every_endpoint() -> None:
    rules = [r for r, _ in _rules({"openapi.yaml": GOOD}, {})]
    assert rules == ["api-path-removed-without-deprecation"]


def test_added_spec_is_only_validated() -> None:
    ctx = context(changeset({}, {"openapi.yaml": GOOD}))
    assert list(OpenAPICheck().run(ctx)) == []
    assert "New API spec" in plain_text(ctx.details)
    broken = GOOD.replace("version: '1'", "version: [1]")
    rules = [r for r, _ in _rules({}, {"openapi.yaml": broken})]
    assert rules and set(rules) == {"spec-invalid"}


def test_operation_without_responses() -> None:
    head = (
        "openapi: 3.1.0\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /a:\n"
        "    get: {summary: nothing}\n"
    )
    rules = _rules({}, {"openapi.yaml": head})
    assert ("spec-invalid", "GET /a declares no responses") in [
        (r, m.split(": ", 1)[-1]) for r, m in rules
    ]


def test_huge_spec_is_refused_unread() -> None:
    big = GOOD.encode() + b"#" * (50 * 1024 * 1024)  # the 50 MB spec
    assert len(big) > MAX_SPEC_BYTES
    rules = _rules({"openapi.yaml": GOOD}, {"openapi.yaml": big})
    assert [r for r, _ in rules] == ["spec-unreadable"] and "limit" in rules[0][1]


def test_unrelated_yaml_change_does_not_apply_or_report() -> None:
    assert _rules({"config.yaml": "a: 1\n"}, {"config.yaml": "a: 2\n"}) == []
    assert _rules({"README.md": "x"}, {"README.md": "y"}) == []


def test_configured_specs_and_changelog_and_major_bump() -> None:
    base = {"api/v1.yml": GOOD.replace("version: '1'", "version: '1.2.0'")}
    head = {
        "api/v1.yml": yaml.safe_dump(
            {"openapi": "3.0.3", "info": {"title": "t", "version": "1.3.0"}, "paths": {}}
        )
    }
    ctx = context(changeset(base, head), {"specs": ["api/*.yml"], "require_major_bump": True})
    findings = list(OpenAPICheck().run(ctx))
    assert {f.rule for f in findings} == {
        "api-path-removed-without-deprecation",
        "api-major-version-not-bumped",
    }
    assert "Removed endpoints" in plain_text(ctx.details)
    assert ctx.summary.startswith("2 breaking")


def test_duplicate_operation_id_and_swagger_validation() -> None:
    head = (
        "swagger: '2.0'\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /a: {get: {operationId: same, responses: {'200': {description: ok}}}}\n"
        "  /b: {get: {operationId: same, responses: {'200': {description: ok}}}}\n"
    )
    findings = run_check(OpenAPICheck(), {}, {"swagger.yaml": head})
    assert [f.rule for f in findings] == ["spec-invalid"]
    assert "also used by GET /a" in findings[0].message
    assert findings[0].location is not None and findings[0].location.start_line == 5


def test_renamed_spec_is_compared_under_its_new_name() -> None:
    head = GOOD.replace("/a:", "/b:")
    cs = changeset(
        {"openapi.yaml": GOOD},
        {"api/openapi.yaml": head},
        renames={"openapi.yaml": "api/openapi.yaml"},
    )
    findings = list(OpenAPICheck().run(context(cs)))
    assert sorted(f.rule for f in findings) == [
        "api-path-removed-without-deprecation",
        "api-version-not-bumped",
        "endpoint-added",
    ]
    assert {f.location.path for f in findings if f.location} == {"api/openapi.yaml"}


def test_unchanged_specs_are_not_loaded_when_only_another_spec_changed() -> None:
    base = {"a/openapi.yaml": GOOD, "b/openapi.yaml": "openapi: [broken\n"}
    head = {"a/openapi.yaml": GOOD.replace("/a:", "/z:"), "b/openapi.yaml": "openapi: [broken\n"}
    rules = sorted(f.rule for f in run_check(OpenAPICheck(), base, head))
    assert rules == [
        "api-path-removed-without-deprecation",
        "api-version-not-bumped",
        "endpoint-added",
    ]


def test_json_specs_get_operation_lines() -> None:
    base = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}
    op = {"get": {"responses": {"200": {"description": "ok"}}}}
    head = dict(base, paths={"/a": op, "/b": op})
    text = json.dumps(head, indent=2)
    findings = run_check(OpenAPICheck(), {"openapi.json": json.dumps(base)}, {"openapi.json": text})
    lines = {
        f.message.split(" ")[2]: f.location.start_line
        for f in findings
        if f.location and f.rule == "endpoint-added"
    }
    assert lines == {
        "/a": text.splitlines().index('    "/a": {') + 1,
        "/b": text.splitlines().index('    "/b": {') + 1,
    }


def test_ref_to_a_file_that_does_not_parse() -> None:
    head = _spec("  /b:\n    get:\n      responses: {'200': {$ref: 'r.yaml#/Ok'}}\n")
    rules = _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head, "r.yaml": "Ok: [\n"})
    assert next(m for r, m in rules if r == "spec-ref-broken").startswith(
        "$ref 'r.yaml#/Ok': invalid YAML"
    )


def test_json_syntax_error_has_a_line() -> None:
    findings = run_check(
        OpenAPICheck(), {"openapi.json": "{}"}, {"openapi.json": '{\n  "openapi": \n}'}
    )
    assert [f.rule for f in findings] == ["spec-invalid-syntax"]
    assert findings[0].location is not None and findings[0].location.start_line == 3


def test_info_version_going_down_is_reported() -> None:
    head = GOOD.replace("version: '1'", "version: '0.9'").replace("/a:", "/b:")
    rules = [r for r, _ in _rules({"openapi.yaml": GOOD}, {"openapi.yaml": head})]
    assert "api-version-decreased" in rules
    bumped = GOOD.replace("version: '1'", "version: '2'").replace("/a:", "/b:")
    rules = [r for r, _ in _rules({"openapi.yaml": GOOD}, {"openapi.yaml": bumped})]
    assert "api-version-decreased" not in rules and "api-version-not-bumped" not in rules


def test_time_budget_is_checked_during_the_comparison() -> None:
    import pytest

    from gatekeeper.checks.interface import CheckTimeout

    head = (
        GOOD.replace("/a:", "/b:")
        + "  /a:\n    get:\n      responses: {'201': {description: ok}}\n"
    )
    ctx = context(changeset({"openapi.yaml": GOOD}, {"openapi.yaml": head}), timeout=-1)
    with pytest.raises(CheckTimeout):
        list(OpenAPICheck().run(ctx))


def test_schema_findings_point_at_the_changed_schema_in_the_head_spec() -> None:
    content = "{application/json: {schema: {$ref: '#/components/schemas/U'}}}"
    schema = (
        "components:\n  schemas:\n    U:\n      type: object\n      required: [a]\n"
        "      properties:\n        a:\n          type: string\n"
        "        b:\n          type: string\n          enum: [x]\n"
    )
    base = GOOD.replace(
        "'200': {description: ok}", f"'200': {{description: ok, content: {content}}}"
    )
    base += schema
    head = base.replace("enum: [x]", "enum: [x, y]").replace("      required: [a]\n", "")
    found = run_check(OpenAPICheck(), {"openapi.yaml": base}, {"openapi.yaml": head})
    lines = {f.rule: f.location.start_line for f in found if f.location}
    head_lines = head.splitlines()
    # a schema mapping starts on its first key, the line after the property name
    assert lines["response-property-enum-value-added"] == head_lines.index("        b:") + 2
    assert lines["response-property-became-optional"] == head_lines.index("        a:") + 2


def test_absurdly_deep_nesting_is_refused_not_a_crash() -> None:
    deep = (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\nx-deep: "
        + "[" * 5000
        + "]" * 5000
        + "\n"
    )
    rules = _rules({"openapi.yaml": GOOD}, {"openapi.yaml": deep})
    assert rules and rules[0][0] in ("spec-unreadable", "spec-invalid-syntax")
    deep_json = '{"openapi": "3.0.3", "x": ' + "[" * 100000 + "]" * 100000 + "}"
    rules = _rules({"openapi.json": "{}"}, {"openapi.json": deep_json})
    assert rules and rules[0][0] == "spec-unreadable"


def test_schemas_too_deep_to_compare_are_a_check_error() -> None:
    import pytest

    from gatekeeper.checks.interface import CheckError

    def nested(depth: int, leaf: dict[str, object]) -> dict[str, object]:
        node: dict[str, object] = leaf
        for _ in range(depth):
            node = {"type": "object", "properties": {"n": node}}
        return node

    def spec(leaf: dict[str, object]) -> str:
        media = {"application/json": {"schema": nested(450, leaf)}}
        op = {"responses": {"200": {"description": "ok", "content": media}}}
        return json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {"/a": {"get": op}},
            }
        )

    ctx = context(
        changeset(
            {"openapi.json": spec({"type": "string"})}, {"openapi.json": spec({"type": "integer"})}
        )
    )
    with pytest.raises(CheckError, match="nest too deeply"):
        list(OpenAPICheck().run(ctx))


# dogfood (a Go service's hand-written 3.0 spec): `optional: true` under an unquoted
# status code made every PR touching the spec block, with a JSON dump for a message
_LEGACY = (
    "openapi: 3.0.3\n"
    "info: {title: t, version: '1'}\n"
    "paths:\n"
    "  /settings:\n"
    "    get:\n"
    "      responses:\n"
    "        200:\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema:\n"
    "                type: object\n"
    "                properties:\n"
    "                  mode: {type: string, optional: true}\n"
)


def test_a_oneof_failure_names_the_key_at_fault_and_its_line() -> None:
    findings = run_check(OpenAPICheck(), {}, {"openapi.yaml": _LEGACY})
    assert [f.rule for f in findings] == ["spec-invalid"]
    assert findings[0].message == (
        "/paths//settings/get/responses/200/content/application/json/schema/properties/mode:"
        " Additional properties are not allowed ('optional' was unexpected)"
    )
    assert findings[0].location is not None and findings[0].location.start_line == 14


def test_problems_already_in_the_base_spec_are_marked_pre_existing() -> None:
    added = "  /b:\n    get:\n      responses:\n        '200': {description: ok}\n"
    ctx = context(changeset({"openapi.yaml": _LEGACY}, {"openapi.yaml": _LEGACY + added}))
    found = [f for f in OpenAPICheck().run(ctx) if f.rule == "spec-invalid"]
    assert len(found) == 1 and ctx.existing_at_base == {found[0].fingerprint: 1}
    # a problem the change introduces is not excused by the old one
    worse = _LEGACY + added.replace("'200': {description: ok}", "'200': {summary: ok}")
    ctx = context(changeset({"openapi.yaml": _LEGACY}, {"openapi.yaml": worse}))
    found = [f for f in OpenAPICheck().run(ctx) if f.rule == "spec-invalid"]
    new = [f for f in found if f.fingerprint not in ctx.existing_at_base]
    assert len(found) == 2 and len(new) == 1 and "/b/" in new[0].message


def test_a_renamed_invalid_spec_keeps_its_problems_pre_existing() -> None:
    changes = changeset(
        {"api.yaml": _LEGACY}, {"openapi.yaml": _LEGACY}, renames={"api.yaml": "openapi.yaml"}
    )
    ctx = context(changes, {"specs": ["openapi.yaml"]})
    found = [f for f in OpenAPICheck().run(ctx) if f.rule == "spec-invalid"]
    assert found and all(f.fingerprint in ctx.existing_at_base for f in found)


def test_empty_swagger_responses_are_one_problem() -> None:
    head = (
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /panic: {get: {responses: {}}}\n"
    )
    findings = run_check(OpenAPICheck(), {}, {"swagger.yaml": head})
    assert [f.message for f in findings] == [
        "/paths//panic/get/responses: {} has less than 1 property"
    ]


def test_a_forbidden_shape_and_a_list_item_are_located_and_explained() -> None:
    head = (
        "swagger: '2.0'\n"
        "info: {title: t, version: '1'}\n"
        "tags:\n"
        "  - name: a\n"
        "  - {name: b, bogus: 1}\n"
        "paths:\n"
        "  /x: {get: {responses: {x-note: 1}}}\n"
    )
    found = sorted(
        (f.location.start_line if f.location else 0, f.message)
        for f in run_check(OpenAPICheck(), {}, {"swagger.yaml": head})
    )
    assert found[0][0] == 5 and found[0][1].startswith("/tags/1: ")
    assert found[1] == (
        7,
        "/paths//x/get/responses: has a shape the OpenAPI schema forbids here"
        " (e.g. only x- extensions)",
    )


_USER = (
    "  /u:\n"
    "    get:\n"
    "      responses:\n"
    "        '200':\n"
    "          description: ok\n"
    "          content:\n"
    "            application/json:\n"
    "              schema: {$ref: '#/components/schemas/User'}\n"
)
_USER_SCHEMA = (
    "components:\n"
    "  schemas:\n"
    "    User: {type: object, required: [id], properties: {id: {type: string}}}\n"
)


def test_ref_keys_inside_examples_are_data_not_references() -> None:
    # GitHub's description shows git refs in examples: {"ref": ..., "$ref": "https://..."}
    examples = (
        "              example: {$ref: 'https://api.github.com/x', id: '1'}\n"
        "              examples:\n"
        "                one: {value: {$ref: 'https://api.github.com/y'}}\n"
        "                two: {$ref: '#/components/examples/Two'}\n"
    )
    head = _spec(_USER.replace("schema: {$ref", "schema: {default: {$ref: 'z'}, $ref") + examples)
    head += _USER_SCHEMA + "  examples:\n    Two: {value: [{$ref: 'https://x'}]}\n"
    schema_example = "properties: {id: {type: string, examples: [{$ref: 'https://w'}]}}"
    head = head.replace("properties: {id: {type: string}}", schema_example)
    base = _spec(_USER, _USER_SCHEMA)
    rules = [r for r, _ in _rules({"openapi.yaml": base}, {"openapi.yaml": head})]
    assert not [r for r in rules if r.startswith("spec-ref")], rules
    # a property that happens to be called "example" is a schema, and its $ref is followed
    named = _spec(_USER, _USER_SCHEMA).replace(
        "properties: {id: {type: string}}",
        "properties: {id: {type: string}, example: {$ref: '#/nope'}}",
    )
    rules = [r for r, _ in _rules({"openapi.yaml": base}, {"openapi.yaml": named})]
    assert "spec-ref-broken" in rules


def test_a_broken_sibling_ref_is_not_compared_as_an_empty_schema() -> None:
    base = _spec(_USER, _USER_SCHEMA)
    head = base.replace(
        "{$ref: '#/components/schemas/User'}", "{$ref: '#/components/schemas/Usr', description: x}"
    )
    ctx = context(changeset({"openapi.yaml": base}, {"openapi.yaml": head}))
    findings = list(OpenAPICheck().run(ctx))
    assert [f.rule for f in findings] == ["spec-ref-broken"]  # not "property 'id' removed"
    assert "'#/components/schemas/Usr'" in findings[0].message
    assert "was not compared" in plain_text(ctx.details)
    # a ref that was already broken at base does not stop the comparison
    worse = head.replace("required: [id], ", "")
    ctx = context(changeset({"openapi.yaml": head}, {"openapi.yaml": worse}))
    assert "spec-ref-broken" in {f.rule for f in OpenAPICheck().run(ctx)}


def test_specs_that_cannot_be_compared_are_one_clear_finding() -> None:
    for bad, says in (
        (GOOD.replace("info: {title: t, version: '1'}\n", ""), "has no 'info' object"),
        (GOOD.replace("3.0.3", "4.7.0"), "'4.7.0' is not a version"),
        (
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: [/a]\n",
            "'paths' must be a mapping",
        ),
    ):
        findings = run_check(OpenAPICheck(), {"openapi.yaml": GOOD}, {"openapi.yaml": bad})
        assert [f.rule for f in findings] == ["spec-invalid"], findings
        assert says in findings[0].message and findings[0].location is not None


def test_a_spec_with_sorted_keys_is_found_and_compared() -> None:
    # json.dumps(sort_keys=True) puts "openapi" after "components" (Stripe's spec3.json):
    # thousands of lines down in a real spec, past any fixed-size sniff
    def sorted_json(doc: dict[str, Any]) -> str:
        return json.dumps(doc, sort_keys=True, indent=2)

    pad = {f"S{i}": {"type": "object", "description": "x" * 100} for i in range(100)}
    user = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/u": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/User"}
                                }
                            },
                        }
                    }
                }
            }
        },
        "components": {"schemas": {**pad, "User": user}},
    }
    base = sorted_json(doc)
    assert base.index('"openapi"') > 10_000
    user["required"] = []
    head = sorted_json(doc)
    rules = [r for r, _ in _rules({"api/spec3.json": base}, {"api/spec3.json": head})]
    assert "response-property-became-optional" in rules
    # a JSON file with an "openapi" key below the top (a fixture, a config) is not a spec
    fixture = json.dumps({"data": [{"openapi": "3.0.0"}] * 500}, indent=2)
    assert _rules({"fixtures/x.json": fixture}, {"fixtures/x.json": fixture + "\n"}) == []


def test_a_spec_over_the_limit_gets_one_message_whoever_reads_it() -> None:
    """Refused before reading (its size known from the diff) or after (only its bytes
    known): the same words, naming the file."""
    big = b"#" * (MAX_SPEC_BYTES + 1)
    with pytest.raises(SpecError) as by_size:
        check_size("api/openapi.yaml", len(big))
    with pytest.raises(SpecError) as by_bytes:
        parse(big, "api/openapi.yaml")
    assert by_size.value.message == by_bytes.value.message
    assert by_size.value.message.startswith("api/openapi.yaml is 40 MB, over the 40 MB limit")
    check_size("api/openapi.yaml", MAX_SPEC_BYTES)  # at the limit: accepted
    check_size("api/openapi.yaml", None)  # size unknown until read: nothing refused yet


def _with_path_parameter(required: str, where: str = "path") -> str:
    return (
        "openapi: 3.0.3\n"
        "info: {title: t, version: '1'}\n"
        "paths:\n"
        "  /domains/{id}:\n"
        "    delete:\n"
        f"      parameters: [{{name: id, in: {where}, required: {required},"
        " schema: {type: string}}]\n"
        "      responses: {'200': {description: ok}}\n"
    )


def test_a_path_parameter_marked_optional_is_a_warning() -> None:
    # useSend 2fe2d5cdab: zod-openapi writes required: false for an optional path schema
    findings = run_check(OpenAPICheck(), {}, {"openapi.yaml": _with_path_parameter("false")})
    assert [(f.rule, f.level.name) for f in findings] == [("spec-invalid", "WARNING")]
    assert "required by its place in the path template" in findings[0].message


def test_other_invalid_parameters_still_block() -> None:
    # a query parameter's required flag that is not a boolean is a real mistake
    head = _with_path_parameter("'no'", where="query")
    findings = run_check(OpenAPICheck(), {}, {"openapi.yaml": head})
    assert findings and all(f.rule == "spec-invalid" for f in findings)
    assert all(f.level.name == "ERROR" for f in findings)
