"""A format added to a request's integer or number: the widest of its type (int64,
double) restricts nothing a client sends (harbor 95ed8f0eda declared its ids int64);
a narrower one (int32, float) or a changed one still does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Level
from gatekeeper.testing import run_check


def _spec(schema: dict[str, Any]) -> str:
    param = {"name": "robot_id", "in": "path", "required": True, "schema": schema}
    robot = {"type": "object", "properties": {"creator_ref": schema}}
    ok = {"description": "ok", "content": {"application/json": {"schema": robot}}}
    op = {"parameters": [param], "responses": {"200": ok}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/robots/{robot_id}": {"delete": op}},
    }
    return json.dumps(doc)


def _errors(base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    found = run_check(OpenAPICheck(), {"api.json": _spec(base)}, {"api.json": _spec(head)})
    return [f.rule for f in found if f.level is Level.ERROR]


@pytest.mark.parametrize(
    ("base", "head"),
    [
        ({"type": "integer"}, {"type": "integer", "format": "int64"}),
        ({"type": "number"}, {"type": "number", "format": "double"}),
    ],
)
def test_the_widest_format_added_is_no_restriction(
    base: dict[str, Any], head: dict[str, Any]
) -> None:
    assert _errors(base, head) == []


@pytest.mark.parametrize(
    ("base", "head"),
    [
        ({"type": "integer"}, {"type": "integer", "format": "int32"}),
        ({"type": "number"}, {"type": "number", "format": "float"}),
        ({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int32"}),
        ({"type": "string"}, {"type": "string", "format": "uuid"}),
    ],
)
def test_a_narrower_or_changed_format_still_fires(
    base: dict[str, Any], head: dict[str, Any]
) -> None:
    assert "request-parameter-type-changed" in _errors(base, head)


def test_a_response_field_given_its_widest_format_is_no_widening() -> None:
    # the response's creator_ref says int64 now: a narrowing, which breaks no client
    found = run_check(
        OpenAPICheck(),
        {"api.json": _spec({"type": "integer"})},
        {"api.json": _spec({"type": "integer", "format": "int64"})},
    )
    assert [f.rule for f in found if f.level is not Level.INFO] == []
