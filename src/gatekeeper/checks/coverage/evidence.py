"""Which coverage files count as evidence: none the pull request could have forged.

A coverage report is a claim about what the tests ran. Made by this run's tests in the
workspace, it is evidence; committed in git, it is whatever the PR's author wrote (a
"100%" report costs one file). The same holds for the base commit's figures, which the
action places under ``BASE_INPUTS_DIR/<base sha>/``: a PR that commits a symlink there
chooses its own "base". So a report or base figure is refused when it

- lies outside the workspace (it is then never opened, and nothing of it is shown),
- is reached through a symbolic link (any folder on the way, or the file itself), or
- is tracked in git at head (the PR may have written it).

The decisions read only file metadata and git's index or tree, never the file itself.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from gatekeeper.changes import ChangeSet


def repo_path(name: str) -> str | None:
    """A configured file name as a normalized repository path; None when it leaves the
    repository (absolute, or climbing out with ``..``)."""
    if not name or name.startswith("/") or "\\" in name or "\0" in name:
        return None
    path = posixpath.normpath(name)
    if path in (".", "..") or path.startswith("../"):
        return None
    return path


def exists(root: Path, rel: str) -> bool:
    """True when something (a file, a folder, a symlink, even a dangling one) is at ``rel``."""
    return os.path.lexists(os.path.join(root, rel))


def _through_link(root: Path, rel: str) -> str | None:
    """The first component of ``rel`` (from the root down) that is a symbolic link."""
    here = str(root)
    walked = []
    for part in rel.split("/"):
        here = os.path.join(here, part)
        walked.append(part)
        if os.path.islink(here):
            return "/".join(walked)
    return None


def refusal(changes: ChangeSet, name: str) -> str | None:
    """Why the coverage file ``name`` is not evidence, or None when it may be read."""
    rel = repo_path(name)
    if rel is None:
        return "it lies outside the workspace, so it is not read"
    link = _through_link(changes.root, rel)
    if link is not None:
        which = "it is" if link == rel else f"its folder {link} is"
        return f"{which} a symbolic link, which the pull request could point anywhere"
    if changes.tracked_at_head(rel):
        return (
            "it is committed in git, so the pull request could have written it; a report"
            " counts only when the test run makes it"
        )
    return None


def committed_leftover(changes: ChangeSet, name: str) -> bool:
    """True for a report refused only for being tracked in git, that the change leaves as
    it was at base: inside the workspace, reached through no symbolic link, present at
    base, not touched by the change. Decided from metadata and git, never its content."""
    rel = repo_path(name)
    if rel is None or _through_link(changes.root, rel) is not None:
        return False
    if changes.get(rel) is not None or not changes.tracked_at_head(rel):
        return False
    return changes.bytes_at_base(rel) is not None
