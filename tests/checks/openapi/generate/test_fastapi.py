"""A real FastAPI application, generated at base and at head by the whole gate."""

from __future__ import annotations

import pytest

from gatekeeper.model import Verdict, plain_text
from tests.checks.openapi.generate.apps import (
    FASTAPI_APP,
    judge,
    line_of,
    openapi_results,
    rules_by_severity,
)
from tests.conftest import GitRepo

pytest.importorskip("fastapi")

POLICY = """\
version: 1
checks:
  openapi:
    generate: {framework: fastapi, app: "shop.main:app"}
"""
BASE = {"shop/__init__.py": "", "shop/main.py": FASTAPI_APP}


def _run(repo: GitRepo, head_app: str) -> Verdict:
    return judge(repo, POLICY, BASE, {"shop/main.py": head_app})


def test_a_removed_route_blocks_and_points_at_the_document(git_repo: GitRepo) -> None:
    head = FASTAPI_APP[: FASTAPI_APP.index('@app.delete("/items/{item_id}")')]
    verdict = _run(git_repo, head)
    assert not verdict.met
    assert "api-removed-without-deprecation" in rules_by_severity(verdict)["BLOCK"]
    (removed,) = [r for r in openapi_results(verdict) if r.finding.rule.startswith("api-removed")]
    assert "DELETE /items/{item_id}" in removed.finding.message
    # the handler is gone from head: the finding stays on the generated document
    assert removed.finding.location is not None
    assert removed.finding.location.path == "openapi.json"


def test_a_new_required_field_blocks_at_the_field_in_the_model(git_repo: GitRepo) -> None:
    head = FASTAPI_APP.replace(
        "    price: float\n    tags", "    price: float\n    sku: str\n    tags"
    )
    verdict = _run(git_repo, head)
    assert not verdict.met
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.rule == "new-required-request-property"
    assert "'sku'" in found.finding.message and "POST /items" in found.finding.message
    assert found.finding.location is not None
    assert (found.finding.location.path, found.finding.location.start_line) == (
        "shop/main.py",
        line_of(head, "    sku: str"),
    )


def test_a_removed_response_field_blocks_at_the_response_model(git_repo: GitRepo) -> None:
    head = FASTAPI_APP.replace(
        "    id: int\n    name: str\n    price: float\n", "    id: int\n    name: str\n"
    )
    verdict = _run(git_repo, head)
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.rule == "response-required-property-removed"
    assert "'price'" in found.finding.message and "ItemOut" in found.finding.message
    assert found.finding.location is not None
    assert found.finding.location.path == "shop/main.py"
    assert found.finding.location.start_line == line_of(head, "class ItemOut(BaseModel):")


def test_a_renamed_query_parameter_blocks_at_the_handler(git_repo: GitRepo) -> None:
    head = FASTAPI_APP.replace("item_id: int, q: str)", "item_id: int, query: str)").replace(
        "name=q,", "name=query,"
    )
    verdict = _run(git_repo, head)
    assert not verdict.met
    severities = rules_by_severity(verdict)
    assert "new-required-request-parameter" in severities["BLOCK"]
    assert "request-parameter-removed" in severities["WARN"]
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.location is not None
    assert found.finding.location.path == "shop/main.py"
    assert found.finding.location.start_line == line_of(head, '@app.get("/items/{item_id}"')


def test_an_additive_change_does_not_block(git_repo: GitRepo) -> None:
    head = FASTAPI_APP + '\n\n@app.get("/health")\ndef health() -> dict[str, str]:\n    return {}\n'
    head = head.replace("    tags: list[str] = []", "    tags: list[str] = []\n    note: str = ''")
    verdict = _run(git_repo, head)
    assert verdict.met, rules_by_severity(verdict)
    added = [r for r in openapi_results(verdict) if r.finding.rule == "endpoint-added"]
    assert added and added[0].finding.location is not None
    assert added[0].finding.location.path == "shop/main.py"
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    assert "generated from code (base generated, head generated)" in outcome.summary
    assert "GET /health" in plain_text(outcome.details)


def test_an_application_new_in_the_change_is_validated_not_compared(git_repo: GitRepo) -> None:
    verdict = judge(git_repo, POLICY, {"README.md": "soon\n"}, BASE)
    assert verdict.met
    outcome = next(o for o in verdict.outcomes if o.check == "openapi")
    assert "New API spec openapi.json: 3 operations" in plain_text(outcome.details)
    assert "new at head" in outcome.summary


def test_a_src_layout_app_imports_through_pythonpath(git_repo: GitRepo) -> None:
    policy = (
        "version: 1\nchecks:\n  openapi:\n    generate: "
        '{framework: fastapi, app: "shop.main:app", pythonpath: [src]}\n'
    )
    base = {"src/shop/__init__.py": "", "src/shop/main.py": FASTAPI_APP}
    head = FASTAPI_APP.replace(
        "    price: float\n    tags", "    price: float\n    sku: str\n    tags"
    )
    verdict = judge(git_repo, policy, base, {"src/shop/main.py": head})
    (found,) = [r for r in openapi_results(verdict) if r.blocking]
    assert found.finding.location is not None
    assert found.finding.location.path == "src/shop/main.py"


def test_an_interpreter_that_does_not_exist_blocks_at_head(git_repo: GitRepo) -> None:
    policy = (
        "version: 1\nchecks:\n  openapi:\n    generate: "
        '{framework: fastapi, app: "shop.main:app", python: /no/such/python}\n'
    )
    verdict = judge(git_repo, policy, BASE, {"shop/main.py": FASTAPI_APP + "\n"})
    assert not verdict.met
    rules = rules_by_severity(verdict)
    assert rules["BLOCK"] == ["generate-failed"] and rules["WARN"] == ["generate-base-failed"]
    found = next(r.finding for r in openapi_results(verdict) if r.blocking)
    assert "`/no/such/python` could not be run" in found.message
