"""Branches of one type told apart by what they hold, and a schema wrapped in ``allOf``
with optional properties beside it (typebot 8771def9a1 and 9e0109f561): editing a
shared part of two object branches of a ``oneOf`` is an edit of both, not two removals;
``X`` becoming ``allOf: [X, {properties: {id: ...}}]`` adds an optional property."""

from __future__ import annotations

import json
from typing import Any

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Level
from gatekeeper.testing import run_check


def _typebot(version: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "version": {"type": "string", "enum": [version] if version == "6" else ["3", "4", "5"]},
        "name": {"type": "string"},
        "settings": {"type": "object", "properties": {"a": {"type": "string"}, **(extra or {})}},
    }
    return {"type": "object", "properties": props, "required": ["version", "name"]}


def _spec(body: dict[str, Any]) -> str:
    schema = {"type": "object", "properties": {"typebot": body}}
    op = {
        "requestBody": {"content": {"application/json": {"schema": schema}}, "required": True},
        "responses": {"200": {"description": "ok"}},
    }
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/import": {"post": op}},
    }
    return json.dumps(doc, indent=1)


def _errors(base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    found = run_check(OpenAPICheck(), {"openapi.json": _spec(base)}, {"openapi.json": _spec(head)})
    return sorted(f.rule for f in found if f.level is Level.ERROR)


SECURITY = {"security": {"type": "object", "properties": {"origins": {"type": "array"}}}}


def test_an_optional_property_added_to_both_object_branches_is_no_removal() -> None:
    base = {"oneOf": [_typebot("6"), _typebot("5")]}
    head = {"oneOf": [_typebot("6", SECURITY), _typebot("5", SECURITY)]}
    assert _errors(base, head) == []


def test_a_branch_really_removed_among_alike_ones_still_fires() -> None:
    base = {"oneOf": [_typebot("6"), _typebot("5")]}
    # the version 5 branch is gone; the version 6 one is edited
    assert _errors(base, {"oneOf": [_typebot("6", SECURITY)]}) == [
        "request-property-one-of-removed"
    ]
    # branches whose tags allow none of each other's values are never paired: the old
    # versions' branch replaced by a version 7 one is a removal
    seven = _typebot("6", SECURITY)
    seven["properties"]["version"] = {"type": "string", "enum": ["7"]}
    head = {"oneOf": [_typebot("6", SECURITY), seven]}
    assert _errors(base, head) == ["request-property-one-of-removed"]


def test_a_schema_wrapped_in_all_of_with_an_optional_property_adds_it() -> None:
    base = {"anyOf": [_typebot("6"), _typebot("5")]}
    extra = {"type": "object", "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"}}}
    assert _errors(base, {"allOf": [base, extra]}) == []
    # ...but a part beside it that requires a property is a new demand on the client
    demanding = {**extra, "required": ["id"]}
    assert "new-required-request-property" in _errors(base, {"allOf": [base, demanding]})
