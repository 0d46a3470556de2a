"""A real FastAPI application, generated at base and at head by the whole gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.model import Verdict
from tests.checks.openapi.generate.apps import FASTAPI_APP, fastapi_app, judge, openapi_results
from tests.conftest import GitRepo

pytest.importorskip("fastapi")

POLICY = """\
version: 1
checks:
  openapi:
    generate: {framework: fastapi, app: "shop.main:app"}
"""


def _run(repo: GitRepo, head_app: str, **kw: object) -> Verdict:
    return judge(repo, POLICY, {"shop/__init__.py": "", "shop/main.py": FASTAPI_APP},
                 {"shop/main.py": head_app}, **kw)


def test_a_removed_route_blocks_and_points_at_the_code(git_repo: GitRepo) -> None:
    verdict = _run(git_repo, fastapi_app(drop_delete=True))
    assert not verdict.met
    (removed,) = [r for r in openapi_results(verdict) if "removed" in r.finding.rule]
    assert removed.finding.rule == "api-path-removed-without-deprecation"
    assert removed.blocking
