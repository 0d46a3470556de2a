"""A request schema's new ``allOf`` branch that its base already implied changes nothing a
client can send: it is reported for information, not as a breaking change (komga 1.19.0:
springdoc lists every parent of a search condition, and ``Author`` became a ``Book``
condition too, ``Book`` being an empty object)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Finding, Level
from gatekeeper.testing import run_check

RULE = "request-property-all-of-added"
OPERATOR = {
    "required": ["operator"],
    "type": "object",
    "properties": {"operator": {"type": "string"}},
    "discriminator": {"propertyName": "operator"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _spec(author_branches: list[Any], extra: dict[str, Any]) -> str:
    """A search endpoint whose condition is one of ``Author`` and ``Is`` (komga's shape)."""
    schemas = {
        "Series": {"type": "object"},
        "Author": {
            "required": ["author"],
            "type": "object",
            "allOf": [
                _ref("Series"),
                {"type": "object", "properties": {"author": {"oneOf": [_ref("Is")]}}},
                *author_branches,
            ],
        },
        "Is": {
            "required": ["value"],
            "type": "object",
            "allOf": [
                _ref("NumericNullableInteger"),
                {"type": "object", "properties": {"value": {"type": "object"}}},
                *(_ref(n) for n in extra if n.startswith("Equality")),
            ],
        },
        "NumericNullableInteger": OPERATOR,
        "SeriesSearch": {
            "type": "object",
            "properties": {"condition": {"oneOf": [_ref("Author"), _ref("Is")]}},
        },
        **extra,
    }
    body = {"content": {"application/json": {"schema": _ref("SeriesSearch")}}, "required": True}
    op = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
    doc = {
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {"/api/v1/series/list": {"post": op}},
        "components": {"schemas": schemas},
    }
    return json.dumps(doc, indent=2)


def _found(branches: list[Any], extra: dict[str, Any]) -> list[Finding]:
    base = {"docs/openapi.json": _spec([], {})}
    head = {"docs/openapi.json": _spec(branches, extra)}
    return [f for f in run_check(OpenAPICheck(), base, head) if f.rule == RULE]


def _fired(branches: list[Any], extra: dict[str, Any]) -> list[str]:
    """The messages of the findings that block (an error)."""
    return [f.message for f in _found(branches, extra) if f.level is Level.ERROR]


def test_a_new_parent_the_base_already_implied_is_silent() -> None:
    # Book is an empty object (Author was one already); EqualityMediaProfile repeats the
    # operator parent Is had
    extra = {"Book": {"type": "object"}, "EqualityMediaProfile": dict(OPERATOR)}
    assert _fired([_ref("Book")], extra) == []
    # still told, for information (oasdiff reports every new branch)
    found = _found([_ref("Book")], extra)
    assert {f.level for f in found} == {Level.INFO} and len(found) == 2
    assert all("the base schema already implied it" in f.message for f in found)


@pytest.mark.parametrize(
    "book",
    [
        # a property the client must now send
        {"type": "object", "required": ["bookId"], "properties": {"bookId": {"type": "string"}}},
        # no property beyond the listed ones: the author's own is refused
        {
            "type": "object",
            "properties": {"title": {"type": "string"}},
            "additionalProperties": False,
        },
        # a stricter author than the base allowed
        {"type": "object", "properties": {"author": {"type": "string"}}},
    ],
)
def test_a_new_parent_that_constrains_clients_fires(book: dict[str, Any]) -> None:
    (message,) = _fired([_ref("Book")], {"Book": book})
    assert "allOf branch 'Book' added" in message and "Author" in message


def test_a_parent_like_an_existing_one_but_stricter_fires() -> None:
    stricter = {**OPERATOR, "properties": {"operator": {"type": "string", "enum": ["is"]}}}
    (message,) = _fired([], {"EqualityMediaProfile": stricter})
    assert "allOf branch 'EqualityMediaProfile' added" in message and "Is" in message
