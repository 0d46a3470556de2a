"""The gate groups copies of one shared-schema change; ``openapi diff`` does not."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.group import Group, group
from gatekeeper.checks.openapi.load import Document
from gatekeeper.checks.openapi.rules.base import Change, Shared
from gatekeeper.cli.openapi import openapi
from gatekeeper.model import Finding, Level
from gatekeeper.report.escape import md_blocks
from gatekeeper.testing import changeset, context

ERROR_REF = "{$ref: '#/components/schemas/Error'}"


def _error_response(status: str, ref: str = ERROR_REF) -> str:
    return (
        f"        '{status}':\n          description: e\n          content:\n"
        f"            application/json:\n              schema: {ref}\n"
    )


def _spec(
    ops: list[tuple[str, str, list[str]]],
    *,
    code: bool = True,
    query: str = "",
    ref: str = ERROR_REF,
) -> str:
    """A spec whose operations (path, method, error statuses) answer with Error."""
    out = ["openapi: 3.0.3", "info: {title: t, version: 1.0.0}", "paths:"]
    for path in sorted({p for p, _, _ in ops}):
        out.append(f"  {path}:")
        for _, method, statuses in (o for o in ops if o[0] == path):
            out.append(f"    {method}:")
            if query and method == "get":
                out.append(f"      parameters:\n{query}")
            out.append("      responses:\n        '204': {description: ok}")
            out.extend(_error_response(s, ref).rstrip("\n") for s in statuses)
    out += ["components:", "  schemas:", "    Error:", "      type: object", "      properties:"]
    out.append("        message: {type: string}")
    if code:
        out.append("        code: {type: integer}")
    return "\n".join(out) + "\n"


OPS = [
    ("/owners", "get", ["500"]),
    ("/owners", "post", ["400"]),
    ("/pets", "post", ["400", "500"]),
    ("/pets", "delete", []),
]


def _run(base: str, head: str, files: dict[str, str] | None = None) -> tuple[list[Finding], str]:
    extra = files or {}
    ctx = context(changeset({"openapi.yaml": base, **extra}, {"openapi.yaml": head, **extra}))
    findings = [f for f in OpenAPICheck().run(ctx) if f.rule != "api-version-not-bumped"]
    return findings, ctx.summary or ""


def _error_line(text: str) -> int:
    # a YAML mapping is located at its first key: the line after `Error:`
    return text.splitlines().index("    Error:") + 2


def test_a_shared_schema_change_is_one_finding_at_the_schema() -> None:
    base, head = _spec(OPS), _spec(OPS, code=False)
    findings, summary = _run(base, head)
    assert [f.rule for f in findings] == ["response-optional-property-removed"]
    (f,) = findings
    assert f.message == (
        "optional property 'code' removed from the response schema Error, "
        "used by 3 operations (GET /owners, POST /owners, POST /pets)"
    )
    assert f.location is not None and f.location.path == "openapi.yaml"
    assert f.location.start_line == _error_line(head)
    assert "4 changes to shared schemas grouped into 1 finding;" in summary


def test_the_changelog_keeps_every_operation() -> None:
    ctx = context(changeset({"openapi.yaml": _spec(OPS)}, {"openapi.yaml": _spec(OPS, code=False)}))
    OpenAPICheck().run(ctx)
    changelog = md_blocks(ctx.details)
    for op in ("GET /owners", "POST /owners", "POST /pets"):
        assert f"- `{op}`" in changelog
    assert changelog.count("optional property 'code' removed") == 4


def test_the_fingerprint_is_the_rule_and_the_schema_not_the_operations() -> None:
    more = [*OPS, ("/vets", "get", ["500"])]
    (few,), _ = _run(_spec(OPS), _spec(OPS, code=False))
    (many,), _ = _run(_spec(more), _spec(more, code=False))
    assert "used by 4 operations" in many.message
    assert few.fingerprint == many.fingerprint
    assert few.message != many.message


def test_many_operations_are_named_up_to_five() -> None:
    ops = [(f"/r{i}", "get", ["500"]) for i in range(8)]
    (f,), _ = _run(_spec(ops), _spec(ops, code=False))
    assert f.message.endswith(
        "used by 8 operations (GET /r0, GET /r1, GET /r2, GET /r3, GET /r4, ... and 3 more)"
    )


def test_one_operation_answering_twice_is_grouped_as_one_operation() -> None:
    ops = [("/pets", "post", ["400", "500"])]
    (f,), _ = _run(_spec(ops), _spec(ops, code=False))
    assert f.message.endswith("used by 1 operation (POST /pets)")


def test_per_operation_changes_stay_one_finding_each() -> None:
    query = "        - {name: r, in: query, required: true, schema: {type: string}}"
    head_ops = [o for o in OPS if o[1] != "delete"]
    findings, summary = _run(_spec(OPS), _spec(head_ops, query=query))
    by_rule = {f.rule: f for f in findings}
    assert sorted(by_rule) == ["api-removed-without-deprecation", "new-required-request-parameter"]
    assert by_rule["new-required-request-parameter"].message == (
        "new required query parameter 'r' in GET /owners"
    )
    assert "grouped" not in summary


def test_a_change_in_one_operation_only_is_not_grouped() -> None:
    ops = [("/pets", "post", ["400"]), ("/owners", "get", [])]
    (f,), summary = _run(_spec(ops), _spec(ops, code=False))
    assert f.message == (
        "POST /pets: optional property 'code' removed from the 400 application/json response"
    )
    assert "grouped" not in summary


def test_a_schema_in_its_own_file_is_located_in_that_file() -> None:
    ref = "{$ref: 'schemas/error.yaml'}"
    spec = _spec(OPS, ref=ref).split("components:")[0]
    schema = "type: object\nproperties:\n  message: {type: string}\n  code: {type: integer}\n"
    ctx = context(
        changeset(
            {"openapi.yaml": spec, "schemas/error.yaml": schema},
            {"openapi.yaml": spec, "schemas/error.yaml": schema.replace("  code:", "  kode:")},
        )
    )
    findings = [
        f for f in OpenAPICheck().run(ctx) if f.rule == "response-optional-property-removed"
    ]
    (f,) = findings
    # `code` renamed `kode`: the message says so between the schema and its operations
    assert "from the response schema schemas/error.yaml while 'kode'" in f.message
    assert f.message.endswith("used by 3 operations (GET /owners, POST /owners, POST /pets)")
    assert f.location is not None
    assert (f.location.path, f.location.start_line) == ("schemas/error.yaml", 1)


def test_a_component_inside_inline_arrays_is_grouped_by_that_component() -> None:
    items = "{type: array, items: {$ref: '#/components/schemas/Error'}}"
    base, head = (
        _spec(OPS, ref=items),
        _spec(OPS, ref=items).replace(
            "        message: {type: string}",
            "        message: {type: string}\n        hint: {type: string}",
        ),
    )
    (f,), _ = _run(base, head)
    assert f.rule == "response-optional-property-added"
    # told from the component, not from each payload's path to it
    assert f.message.startswith("optional property 'hint' added to the response schema Error, used")
    assert f.location is not None
    assert f.location.start_line == head.splitlines().index("        hint: {type: string}") + 1


def test_openapi_diff_still_lists_one_entry_per_operation(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(_spec(OPS), encoding="utf-8")
    (tmp_path / "head.yaml").write_text(_spec(OPS, code=False), encoding="utf-8")
    args = ["diff", str(tmp_path / "base.yaml"), str(tmp_path / "head.yaml"), "--format", "json"]
    result = CliRunner().invoke(openapi, args)
    data = json.loads(result.output)
    removed = [f for f in data["findings"] if f["rule"] == "response-optional-property-removed"]
    assert sorted(f["operation"] for f in removed) == [
        "GET /owners", "POST /owners", "POST /pets", "POST /pets",
    ]  # fmt: skip


def _change(op: str, where: str, shared: Shared | None, node: object = None) -> Change:
    return Change(
        op, "rule-x", f"x removed from {where}", Level.INFO, "", None, f"{where}|x", node, shared
    )


def test_unlocatable_copies_point_at_the_spec() -> None:
    doc = Document("spec.yaml", {})
    shared = [Shared("#/S", w, "request") for w in ("the a body", "the b body")]
    groups = group(
        doc,
        [_change("GET /a", "the a body", shared[0]), _change("GET /b", "the b body", shared[1])],
    )
    (g,) = groups
    assert isinstance(g, Group) and g.grouped
    assert (g.path, g.line) == ("spec.yaml", None)
    assert g.message == "x removed from the request schema S, used by 2 operations (GET /a, GET /b)"
    assert g.evidence == "#/S|*|x"


def test_changes_without_a_shared_schema_or_node_are_not_grouped() -> None:
    doc = Document("spec.yaml", {})
    inline = Shared("", "the a body", "request")
    elsewhere = Shared("#/S", "not in the message", "request")
    changes = [
        _change("GET /a", "the a body", inline),
        _change("GET /b", "the a body", inline),
        _change("GET /c", "the c body", elsewhere),
        _change("", "the d body", None),
    ]
    groups = group(doc, changes)
    assert [g.grouped for g in groups] == [False] * 4
    assert sorted(g.operations for g in groups) == [(), ("GET /a",), ("GET /b",), ("GET /c",)]
    assert all(g.path == "spec.yaml" for g in groups)


def test_a_schema_is_named_by_its_last_pointer_segment_or_its_file() -> None:
    assert Shared("#/components/schemas/Error", "", "response").name == "Error"
    assert Shared("common.yaml#/defs/a~1b", "", "response").name == "a/b"
    assert Shared("common.yaml#", "", "response").name == "common.yaml"
    assert Shared("schemas/error.yaml", "", "response").name == "schemas/error.yaml"


NESTED = """openapi: 3.0.3
info: {title: t, version: 1.0.0}
paths:
  /charges:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties: {data: {type: array, items: {$ref: '#/components/schemas/Charge'}}}
  /refunds/{id}:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Refund'}
components:
  schemas:
    Charge:
      type: object
      properties:
        refund: {$ref: '#/components/schemas/Refund'}
    Refund:
      type: object
      required: [reason]
      properties:
        reason: {type: string}
"""


def test_a_change_deep_in_a_component_is_one_finding_whatever_the_path_to_it() -> None:
    # Stripe's refund.reason, reached as data/items/refund/reason and as reason: 2 copies
    # under 2 payload schemas, one decision for a reviewer
    head = NESTED.replace("      required: [reason]\n", "")
    findings, _ = _run(NESTED, head)
    (f,) = [f for f in findings if f.rule == "response-property-became-optional"]
    assert f.message.startswith(
        "property 'reason' of the response schema Refund became optional, used by 2 operations"
    )
    assert "GET /charges" in f.message and "GET /refunds/{id}" in f.message
    assert f.location is not None
    assert f.location.start_line == head.splitlines().index("        reason: {type: string}") + 1


def test_openapi_diff_without_grouping_keeps_each_path(tmp_path: Path) -> None:
    head = NESTED.replace("      required: [reason]\n", "")
    (tmp_path / "b.yaml").write_text(NESTED, encoding="utf-8")
    (tmp_path / "h.yaml").write_text(head, encoding="utf-8")
    args = ["diff", str(tmp_path / "b.yaml"), str(tmp_path / "h.yaml"), "--format", "json"]
    data = json.loads(CliRunner().invoke(openapi, args).output)
    messages = sorted(f["message"] for f in data["findings"])
    assert any("'data/items/refund/reason'" in m for m in messages)
    assert any("'reason' of the 200" in m for m in messages)


def test_a_reference_changed_where_it_is_used_is_told_from_the_user() -> None:
    # `refund: {$ref: Refund}` became `{anyOf: [{$ref: Refund}], nullable: true}`: Charge's
    # property became nullable; Refund itself did not change
    ops = NESTED.replace(
        "  /refunds/{id}:",
        "  /charges/{id}:\n    get:\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        "              schema: {$ref: '#/components/schemas/Charge'}\n  /refunds/{id}:",
    )
    head = ops.replace(
        "refund: {$ref: '#/components/schemas/Refund'}",
        "refund: {nullable: true, anyOf: [{$ref: '#/components/schemas/Refund'}]}",
    )
    findings, _ = _run(ops, head)
    (f,) = [f for f in findings if f.rule == "response-property-became-nullable"]
    assert f.message.startswith("'refund' in the response schema Charge became nullable, used by 2")
