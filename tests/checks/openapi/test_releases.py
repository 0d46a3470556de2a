"""Breaking changes to what no release has (releases.py), on real git repositories with tags."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Finding, Level, plain_text
from gatekeeper.testing import context
from tests.conftest import GitRepo


def _spec(*paths: str, fields: tuple[str, ...] = ("id",)) -> str:
    """A Swagger 2.0 spec with a GET per path answering an object with ``fields``."""
    props = {f: {"type": "string"} for f in fields}
    schema = {
        "type": "object",
        "properties": props,
        **({"required": list(fields)} if fields else {}),
    }
    op = {"responses": {"200": {"description": "ok", "schema": schema}}}
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {p: {"get": {"operationId": p.strip("/").replace("/", "_"), **op}} for p in paths},
    }
    return json.dumps(doc, indent=1) + "\n"


def _run(repo: GitRepo, base: str, head: str, **config: Any) -> list[Finding]:
    with changeset_from_git(repo.root, base, head) as changes:
        ctx = context(changes, {"changelog": False, **config})
        found = list(OpenAPICheck().run(ctx))
        return [f for f in found if f.rule != "api-version-not-bumped"]


def _history(repo: GitRepo, middle: str, head: str) -> tuple[str, str]:
    """v1.0 tagged with /apps; then ``middle`` merged; then the PR to ``head``."""
    repo.commit({"docs/spec.json": _spec("/apps")})
    repo.git("tag", "v1.0")
    base = repo.commit({"docs/spec.json": middle})
    return base, repo.commit({"docs/spec.json": head})


def test_removing_a_released_path_blocks(git_repo: GitRepo) -> None:
    base, head = _history(git_repo, _spec("/apps", "/plugins"), _spec("/plugins"))
    found = _run(git_repo, base, head)
    assert [(f.rule, f.level) for f in found] == [
        ("api-path-removed-without-deprecation", Level.ERROR)
    ]
    assert "never released" not in found[0].message


def test_removing_a_path_added_since_the_release_warns(git_repo: GitRepo) -> None:
    # dogfood (gotify ef36e75): a path added after a release and removed before the next
    base, head = _history(git_repo, _spec("/apps", "/plugins"), _spec("/apps"))
    found = _run(git_repo, base, head)
    assert [(f.rule, f.level) for f in found] == [
        ("api-path-removed-without-deprecation", Level.WARNING)
    ]
    assert "never released: absent from v1.0" in found[0].message
    # history: merged keeps it an error
    merged = _run(git_repo, base, head, history="merged")
    assert [f.level for f in merged] == [Level.ERROR]


def test_a_field_added_since_the_release_warns_a_released_one_blocks(git_repo: GitRepo) -> None:
    base, head = _history(
        git_repo, _spec("/apps", fields=("id", "name")), _spec("/apps", fields=())
    )
    found = _run(git_repo, base, head)
    # id was released (an error); name was not (a warning)
    levels = {("'name'" in f.message, f.level) for f in found if "property" in f.message}
    assert levels == {(False, Level.ERROR), (True, Level.WARNING)}, [f.message for f in found]


def test_without_tags_every_change_counts_as_released(git_repo: GitRepo) -> None:
    git_repo.commit({"docs/spec.json": _spec("/apps")})
    base = git_repo.commit({"docs/spec.json": _spec("/apps", "/plugins")})
    head = git_repo.commit({"docs/spec.json": _spec("/apps")})
    found = _run(git_repo, base, head)
    assert [f.level for f in found] == [Level.ERROR]


def test_a_spec_absent_at_the_release_counts_as_released(git_repo: GitRepo) -> None:
    git_repo.commit({"README.md": "x\n"})
    git_repo.git("tag", "v0.1")
    base = git_repo.commit({"docs/spec.json": _spec("/apps", "/plugins")})
    head = git_repo.commit({"docs/spec.json": _spec("/apps")})
    assert [f.level for f in _run(git_repo, base, head)] == [Level.ERROR]


def test_a_shallow_clone_without_tags_judges_as_today_and_says_why(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    base, head = _history(git_repo, _spec("/apps", "/plugins"), _spec("/apps"))
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--no-tags", "--depth=2", f"file://{git_repo.root}", str(clone)],
        check=True,
    )
    with changeset_from_git(clone, base, head) as changes:
        ctx = context(changes, {"changelog": False})
        found = [f for f in OpenAPICheck().run(ctx) if f.rule != "api-version-not-bumped"]
    assert [f.level for f in found] == [Level.ERROR]
    assert "a shallow clone has no tags" in plain_text(ctx.details)
