"""Moving the path prefix into basePath compares operations at their served URLs
(served.py); a PR cannot use the move to hide a breaking change, nor a real move of the
URLs behind paths that look alike."""

from __future__ import annotations

import json

from tests.adversarial.conftest import AttackFactory, assert_blocked

POLICY = "version: 1\nchecks:\n  openapi: {specs: [swagger/v1/swagger.json]}\n"
SPEC = "swagger/v1/swagger.json"


def _doc(base_path: str, prefix: str, *, required: bool = False, drop: bool = False) -> str:
    param = {"in": "query", "name": "page", "type": "string", "required": required}
    ok = {"200": {"description": "ok"}}
    paths = {f"{prefix}/crops": {"get": {"parameters": [param], "responses": ok}}}
    if not drop:
        paths[f"{prefix}/seeds"] = {"get": {"responses": ok}}
    doc = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": paths}
    if base_path:
        doc["basePath"] = base_path
    return json.dumps(doc)


def test_a_required_parameter_added_during_the_move_blocks(attack: AttackFactory) -> None:
    head = {SPEC: _doc("/api/v1", "", required=True)}
    verdict = attack(POLICY, {SPEC: _doc("", "/api/v1")}, head).judge()
    assert_blocked(verdict, "openapi/request-parameter-became-required")


def test_an_endpoint_dropped_during_the_move_blocks(attack: AttackFactory) -> None:
    head = {SPEC: _doc("/api/v1", "", drop=True)}
    verdict = attack(POLICY, {SPEC: _doc("", "/api/v1")}, head).judge()
    assert_blocked(verdict, "openapi/api-path-removed-without-deprecation")


def test_a_prefix_moved_to_another_version_blocks(attack: AttackFactory) -> None:
    # same written paths, another served prefix: every URL moved
    verdict = attack(
        POLICY, {SPEC: _doc("", "/api/v1")}, {SPEC: _doc("/api/v2", "/api/v1")}
    ).judge()
    assert_blocked(verdict, "openapi/api-base-path-changed")
