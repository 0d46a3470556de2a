"""Attacks on round 27's relaxation of the OpenAPI check: a request schema's new ``allOf``
branch that the base composition already implied (springdoc's empty ``Book`` parent, a
parent repeating an existing one) is reported for information, not as breaking.

Each case adds a branch that looks like such a parent but asks more of the client: a
required property, no further properties, a stricter type for a property the base
declared, a bound the base did not set, a discriminator unlike the existing one, a
recursive parent with a requirement deep inside. Every one must still block; they pass
on the code before this round too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  openapi: {}\n  security: false\n"
RULE = "openapi/request-property-all-of-added"
OPERATOR = {
    "required": ["operator"],
    "type": "object",
    "properties": {"operator": {"type": "string"}},
    "discriminator": {"propertyName": "operator"},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _spec(author: dict[str, Any], extra: dict[str, Any]) -> str:
    schemas = {
        "Series": {"type": "object"},
        "Is": {"allOf": [_ref("Operator"), {"properties": {"value": {"type": "object"}}}]},
        "Operator": OPERATOR,
        "Author": author,
        "Search": {"type": "object", "properties": {"condition": {"oneOf": [_ref("Author")]}}},
        **extra,
    }
    body = {"content": {"application/json": {"schema": _ref("Search")}}, "required": True}
    op = {"requestBody": body, "responses": {"200": {"description": "ok"}}}
    return json.dumps(
        {
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "paths": {"/api/v1/series/list": {"post": op}},
            "components": {"schemas": schemas},
        },
        indent=2,
    )


def _author(*branches: Any) -> dict[str, Any]:
    own: dict[str, Any] = {"required": ["author"], "type": "object"}
    props = {"properties": {"author": {"oneOf": [_ref("Is")]}}}
    return {**own, "allOf": [_ref("Series"), props, *branches]}


@pytest.mark.parametrize(
    ("base_author", "book"),
    [
        # a property every request must now carry
        (_author(), {"type": "object", "required": ["bookId"]}),
        # no property beyond the listed ones: the author's own is refused
        (_author(), {"type": "object", "additionalProperties": False}),
        # a stricter type for a property the base declared
        (_author(), {"type": "object", "properties": {"author": {"type": "string"}}}),
        # a bound on the object the base did not set
        (_author(), {"type": "object", "maxProperties": 1}),
        # a parent like the existing operator one, but with a value set to choose from
        (
            _author(),
            {**OPERATOR, "properties": {"operator": {"type": "string", "enum": ["is"]}}},
        ),
        # a discriminator mapping unlike any the base had
        (_author(), {**OPERATOR, "discriminator": {"propertyName": "kind"}}),
        # a recursive parent whose nested condition requires what the base did not
        (
            _author(),
            {
                "type": "object",
                "properties": {"author": {"oneOf": [_ref("Book")]}},
                "required": ["operator"],
            },
        ),
    ],
)
def test_a_new_parent_that_asks_more_of_the_client_still_blocks(
    attack: AttackFactory, base_author: dict[str, Any], book: dict[str, Any]
) -> None:
    head_author = {**base_author, "allOf": [*base_author["allOf"], _ref("Book")]}
    base = {"docs/openapi.json": _spec(base_author, {})}
    head = {"docs/openapi.json": _spec(head_author, {"Book": book})}
    assert_blocked(attack(POLICY, base, head).judge(), RULE)
