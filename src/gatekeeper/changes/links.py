"""Following a symlink, inside the repository only.

To whoever imports or opens a path, a symlink's content is its target's. So the gate reads
a changed symlink's target as the symlink path's content when the link leads to a file
inside the repository, and marks it as leading outside when it does not (an absolute
path, a climb out with ``..``, a chain longer than :data:`MAX_HOPS`): what the gate
cannot follow it cannot call clean. Symlinked directories on the way are followed too.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gatekeeper.changes.trees import BlobReader

MODE_FILE = ("100644", "100755")
MODE_LINK = "120000"
MODE_TREE = "40000"
#: links followed before the chain counts as a loop
MAX_HOPS = 8

#: path -> (mode, object name) at one revision, None when absent
Entry = Callable[[str], "tuple[str, str] | None"]


@dataclass(frozen=True, slots=True)
class Link:
    """Where a symlink leads: the repository path of a file, or outside, or nowhere."""

    target: str
    #: the regular file it leads to, relative to the repository root
    resolved: str | None = None
    #: (mode, object name) of that file, when read from git
    entry: tuple[str, str] | None = None
    #: it leads out of the repository, or through more links than the gate follows
    outside: bool = False


def follow(path: str, target: str, entry: Entry, read_link: Callable[[str], str | None]) -> Link:
    """Resolve the link at ``path`` whose text is ``target`` against a revision's tree."""
    where, pending = posixpath.dirname(path), target
    for _ in range(MAX_HOPS):
        joined = _inside(where, pending)
        if joined is None:
            return Link(target, outside=True)
        step = _walk(joined, entry, read_link)
        if isinstance(step, Link):
            return Link(target, step.resolved, step.entry)
        if step is None:
            return Link(target)  # dangling, or a directory: nothing to read
        where, pending = step
    return Link(target, outside=True)


def _inside(where: str, pending: str) -> str | None:
    """``pending`` taken relative to directory ``where``; None when it leaves the repo."""
    if pending.startswith("/") or "\0" in pending:
        return None
    joined = posixpath.normpath(posixpath.join(where, pending))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


def _walk(
    joined: str, entry: Entry, read_link: Callable[[str], str | None]
) -> Link | tuple[str, str] | None:
    """One hop: a Link to a file, the next (directory, target) to follow, or None."""
    parts = joined.split("/")
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        found = entry(prefix)
        if found is None:
            return None
        mode, _ = found
        if mode == MODE_LINK:
            text = read_link(prefix)
            if text is None:
                return None
            rest = "/".join(parts[i:])
            return posixpath.dirname(prefix), f"{text}/{rest}" if rest else text
        if i == len(parts):
            return Link(joined, joined, found) if mode in MODE_FILE else None
        if mode != MODE_TREE:
            return None
    return None  # pragma: no cover - the loop always returns


def tree_entry(reader: BlobReader, rev: str, path: str) -> tuple[str, str] | None:
    """(mode, sha) of ``path`` in commit or tree ``rev``, read from its parent tree object."""
    parent, _, name = path.rpartition("/")
    got = reader.read(f"{rev}:{parent}")
    if got is None or got[0] != "tree":
        return None
    return _find_entry(got[1], name.encode("utf-8", "surrogateescape"), len(rev) // 2)


def _find_entry(tree: bytes, name: bytes, sha_bytes: int) -> tuple[str, str] | None:
    """An entry of a raw tree object: ``<mode> <name>\\0<sha>`` repeated."""
    pos = 0
    while pos < len(tree):
        space = tree.index(b" ", pos)
        nul = tree.index(b"\0", space)
        end = nul + 1 + sha_bytes
        if tree[space + 1 : nul] == name:
            return tree[pos:space].decode(), tree[nul + 1 : end].hex()
        pos = end
    return None


def follow_on_disk(root: Path, path: str) -> Link:
    """Resolve the symlink at ``root/path`` in the working tree."""
    full = os.path.join(root, path)
    try:
        target = os.readlink(full)
    except OSError:
        return Link("")
    real_root = os.path.realpath(root)
    real = os.path.realpath(full)
    if real != real_root and not real.startswith(real_root + os.sep):
        return Link(target, outside=True)
    if not os.path.isfile(real):
        return Link(target)
    return Link(target, os.path.relpath(real, real_root).replace(os.sep, "/"))
