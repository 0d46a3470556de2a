"""django-ninja, flask-smorest and Litestar: a removed route and a new required request
field block, each pointing at the code; the same application unchanged passes."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass

import pytest

from tests.checks.openapi.generate.apps import (
    FLASK_APP,
    LITESTAR_APP,
    NINJA_PROJECT,
    judge,
    line_of,
    openapi_results,
)
from tests.conftest import GitRepo


@dataclass(frozen=True)
class App:
    module: str  # the package needed to import the framework
    generate: dict[str, str]
    files: dict[str, str]
    path: str  # the file the changes below edit
    route_start: str  # the first line of the route the first change removes
    route_end: str  # the first line after it
    field_after: str  # a line of the request model the new field goes after
    field: str  # the new required field


APPS = {
    "django-ninja": App(
        "ninja",
        {"framework": "django", "settings": "mysite.settings", "app": "mysite.api:api"},
        NINJA_PROJECT,
        "mysite/api.py",
        '@api.delete("/items/{item_id}")',
        "",
        "    price: float",
        "    sku: str",
    ),
    "flask-smorest": App(
        "flask_smorest",
        {"framework": "flask", "app": "shop.app:create_app()"},
        {"shop/__init__.py": "", "shop/app.py": FLASK_APP},
        "shop/app.py",
        "    @blp.response(204)",
        "def create_app():",
        "    name = ma.fields.String(required=True)",
        "    sku = ma.fields.String(required=True)",
    ),
    "litestar": App(
        "litestar",
        {"framework": "litestar", "app": "shop.lite:app"},
        {"shop/__init__.py": "", "shop/lite.py": LITESTAR_APP},
        "shop/lite.py",
        '@delete("/items/{item_id:int}")',
        "app = Litestar(",
        "    name: str",
        "    sku: str",
    ),
}


def _policy(app: App) -> str:
    return "version: 1\nchecks:\n  openapi:\n    generate: " + json.dumps(app.generate) + "\n"


def _without_route(app: App, text: str) -> str:
    start = text.index(app.route_start)
    end = text.index(app.route_end, start) if app.route_end else len(text)
    out = text[:start] + text[end:]
    return out.replace(", delete_item]", "]")


@pytest.fixture(params=sorted(APPS))
def app(request: pytest.FixtureRequest) -> App:
    chosen = APPS[request.param]
    # found, not imported: ninja cannot be imported without Django settings
    if importlib.util.find_spec(chosen.module) is None:
        pytest.skip(f"needs {chosen.module} (pip install -e '.[test-apps]')")
    return chosen


def test_a_removed_route_blocks(git_repo: GitRepo, app: App) -> None:
    head = _without_route(app, app.files[app.path])
    verdict = judge(git_repo, _policy(app), app.files, {app.path: head})
    assert not verdict.met
    blocking = [r.finding for r in openapi_results(verdict) if r.blocking]
    assert [f.rule for f in blocking] == ["api-removed-without-deprecation"]
    assert "DELETE" in blocking[0].message


def test_a_new_required_field_blocks_at_its_line(git_repo: GitRepo, app: App) -> None:
    text = app.files[app.path]
    head = text.replace(app.field_after + "\n", app.field_after + "\n" + app.field + "\n", 1)
    verdict = judge(git_repo, _policy(app), app.files, {app.path: head})
    assert not verdict.met
    blocking = [r.finding for r in openapi_results(verdict) if r.blocking]
    assert {f.rule for f in blocking} == {"new-required-request-property"}
    locations = {(f.location.path, f.location.start_line) for f in blocking if f.location}
    assert locations == {(app.path, line_of(head, app.field))}


def test_an_unrelated_change_passes_with_nothing_found(git_repo: GitRepo, app: App) -> None:
    verdict = judge(git_repo, _policy(app), app.files, {"README.md": "docs\n"})
    assert verdict.met
    assert openapi_results(verdict) == []
