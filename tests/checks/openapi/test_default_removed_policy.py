"""A parameter's default removed: a warning under ``recommended``, a block under ``strict``.

The engine keeps oasdiff's level (error); the presets decide. End to end through
``gatekeeper run`` on a real git repository, so the preset files themselves are tested.
(kratos 1e8b1ae and 9a5f8b9, hydra f1290da: a wrong ``default: "1"`` dropped from a
``page_token`` string.)
"""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner

from gatekeeper.cli import cli
from tests.conftest import GitRepo

RULE_REMOVED = "openapi/request-parameter-default-value-removed"
RULE_CHANGED = "openapi/request-parameter-default-value-changed"


def _spec(token: dict[str, Any], size: dict[str, Any]) -> str:
    params = [
        {"name": "page_token", "in": "query", "schema": {"type": "string", **token}},
        {"name": "page_size", "in": "query", "schema": {"type": "integer", **size}},
    ]
    op = {"operationId": "list", "parameters": params, "responses": {"200": {"description": "ok"}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {"/items": {"get": op}},
    }
    return json.dumps(doc, indent=1) + "\n"


def _run(repo: GitRepo, policy: str | None, head_spec: str) -> tuple[int, dict[str, str]]:
    """Exit code and {rule: severity} of a PR from the base spec to ``head_spec``."""
    files = {"api/openapi.json": _spec({"default": "1"}, {"default": 10})}
    if policy is not None:
        files[".github/gatekeeper.yml"] = policy
    repo.commit(files, "base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"api/openapi.json": head_spec})
    args = ["run", "--repo", str(repo.root), "--base", "main", "-f", "json"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    report = json.loads(result.stdout)
    found = {f["rule"]: f["severity"] for o in report["outcomes"] for f in o["findings"]}
    return result.exit_code, found


def test_recommended_warns_when_a_default_is_removed(git_repo: GitRepo) -> None:
    code, found = _run(git_repo, None, _spec({}, {"default": 10}))
    assert found.get(RULE_REMOVED) == "warn", found
    assert code == 0, found


def test_recommended_still_blocks_a_default_changed_to_another_value(git_repo: GitRepo) -> None:
    code, found = _run(git_repo, None, _spec({"default": "1"}, {"default": 50}))
    assert found.get(RULE_CHANGED) == "block", found
    assert code == 1


def test_strict_blocks_a_default_removed(git_repo: GitRepo) -> None:
    code, found = _run(git_repo, "version: 1\nextends: [strict]\n", _spec({}, {"default": 10}))
    assert found.get(RULE_REMOVED) == "block", found
    assert code == 1
