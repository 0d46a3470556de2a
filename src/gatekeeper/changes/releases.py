"""Releases, as git tags say: what the last release reachable from the base commit was.

Two checks ask it: migrations (was a migration released, so that editing it rewrites
history?) and openapi (was a path released, so that removing it breaks clients?).
"""

from __future__ import annotations

from gatekeeper.changes.changeset import ChangeSet
from gatekeeper.changes.git import run_git
from gatekeeper.errors import GitError


def newest_release(changes: ChangeSet) -> str | None:
    """The newest tag the base commit descends from (None without tags, or without git).

    One fact per run: asked of git once per ChangeSet, however many specs and migrations
    ask (``git describe`` walks history, which costs most in the repositories with most
    tags)."""
    return changes.fact("newest-release", lambda: _describe(changes))


def _describe(changes: ChangeSet) -> str | None:
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
