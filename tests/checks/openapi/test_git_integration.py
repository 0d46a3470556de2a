"""The check on a real git repository: a split spec changed across two commits."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangedFile, ChangeSet, FileStatus
from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import plain_text
from gatekeeper.testing import context

_STATUS = {"A": FileStatus.ADDED, "M": FileStatus.MODIFIED, "D": FileStatus.DELETED}


class GitTree:
    """A revision read with git itself (the project's git layer lives elsewhere)."""

    def __init__(self, root: Path, rev: str) -> None:
        self.root, self.rev = root, rev

    def read(self, path: str) -> bytes | None:
        out = subprocess.run(
            ["git", "show", f"{self.rev}:{path}"], cwd=self.root, capture_output=True, check=False
        )
        return out.stdout if out.returncode == 0 else None

    def paths(self) -> Iterator[str]:
        out = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", self.rev],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )
        return iter(sorted(out.stdout.split()))


def _changes(root: Path, base: str, head: str) -> ChangeSet:
    out = subprocess.run(
        ["git", "diff", "--name-status", "-M", base, head],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    files = []
    for line in out.stdout.splitlines():
        status, *paths = line.split("\t")
        if status.startswith("R"):
            files.append(ChangedFile(paths[1], FileStatus.RENAMED, old_path=paths[0]))
        else:
            files.append(ChangedFile(paths[0], _STATUS[status[0]]))
    return ChangeSet(root, base, head, tuple(files), GitTree(root, base), GitTree(root, head))


SPEC = """openapi: 3.0.3
info: {title: pets, version: 1.0.0}
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'schemas/pet.yaml'}
"""


def test_change_in_a_referenced_file_blocks_with_a_changelog(git_repo: Any) -> None:
    props = "properties:\n  id: {type: string}\n  name: {type: string}\n"
    pet_v1 = "type: object\nrequired: [id, name]\n" + props
    pet_v2 = "type: object\nrequired: [id]\n" + props
    base = git_repo.commit({"api/openapi.yaml": SPEC, "api/schemas/pet.yaml": pet_v1}, "base")
    head = git_repo.commit({"api/schemas/pet.yaml": pet_v2, "README.md": "pets\n"}, "head")
    ctx = context(_changes(git_repo.root, base, head))
    check = OpenAPICheck()
    assert check.applies(ctx)
    findings = [f for f in check.run(ctx) if f.rule != "api-version-not-bumped"]
    assert [f.rule for f in findings] == ["response-property-became-optional"]
    # the finding lands where the schema is defined: the referenced file, the property's line
    assert findings[0].location is not None
    assert findings[0].location.path == "api/schemas/pet.yaml"
    name_line = pet_v2.splitlines().index("  name: {type: string}") + 1
    assert findings[0].location.start_line == name_line
    assert "GET /pets" in findings[0].message and "'name'" in findings[0].message
    assert "response-property-became-optional" in plain_text(ctx.details)


def test_deleting_the_spec_in_git_removes_every_endpoint(git_repo: Any) -> None:
    base = git_repo.commit({"openapi.yaml": SPEC, "schemas/pet.yaml": "type: object\n"}, "base")
    head = git_repo.commit({"openapi.yaml": None}, "drop the API")
    findings = list(OpenAPICheck().run(context(_changes(git_repo.root, base, head))))
    assert [f.rule for f in findings] == ["api-path-removed-without-deprecation"]
