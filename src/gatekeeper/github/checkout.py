"""Make sure the PR's head commit is in the checkout before the gate reads it.

``actions/checkout`` gives ``pull_request`` runs the merge commit (with ``fetch-depth: 1``
the PR head is not there) and ``pull_request_target`` runs the base branch (the head is
never there). Fetching the head's objects only reads them; nothing from the PR runs.
A missing base commit is the gate's business (``gatekeeper.changes.build`` fetches it).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

FETCH_TIMEOUT = 120.0


def ensure_commit(root: Path, sha: str, pr_number: int | None, log: Callable[[str], None]) -> bool:
    """True when ``sha`` is (now) in the repository at ``root``; fetch it from origin if not.

    Tries the commit itself, then ``refs/pull/<n>/head`` (which GitHub serves for every
    PR, forks included). Failure is only logged: the gate then names the missing commit.
    """
    if not sha or _has_commit(root, sha):
        return True
    specs = [sha] + ([f"refs/pull/{pr_number}/head"] if pr_number is not None else [])
    for spec in specs:
        if _git(root, "fetch", "--quiet", "--no-tags", "origin", spec) and _has_commit(root, sha):
            log(f"gatekeeper: fetched the head commit {sha[:12]} from origin ({spec})")
            return True
    log(
        f"gatekeeper: the head commit {sha[:12]} is not in the checkout and could not be "
        "fetched; use actions/checkout with `fetch-depth: 0`"
    )
    return False


def _has_commit(root: Path, sha: str) -> bool:
    return _git(root, "cat-file", "-e", f"{sha}^{{commit}}")


def _git(root: Path, *args: str) -> bool:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, timeout=FETCH_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
