"""Every error-level rule of the catalog can fire: keyword changes generated on every
site (request/response, body/property, parameter, header), plus the rule cases."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.model import Level
from gatekeeper.testing import run_check

from . import test_rules

#: keyword -> (a smaller value, a larger value)
_VALUES: dict[str, tuple[Any, Any]] = {
    "maximum": (5, 10),
    "exclusiveMaximum": (5, 10),
    "minimum": (5, 10),
    "exclusiveMinimum": (5, 10),
    "maxLength": (5, 10),
    "minLength": (5, 10),
    "maxItems": (5, 10),
    "minItems": (5, 10),
    "minContains": (1, 2),
    "maxContains": (1, 2),
    "const": ("a", "b"),
    "default": ("a", "b"),
}
_TYPES = [("string", ["string", "integer"]), (["string", "null"], "string"), ("integer", "number")]
_S, _I = {"type": "string"}, {"type": "integer"}
_IMIN = {"type": "integer", "minimum": 1}
#: (base, revision) fragments, also used reversed
_PAIRS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"enum": ["a", "b"]}),
    ({"enum": ["a", "b"]}, {"enum": ["a"]}),
    ({"x-extensible-enum": ["a", "b"]}, {"x-extensible-enum": ["a"]}),
    ({}, {"pattern": "^a"}),
    ({"pattern": "^a"}, {"pattern": "^b"}),
    ({}, {"contains": _S, "if": _S, "then": _S, "else": _S, "propertyNames": _S}),
    ({}, {"unevaluatedItems": False, "unevaluatedProperties": False}),
    ({}, {"contentSchema": _S}),
    (
        {"contentMediaType": "a/b", "contentEncoding": "base64"},
        {"contentMediaType": "c/d", "contentEncoding": "base32"},
    ),
    ({}, {"dependentRequired": {"a": ["b"]}}),
    ({"dependentRequired": {"a": ["b"]}}, {"dependentRequired": {"a": ["c"]}}),
    ({}, {"dependentSchemas": {"a": _S}, "patternProperties": {"^x": _S}}),
    ({"prefixItems": [_S]}, {"prefixItems": [_S, _I]}),
    # branches that are more than a bare type (a bare one is a change of the type list)
    ({"oneOf": [_S]}, {"oneOf": [_S, _IMIN]}),
    ({"anyOf": [_S]}, {"anyOf": [_S, _IMIN]}),
    ({"allOf": [_S]}, {"allOf": [_S, {"minLength": 1}]}),
    (
        {"type": "object", "properties": {"a": _S}},
        {
            "type": "object",
            "required": ["a"],
            "properties": {"a": {"type": "string", "default": "x"}},
        },
    ),
    (
        {"type": "object"},
        {
            "type": "object",
            "required": ["n"],
            "properties": {"n": {"type": "string", "default": "x"}},
        },
    ),
    ({}, {"deprecated": True}),
    ({}, {"deprecated": True, "x-sunset": "nope"}),
    ({}, {"deprecated": True, "x-sunset": "2999-01-01"}),
    ({"x-stability-level": "stable"}, {"x-stability-level": "beta"}),
]


def _variants() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Pairs of (base, revision) schema fragments, in both directions."""
    for kw, (small, large) in _VALUES.items():
        for a, b in (({kw: small}, {kw: large}), ({}, {kw: small})):
            yield a, b
            yield b, a
    for a, b in _TYPES:
        yield {"type": a}, {"type": b}
        yield {"type": b}, {"type": a}
    for a, b in _PAIRS:
        yield a, b
        yield b, a


def _doc(paths: dict[str, Any]) -> str:
    return yaml.safe_dump(
        {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    )


def _sites(schema: dict[str, Any]) -> dict[str, Any]:
    prop = {"type": "object", "properties": {"p": schema}}
    ok = {"description": "ok"}
    return {
        "/body": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"200": ok},
            }
        },
        "/prop": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": prop}}},
                "responses": {"200": ok},
            }
        },
        "/rbody": {
            "get": {
                "responses": {"200": dict(ok, content={"application/json": {"schema": schema}})}
            }
        },
        "/rprop": {
            "get": {"responses": {"200": dict(ok, content={"application/json": {"schema": prop}})}}
        },
        "/param": {
            "get": {
                "parameters": [
                    {"name": "q", "in": "query", "schema": schema},
                    {"name": "o", "in": "query", "schema": prop},
                ],
                "responses": {"200": ok},
            }
        },
        "/header": {"get": {"responses": {"200": dict(ok, headers={"X-H": {"schema": schema}})}}},
    }


def test_every_error_rule_can_fire() -> None:
    fired: set[str] = set()
    policy = {"deprecation_days_stable": 10**7}
    for base, rev in _variants():
        for config in (None, policy):
            files = ({"o.yaml": _doc(_sites(base))}, {"o.yaml": _doc(_sites(rev))})
            fired |= {f.rule for f in run_check(OpenAPICheck(), *files, config)}
    for case in test_rules._CASES:
        for a, b in (("base", "revision"), ("revision", "base")):
            files = (
                {"openapi.yaml": test_rules._spec(case, a)},
                {"openapi.yaml": test_rules._spec(case, b)},
            )
            fired |= {f.rule for f in run_check(OpenAPICheck(), *files, case.get("config"))}
    never = sorted(r for r, level in LEVELS.items() if level is Level.ERROR and r not in fired)
    assert never == [], f"{len(never)} error rules never fire: {never}"
