"""Releases, as git tags say: the newest release out when the change was made.

Two checks ask it: migrations (was a migration released, so that editing it rewrites
history?) and openapi (was a path released, so that removing it breaks clients?).

Many projects tag releases on release branches (Harbor's ``v2.12.0`` is on
``release-2.12.0``), so the newest tag the base descends from can be years old. The
newest release is therefore the highest version among the tags that are not after the
base (none contains it) and were made by the time of the head commit, with the tag
``git describe`` finds from the base as the fallback for names that are no versions.
Pre-releases (``-rc1``, ``b2``, ``.dev0``) count only through ``git describe``.
"""

from __future__ import annotations

import re

from gatekeeper.changes.changeset import ChangeSet
from gatekeeper.changes.git import run_git
from gatekeeper.errors import GitError

_VERSION = re.compile(
    # a prefix names a component (``api/``, ``sdk@``, ``release-``) and holds no version
    # of its own: ``v0.0.8-hotfix-1`` is no version 1
    r"^(?:[A-Za-z](?:(?!\d+\.\d)[\w.-])*?[-/@_])?v?(\d+(?:\.\d+){0,3})"
    r"(\.?[-_+]?(?:rc|alpha|beta|a|b|dev|pre)[\w.-]*)?$",
    re.IGNORECASE,
)


def newest_release(changes: ChangeSet) -> str | None:
    """The newest release tag out when the change was made (None without tags, or
    without git).

    One fact per run: asked of git once per ChangeSet, however many specs and migrations
    ask (the three git processes below walk history and every tag, which costs most in
    the repositories with most tags)."""
    return changes.fact("newest-release", lambda: _newest(changes))


def _newest(changes: ChangeSet) -> str | None:
    base = changes.base
    if not base or base.startswith("-"):
        return None
    try:
        reachable = _git(changes, "describe", "--tags", "--abbrev=0", base)
        when = _git(changes, "log", "-1", "--format=%ct", changes.head or base)
        listed = _git(
            changes, "for-each-ref", "--no-contains", base,
            "--format=%(refname:short)%09%(creatordate:unix)", "refs/tags",
        )  # fmt: skip
    except GitError:
        return None
    best = _highest(listed, int(when) if when.isdigit() else None)
    if not best or not reachable:
        return reachable or best
    ranked = _rank(reachable)
    if ranked is None:
        return reachable  # a name that is no version: what git describe says stands
    found = _rank(best)
    return best if found is not None and found > ranked else reachable


def _git(changes: ChangeSet, *args: str) -> str:
    done = run_git(changes.root, *args, check=False, timeout=30)
    out = done.stdout.decode("utf-8", "replace").strip()
    return out if done.returncode == 0 and not out.startswith("-") else ""


def _highest(listed: str, until: int | None) -> str | None:
    """The tag of the highest version among ``name<TAB>unix time`` lines, made by
    ``until``."""
    best: tuple[tuple[int, ...], str] | None = None
    for line in listed.splitlines():
        name, _, stamp = line.partition("\t")
        version = _version(name)
        if version is None or (until is not None and stamp.isdigit() and int(stamp) > until):
            continue
        if best is None or version > best[0]:
            best = (version, name)
    return best[1] if best else None


def _version(tag: str) -> tuple[int, ...] | None:
    """``v2.12.0`` -> (2, 12, 0); ``api/v1.3`` -> (1, 3); None for pre-releases and names
    that are not versions."""
    m = _VERSION.match(tag)
    return tuple(int(p) for p in m.group(1).split(".")) if m and not m.group(2) else None


def _rank(tag: str) -> tuple[tuple[int, ...], int] | None:
    """How ``tag`` orders among versions: a pre-release just below its release."""
    m = _VERSION.match(tag)
    return (tuple(int(p) for p in m.group(1).split(".")), 0 if m.group(2) else 1) if m else None
