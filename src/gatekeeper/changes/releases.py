"""Releases, as git tags say: what the last release reachable from the base commit was.

Two checks ask it: migrations (was a migration released, so that editing it rewrites
history?) and openapi (was a path released, so that removing it breaks clients?).
"""

from __future__ import annotations

from gatekeeper.changes.changeset import ChangeSet
from gatekeeper.changes.git import run_git
from gatekeeper.errors import GitError


def newest_release(changes: ChangeSet) -> str | None:
    """The newest tag the base commit descends from (None without tags, or without git)."""
    base = changes.base
    if not base or base.startswith("-"):
        return None
    try:
        done = run_git(
            changes.root, "describe", "--tags", "--abbrev=0", base, check=False, timeout=30
        )
    except GitError:
        return None
    tag = done.stdout.decode("utf-8", "replace").strip()
    return tag if done.returncode == 0 and tag and not tag.startswith("-") else None
