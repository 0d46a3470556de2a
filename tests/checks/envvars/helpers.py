"""What several env-vars test modules share: the check run on two commits of a real repo."""

from __future__ import annotations

from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.model import Finding
from gatekeeper.testing import context, defaults


def run_on_git(git_repo: Any, base: dict[str, str], head: dict[str, str | None]) -> list[Finding]:
    """Commit ``base`` then ``head`` and run the env-vars check with its defaults."""
    first = git_repo.commit(base)
    second = git_repo.commit(head)
    check = EnvVarsCheck()
    with changeset_from_git(git_repo.root, first, second) as changes:
        return list(check.run(context(changes, defaults(check))))
