"""The ChangeSet from git.

:func:`changeset_from_git` compares a base revision with a head commit, the working tree
or the index. Its cost follows the diff: one ``diff --raw --numstat -U0`` (records,
counts and added line ranges), one ``cat-file --batch-check`` for sizes, and reads of the
changed files only; nothing lists the whole repository until a check asks for it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from gatekeeper.changes import (
    DEFAULT_MAX_FILE_BYTES,
    ChangedFile,
    ChangeSet,
    FileKind,
    FileStatus,
    Tree,
)
from gatekeeper.changes.diff import (
    MODE_SUBMODULE,
    MODE_SYMLINK,
    NumStat,
    RawEntry,
    classify,
    kind_of_bytes,
    line_count,
    parse_hunk_stream,
    parse_raw_numstat,
    split_records,
)
from gatekeeper.changes.git import (
    FETCH_HINT,
    decode_path,
    default_branch,
    diff_without_attributes,
    empty_tree,
    fetch,
    find_repo_root,
    has_origin,
    index_tree,
    is_shallow,
    merge_base,
    resolve_commit,
    run_git,
    split_z,
    stream_git,
    try_resolve,
)
from gatekeeper.changes.links import Link, follow, follow_on_disk, tree_entry
from gatekeeper.changes.trees import BlobReader, GitTree, KnownBlob, WorktreeTree
from gatekeeper.errors import GitError, UsageError

MODES = ("commits", "worktree", "index")
#: what ChangeSet.head says when head is not a commit
HEAD_LABELS = {"worktree": "worktree", "index": "index"}
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_ZERO = re.compile(r"^0+$")
#: explicit, so a user's diff.noprefix or diff.mnemonicPrefix cannot change the patch
_PREFIXES = ("--src-prefix=a/", "--dst-prefix=b/")

__all__ = ["DEFAULT_MAX_FILE_BYTES", "MODES", "changeset_from_git"]


def _resolve_base(
    root: Path, base: str | None, head: str, fetch_missing: bool, head_name: str = ""
) -> str:
    if base is None:
        return _default_base(root, head, fetch_missing, head_name)
    sha = try_resolve(root, base)
    if sha is not None:
        return sha
    if not (fetch_missing and _SHA.match(base) and has_origin(root)):
        return resolve_commit(root, base)  # raises, naming the revision
    # A PR's base sha is often missing from a shallow CI clone: fetch that one commit
    # (only that one in a shallow clone; a full clone must not be made shallow).
    shallow = is_shallow(root)
    error = fetch(root, *(("--depth=1",) if shallow else ()), "origin", base)
    sha = try_resolve(root, base) if error is None else None
    if sha is not None:
        return sha
    where = "this shallow clone" if shallow else "this clone"
    raise GitError(
        f"base commit {base} is not in {where} and fetching it from origin failed "
        f"({error or 'the commit did not arrive'}). {FETCH_HINT}"
    )


def _default_base(root: Path, head: str, fetch_missing: bool, head_name: str = "") -> str:
    # the branch being judged is never its own base (a ref named as --head included)
    named = run_git(root, "rev-parse", "--symbolic-full-name", head_name, check=False)
    exclude = [named.stdout.decode("utf-8", "replace").strip()] if head_name else []
    branch = default_branch(root, exclude=[e for e in exclude if e.startswith("refs/heads/")])
    found = merge_base(root, branch, head)
    if found is None and fetch_missing and is_shallow(root) and has_origin(root):
        # The common ancestor lies beyond the shallow boundary: deepen, then give up
        # the depth altogether.
        for args in (("--deepen=200", "origin"), ("--unshallow", "origin")):
            if fetch(root, *args) is None:
                found = merge_base(root, branch, head)
            if found is not None:
                break
    if found is None:
        hint = f" {FETCH_HINT}" if is_shallow(root) else ""
        raise GitError(
            f"{branch} and {head[:12]} have no common ancestor here, so there is no default "
            f"base: pass the base revision explicitly (--base).{hint}"
        )
    return found


def changeset_from_git(
    root: Path,
    base: str | None = None,
    head: str | None = None,
    *,
    mode: str = "commits",
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    fetch_missing: bool = True,
) -> ChangeSet:
    """The ChangeSet from ``base`` to ``head`` in the repository at ``root``.

    ``mode`` is "commits" (base..head, head defaults to HEAD), "worktree" (base against
    the files on disk, untracked ones included) or "index" (base against the staged
    index, for a pre-commit hook); the last two take no ``head``. ``base`` defaults to
    the merge-base of head with the default branch. A base sha missing from a shallow
    clone is fetched from origin unless ``fetch_missing`` is false. Close the ChangeSet
    (or use it as a context manager) to stop its git process.
    """
    if mode not in MODES:
        raise UsageError(f"unknown ChangeSet mode {mode!r}: use one of {', '.join(MODES)}")
    if max_file_bytes <= 0:
        raise UsageError(f"max_file_bytes must be a positive number of bytes, not {max_file_bytes}")
    if mode != "commits" and head is not None:
        raise UsageError(f"mode {mode!r} compares against the {mode}: do not pass a head")
    root = find_repo_root(root)
    if mode == "commits":
        head_sha = resolve_commit(root, head or "HEAD")
    else:
        head_sha = try_resolve(root, "HEAD") or ""
    if base is None and not head_sha:
        base_sha = empty_tree(root)  # no commit yet: everything staged or on disk is new
    else:
        head_name = head if mode == "commits" and head and not head.startswith("-") else ""
        base_sha = _resolve_base(root, base, head_sha, fetch_missing, head_name)
    return _Builder(root, mode, max_file_bytes).build(base_sha, head_sha)


@dataclass
class _Side:
    """One side of a changed file, as the builder needs it."""

    path: str
    mode: str
    sha: str | None  # None: read from disk (worktree)


class _Builder:
    """Turns the diff between two revisions into ChangedFiles and Trees."""

    def __init__(self, root: Path, mode: str, limit: int) -> None:
        self.root, self.mode, self.limit = root, mode, limit
        self.reader = BlobReader(root)
        self.worktree = WorktreeTree(root)
        #: blobs the trees read in place of a path: a symlink's target (see links.py)
        self.aliases: dict[str, dict[str, KnownBlob]] = {"base": {}, "head": {}}

    def _diff(self, base: str, head: str, *fmt: str) -> Iterator[bytes]:
        # Files over the limit count as binary, so git never loads them to diff them.
        config = [
            f"core.bigFileThreshold={self.limit}",
            "diff.relative=false",
            f"core.attributesFile={os.devnull}",
        ]
        # Every option a user's config could change is pinned, so the output parses the same
        # everywhere: no external or textconv drivers, no colour, no merged hunks (which
        # would count unchanged lines between them as added), submodules as one line.
        args = [
            "diff",
            "--no-ext-diff",
            "--no-textconv",
            "--no-color",
            "--inter-hunk-context=0",
            "--submodule=short",
            "--ignore-submodules=dirty",
            # renames follow a file's history; copies are not looked for: a copy is a new
            # file whose every line is new where it now lives (test code copied into the
            # application, a key copied out of a fixture), so it is read in full
            "-M",
            *fmt,
        ]
        env = {"GIT_ATTR_NOSYSTEM": "1"}
        # streamed: the patch is as large as the change, and only its headers are kept
        if self.mode == "worktree":
            # git reads the files on disk through the work tree's .gitattributes; what it
            # calls binary is checked against the content afterwards (see _changed)
            return stream_git(self.root, *args, base, "--", config=config, env=env)
        return diff_without_attributes(self.root, [*args, base, head, "--"], config, env)

    def build(self, base: str, head: str) -> ChangeSet:
        if self.mode == "index":
            head = index_tree(self.root)
        # One diff (one rename detection) gives records, counts and the hunk headers.
        out = self._diff(base, head, "--raw", "--numstat", "-z", "--no-abbrev", "-U0", *_PREFIXES)
        records, patch = split_records(out)
        entries, stats = parse_raw_numstat(records)
        hunks = parse_hunk_stream(patch)
        sizes = self._blob_sizes(
            s for e in entries for s in (e.old_sha, e.new_sha) if self._is_blob(s, e)
        )
        revs = {"base": base, "head": head}
        files = [self._changed(e, stats.get(e.path, (0, 0)), hunks, sizes, revs) for e in entries]
        if self.mode == "worktree":
            files = _merge_untracked(files, self._untracked())
        files.sort(key=lambda f: f.path)
        base_known = {
            e.base_path: (e.old_sha, sizes[e.old_sha]) for e in entries if e.old_sha in sizes
        }
        base_known.update(self.aliases["base"])
        head_tree: Tree
        if self.mode == "worktree":
            head_tree = self.worktree
        else:
            head_known = {
                e.path: (e.new_sha, sizes[e.new_sha]) for e in entries if e.new_sha in sizes
            }
            head_known.update(self.aliases["head"])
            head_tree = GitTree(self.root, self.reader, head, head_known)
        return ChangeSet(
            root=self.root,
            base=base,
            head=head if self.mode == "commits" else HEAD_LABELS[self.mode],
            files=tuple(files),
            base_tree=GitTree(self.root, self.reader, base, base_known),
            head_tree=head_tree,
            max_file_bytes=self.limit,
        )

    @staticmethod
    def _is_blob(sha: str, entry: RawEntry) -> bool:
        return not _ZERO.match(sha) and MODE_SUBMODULE not in (entry.old_mode, entry.new_mode)

    def _blob_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        wanted = sorted(set(shas))
        if not wanted:
            return {}
        request = "".join(f"{s}\n" for s in wanted).encode()
        out = run_git(self.root, "cat-file", "--batch-check", stdin=request).stdout
        sizes: dict[str, int] = {}
        for line in out.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] == "blob":
                sizes[parts[0]] = int(parts[2])
        return sizes

    def _changed(
        self,
        entry: RawEntry,
        stat: NumStat,
        hunks: Mapping[str, tuple[tuple[int, int], ...]],
        sizes: Mapping[str, int],
        revs: Mapping[str, str],
    ) -> ChangedFile:
        deleted = entry.new_mode.strip("0") == ""
        if entry.old_mode == MODE_SYMLINK and entry.old_sha in sizes:
            # the base side of a symlink reads as the file it led to, like the head side
            self._follow(_Side(entry.base_path, entry.old_mode, entry.old_sha), revs, "base")
        side = (
            _Side(entry.base_path, entry.old_mode, entry.old_sha)
            if deleted
            else _Side(
                entry.path, entry.new_mode, None if _ZERO.match(entry.new_sha) else entry.new_sha
            )
        )
        link = None
        if side.mode == MODE_SYMLINK and not deleted:
            link, side = self._follow(side, revs, "head")
        data: list[bytes | None] = []

        def load() -> bytes | None:
            data.append(self._load(side))
            return data[-1]

        size = self._size(side, sizes)
        kind = classify(side.mode, size, self.limit, load)
        added: tuple[tuple[int, int], ...] = ()
        if kind in (FileKind.TEXT, FileKind.UNDECODABLE) and not deleted:
            added = hunks.get(entry.path, ())
            if (stat[0] is None or link is not None) and data and data[-1]:
                # git called it binary (an attribute said so) or it is a symlink read as
                # its target: git gave no lines, so every line counts as added
                added = ((1, line_count(data[-1])),)
        return ChangedFile(
            path=entry.path,
            status=entry.status,
            kind=kind,
            old_path=entry.old_path,
            added=added,
            deleted_count=stat[1] or 0,
            size=size,
            link_target=link.target if link else None,
            link_outside=link.outside if link else False,
        )

    def _size(self, side: _Side, sizes: Mapping[str, int]) -> int:
        if side.mode == MODE_SUBMODULE:
            return 0  # a commit of another repository: nothing here to measure
        if side.sha is None:  # a worktree file git has not hashed: measure it on disk
            return self.worktree.size(side.path) or 0
        return sizes.get(side.sha, 0) or self._blob_sizes([side.sha]).get(side.sha, 0)

    def _follow(self, side: _Side, revs: Mapping[str, str], which: str) -> tuple[Link, _Side]:
        """Where the symlink ``side`` leads; the side to read in its place when that is a
        file inside the repository (the trees then read that file for the link's path)."""
        if which == "head" and self.mode == "worktree":
            link = follow_on_disk(self.root, side.path)
            if link.resolved is None:
                return link, side
            self.worktree.aliases[side.path] = link.resolved
            return link, _Side(link.resolved, "100644", None)
        rev = revs[which]
        got = self.reader.read(side.sha) if side.sha else None
        text = decode_path(got[1]) if got else ""

        def entry(path: str) -> tuple[str, str] | None:
            return tree_entry(self.reader, rev, path)

        def read_link(path: str) -> str | None:
            found = entry(path)
            blob = self.reader.read(found[1]) if found else None
            return decode_path(blob[1]) if blob else None

        link = follow(side.path, text, entry, read_link)
        if link.entry is None:
            return link, side
        mode, sha = link.entry
        size = self._blob_sizes([sha]).get(sha, 0)
        self.aliases[which][side.path] = (sha, size)
        return link, _Side(side.path, mode, sha)

    def _load(self, side: _Side) -> bytes | None:
        if side.sha is None:
            return self.worktree.read(side.path)
        got = self.reader.read(side.sha)
        return got[1] if got else None

    def _untracked(self) -> list[ChangedFile]:
        out = run_git(self.root, "ls-files", "-z", "--others", "--exclude-standard").stdout
        return [self._untracked_file(p) for p in split_z(out)]

    def _untracked_file(self, path: str) -> ChangedFile:
        if path.endswith("/"):  # a nested repository git will not look into
            return ChangedFile(path.rstrip("/"), FileStatus.ADDED, FileKind.SUBMODULE)
        full = os.path.join(self.root, path)
        size = os.lstat(full).st_size
        link = None
        if os.path.islink(full):
            link = follow_on_disk(self.root, path)
            if link.resolved is None:
                return ChangedFile(
                    path,
                    FileStatus.ADDED,
                    FileKind.SYMLINK,
                    size=size,
                    link_target=link.target,
                    link_outside=link.outside,
                )
            self.worktree.aliases[path] = link.resolved
            size = self.worktree.size(path) or 0
        if size > self.limit:
            return ChangedFile(path, FileStatus.ADDED, FileKind.TOO_LARGE, size=size)
        data = self.worktree.read(path) or b""
        kind = kind_of_bytes(data)
        lines = line_count(data) if kind is not FileKind.BINARY else 0
        added = ((1, lines),) if lines else ()
        target = link.target if link else None
        return ChangedFile(path, FileStatus.ADDED, kind, added=added, size=size, link_target=target)


def _merge_untracked(tracked: list[ChangedFile], untracked: list[ChangedFile]) -> list[ChangedFile]:
    """Add untracked files; one that was removed from the index but is still on disk
    (``git rm --cached``) appears in both lists and becomes one wholesale modification."""
    removed = {f.path: f for f in tracked if f.status is FileStatus.DELETED}
    again = {f.path for f in untracked}
    merged = [f for f in tracked if not (f.path in again and f.path in removed)]
    for new in untracked:
        old = removed.get(new.path)
        merged.append(
            new
            if old is None
            else replace(new, status=FileStatus.MODIFIED, deleted_count=old.deleted_count)
        )
    return merged
