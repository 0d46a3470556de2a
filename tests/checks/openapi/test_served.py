"""A prefix moved between the paths and the base path keeps the URLs (served.py): the
operations are compared at their served URLs, and only a real move reports one."""

from __future__ import annotations

import json
from typing import Any

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Level
from gatekeeper.testing import changeset, context, run_check

QUERY = {"in": "query", "name": "page", "type": "string", "required": False}


def _swagger(
    base_path: str,
    prefix: str,
    *,
    names: tuple[str, ...] = ("crops", "seeds"),
    required: bool = False,
    invalid: bool = False,
) -> str:
    paths: dict[str, Any] = {}
    for name in names:
        param = {**QUERY, "required": required}
        if invalid:
            param["type"] = "text"  # not a Swagger type: an old mistake of the spec
        paths[f"{prefix}/{name}"] = {
            "get": {"parameters": [param], "responses": {"200": {"description": "ok"}}}
        }
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if base_path:
        doc["basePath"] = base_path
    return json.dumps(doc, indent=2)


def _found(base: str, head: str) -> list[tuple[str, str, Level]]:
    spec = "swagger/v1/swagger.json"
    found = run_check(OpenAPICheck(), {spec: base}, {spec: head}, {"specs": [spec]})
    return [(f.rule, f.message, f.level) for f in found]


def test_moving_the_prefix_into_base_path_keeps_every_url() -> None:
    # Growstuff e88be9efc8: /api/v1/crops under "" becomes /crops under /api/v1
    assert _found(_swagger("", "/api/v1"), _swagger("/api/v1", "")) == []


def test_old_validation_problems_stay_old_under_the_moved_paths() -> None:
    spec = "swagger/v1/swagger.json"
    changes = changeset({spec: _swagger("", "/api/v1", invalid=True)},
                        {spec: _swagger("/api/v1", "", invalid=True)})  # fmt: skip
    ctx = context(changes, {"specs": [spec]})
    found = [f for f in OpenAPICheck().run(ctx) if f.rule == "spec-invalid"]
    assert found and all(ctx.existing_at_base.get(f.fingerprint) for f in found)


def test_a_breaking_change_made_with_the_move_is_still_found() -> None:
    head = _swagger("/api/v1", "", names=("crops",), required=True)
    rules = {
        rule for rule, _, level in _found(_swagger("", "/api/v1"), head) if level is Level.ERROR
    }
    assert "api-path-removed-without-deprecation" in rules  # /api/v1/seeds is gone
    assert any("required" in r for r in rules), rules  # page became required at the same URL


def test_a_real_move_of_the_base_path_is_reported() -> None:
    found = _found(_swagger("/api/v1", ""), _swagger("/api/v2", ""))
    assert [rule for rule, _, level in found if level is Level.ERROR] == ["api-base-path-changed"]
