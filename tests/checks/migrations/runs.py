"""Running the migrations check on a two-commit repository, as the per-framework tests do:
``base`` committed first, ``head`` over it, the check's defaults (plus ``config``)."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.migrations import MigrationsCheck
from gatekeeper.model import Finding, Level
from gatekeeper.testing import context, defaults


def findings(
    git_repo: Any, base: dict[str, Any], head: dict[str, Any], **config: Any
) -> list[Finding]:
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = MigrationsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, {**defaults(check), **config})))


def errors(found: list[Finding]) -> list[str]:
    """The rules of the blocking findings, sorted."""
    return sorted(f.rule for f in found if f.level is Level.ERROR)
