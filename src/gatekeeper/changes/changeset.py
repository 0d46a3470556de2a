"""The ChangeSet: what a pull request changed, and the repository at base and at head.

A ChangeSet is built from git by :func:`gatekeeper.changes.build.changeset_from_git` (or
by tests from any :class:`Tree`). Checks read it; they never run git themselves. File contents
are read lazily and only for the paths a check asks for, so cost follows the diff.
"""

from __future__ import annotations

import dataclasses
import enum
import fnmatch
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from gatekeeper.changes.globs import match_any, matcher
from gatekeeper.changes.text import decode_text, looks_binary

#: Files larger than this are not read as text (they are still listed as changed).
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024

_T = TypeVar("_T")


class FileStatus(enum.Enum):
    """How a file changed between base and head."""

    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"
    RENAMED = "renamed"
    COPIED = "copied"
    TYPE_CHANGED = "type-changed"


class FileKind(enum.Enum):
    """What kind of content a changed path holds (at head, or at base when deleted)."""

    TEXT = "text"
    BINARY = "binary"
    SYMLINK = "symlink"
    SUBMODULE = "submodule"
    TOO_LARGE = "too-large"
    UNDECODABLE = "undecodable"  # neither UTF-8 nor in the encoding its coding line declares


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """One path in the diff, with the line ranges the change added at head."""

    path: str
    status: FileStatus
    kind: FileKind = FileKind.TEXT
    old_path: str | None = None
    #: inclusive (start, end) ranges of lines added or changed at head, sorted
    added: tuple[tuple[int, int], ...] = ()
    #: how many lines the change removed from the base version
    deleted_count: int = 0
    size: int = 0
    #: for a symlink at head: what it points to, as written in the link
    link_target: str | None = None
    #: the link leads outside the repository (or to where the gate cannot follow it)
    link_outside: bool = False

    @property
    def is_text(self) -> bool:
        """True when the file reads as text (UTF-8, or the encoding its coding line declares)."""
        return self.kind is FileKind.TEXT

    @property
    def added_count(self) -> int:
        """How many lines the change added or changed."""
        return sum(end - start + 1 for start, end in self.added)

    def added_lines(self) -> frozenset[int]:
        """The head line numbers the change added or changed."""
        return frozenset(n for start, end in self.added for n in range(start, end + 1))


class Tree(Protocol):
    """Read access to the repository at one revision (a commit, the index, the worktree)."""

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when the path does not exist at this revision."""

    def paths(self) -> Iterator[str]:
        """Every file path at this revision (used sparingly: discovery, documentation)."""


@dataclass(eq=False)
class ChangeSet:
    """What the change did, and how to read the repository on either side of it."""

    root: Path
    base: str
    head: str
    files: tuple[ChangedFile, ...]
    base_tree: Tree
    head_tree: Tree
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    _by_path: dict[str, ChangedFile] = field(init=False, repr=False)
    _facts: dict[str, object] = field(init=False, repr=False)
    _facts_lock: threading.Lock = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {f.path: f for f in self.files}
        self._facts, self._facts_lock = {}, threading.Lock()

    def fact(self, key: str, find: Callable[[], _T]) -> _T:
        """What ``find`` answers about the repository, asked once per ChangeSet and kept.

        For answers that hold for the whole run whichever check asks (the newest release
        tag): several checks and specs ask, and checks run in threads, so the first asker
        computes while the others wait for its answer instead of asking git again.
        ``find`` must not ask for another fact (the lock is not re-entrant)."""
        with self._facts_lock:
            if key not in self._facts:
                self._facts[key] = find()
            return cast(_T, self._facts[key])

    def __iter__(self) -> Iterator[ChangedFile]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __enter__(self) -> ChangeSet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release what the trees hold (a git process); reads fail afterwards. Idempotent."""
        for tree in (self.base_tree, self.head_tree):
            close = getattr(tree, "close", None)
            if callable(close):
                close()

    def get(self, path: str) -> ChangedFile | None:
        """The changed file at ``path`` (its head path), or None if it did not change."""
        return self._by_path.get(path)

    def matching(
        self, patterns: Iterable[str], exclude: Iterable[str] = (), *, include_deleted: bool = True
    ) -> tuple[ChangedFile, ...]:
        """Changed files whose path (or old path, for renames) matches a pattern."""
        pats, excl = tuple(patterns), tuple(exclude)
        out = []
        for f in self.files:
            if not include_deleted and f.status is FileStatus.DELETED:
                continue
            names = (f.path,) if f.old_path is None else (f.path, f.old_path)
            if any(match_any(n, pats) for n in names) and not any(
                match_any(n, excl) for n in names
            ):
                out.append(f)
        return tuple(out)

    def added_lines(self, path: str) -> frozenset[int]:
        """Head line numbers the change added or changed in ``path`` (empty if unchanged)."""
        f = self._by_path.get(path)
        return f.added_lines() if f else frozenset()

    def bytes_at_head(self, path: str) -> bytes | None:
        """The file's bytes at head, or None when it does not exist there."""
        return self.head_tree.read(path)

    def bytes_at_base(self, path: str) -> bytes | None:
        """The file's bytes at base, or None when it does not exist there."""
        return self.base_tree.read(path)

    def prefix_at_head(self, path: str, limit: int) -> bytes | None:
        """The first ``limit`` bytes of the file at head (to sniff what it is without
        loading a huge file), or None when it does not exist there."""
        return _prefix(self.head_tree, path, limit)

    def prefix_at_base(self, path: str, limit: int) -> bytes | None:
        """The first ``limit`` bytes of the file at base, or None."""
        return _prefix(self.base_tree, path, limit)

    def size_at_head(self, path: str) -> int | None:
        """The file's size at head when known without reading it (a changed file), else
        None."""
        return _known_size(self.head_tree, path) or None

    def text_at_head(self, path: str) -> str | None:
        """The file as text at head (UTF-8, or the encoding its PEP 263 coding line
        declares); None when absent, binary, too large or undecodable."""
        if _known_size(self.head_tree, path) > self.max_file_bytes:
            return None  # never load a file we already know is too large
        return _as_text(self.head_tree.read(path), self.max_file_bytes)

    def text_at_base(self, path: str) -> str | None:
        """The file as text at base (for a rename, pass the old path); None as above."""
        if _known_size(self.base_tree, path) > self.max_file_bytes:
            return None
        return _as_text(self.base_tree.read(path), self.max_file_bytes)

    def tracked_at_head(self, path: str) -> bool:
        """True when git tracks ``path`` at head (in the head commit; in the index when the
        working tree or the index is judged): the change may have written it itself."""
        tracked = getattr(self.head_tree, "tracked", None)
        if callable(tracked):
            return bool(tracked(path))
        return self.head_tree.read(path) is not None

    def prefix_at(self, rev: str, path: str, limit: int) -> bytes | None:
        """The first ``limit`` bytes of the file at another revision (a release tag), read
        through the cat-file process of base and head, so a file costs no git process of
        its own; None when absent there, or when the base tree is not a git tree."""
        at = getattr(self.base_tree, "at", None)
        return _prefix(at(rev), path, limit) if callable(at) else None

    def base_path_of(self, path: str) -> str:
        """The path a head file had at base (its old path for a rename)."""
        f = self._by_path.get(path)
        return f.old_path if f is not None and f.old_path else path

    def with_added(self, path: str, added: tuple[tuple[int, int], ...]) -> ChangeSet:
        """This change with ``added`` as the head lines of changed file ``path`` that it
        added (a reader of added lines then reads those). The view shares the trees and
        the facts found about them; closing it closes nothing."""
        files = tuple(dataclasses.replace(f, added=added) if f.path == path else f for f in self)
        view = dataclasses.replace(self, files=files)
        view._facts, view._facts_lock = self._facts, self._facts_lock
        return view

    def renames_undone_at_base(self) -> ChangeSet:
        """This change, with the base read as the head names it: a file the change renamed
        or moved is found at base under its new path, with the content it had at base.

        For a check that reviews a file at base to tell what was already wrong with it: a
        finding names the file's head path, so the base review must too. Files not renamed
        read as before. The view shares the trees; closing it closes nothing."""
        renamed = {f.path: f.old_path for f in self.files if f.old_path and f.old_path != f.path}
        if not renamed:
            return self
        return dataclasses.replace(self, base_tree=_RenamesUndone(self.base_tree, renamed))

    def head_paths(self, patterns: Iterable[str] = ("**",)) -> list[str]:
        """Paths at head matching the patterns, sorted (lists the tree: use for discovery)."""
        wanted = matcher(patterns)
        return sorted(p for p in self.head_tree.paths() if wanted(p))

    def base_paths(self, patterns: Iterable[str] = ("**",)) -> list[str]:
        """Paths at base matching the patterns, sorted."""
        wanted = matcher(patterns)
        return sorted(p for p in self.base_tree.paths() if wanted(p))

    def base_files_containing(
        self, words: Iterable[str], patterns: Iterable[str] = ("*",)
    ) -> list[str] | None:
        """Paths at base matching ``patterns`` (``*`` crosses folders, as in git pathspecs)
        whose text holds one of ``words`` as a whole word, in any case.

        For a question about the whole base commit (is this name used anywhere?); a git
        tree answers with one ``git grep``, other trees are read file by file. None when
        the tree cannot answer."""
        return _files_containing(self.base_tree, words, patterns)

    def head_files_containing(
        self, words: Iterable[str], patterns: Iterable[str] = ("*",)
    ) -> list[str] | None:
        """As :meth:`base_files_containing`, at head."""
        return _files_containing(self.head_tree, words, patterns)


def _files_containing(
    tree: Tree, words: Iterable[str], patterns: Iterable[str]
) -> list[str] | None:
    """The paths of ``tree`` matching ``patterns`` that hold one of ``words`` as a word."""
    wanted, globs = sorted({w for w in words if w}), list(patterns)
    if not wanted:
        return []
    grep = getattr(tree, "grep", None)
    if callable(grep):
        found: list[str] | None = grep(wanted, globs)
        return found
    pattern = re.compile(
        r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, wanted)) + r")(?![A-Za-z0-9_])",
        re.I,
    )
    out = []
    for path in tree.paths():
        if not any(fnmatch.fnmatchcase(path, g) for g in globs):
            continue
        data = tree.read(path)
        if data is not None and pattern.search(data.decode("utf-8", "replace")):
            out.append(path)
    return out


class _RenamesUndone:
    """A base tree where each renamed file answers to its head path (see
    :meth:`ChangeSet.renames_undone_at_base`); anything else is asked of the tree itself."""

    def __init__(self, tree: Tree, renamed: Mapping[str, str]) -> None:
        self._tree = tree
        self._old = dict(renamed)  # head path -> base path
        self._new = {old: new for new, old in renamed.items()}

    def _at(self, path: str) -> str | None:
        """Where ``path`` was at base; None for a file's old path (it is under its new one)."""
        if path in self._old:
            return self._old[path]
        return None if path in self._new else path

    def read(self, path: str) -> bytes | None:
        at = self._at(path)
        return None if at is None else self._tree.read(at)

    def paths(self) -> Iterator[str]:
        for path in self._tree.paths():
            yield self._new.get(path, path)

    def size(self, path: str) -> int:
        at = self._at(path)
        return 0 if at is None else _known_size(self._tree, at)

    def read_prefix(self, path: str, limit: int) -> bytes | None:
        at = self._at(path)
        return None if at is None else _prefix(self._tree, at, limit)

    def close(self) -> None:
        """The wrapped tree belongs to the change it came from, which closes it."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tree, name)


def _known_size(tree: Tree, path: str) -> int:
    """The file's size when the tree can tell without reading it (optional ``size``), else 0."""
    size = getattr(tree, "size", None)
    found = size(path) if callable(size) else None
    return found if isinstance(found, int) else 0


def _prefix(tree: Tree, path: str, limit: int) -> bytes | None:
    """Through the tree's optional ``read_prefix``; a tree without one reads it all."""
    read_prefix = getattr(tree, "read_prefix", None)
    if callable(read_prefix):
        found = read_prefix(path, limit)
        return found if isinstance(found, bytes) else None
    data = tree.read(path)
    return None if data is None else data[:limit]


def _as_text(data: bytes | None, limit: int) -> str | None:
    if data is None or len(data) > limit or looks_binary(data):
        return None
    return decode_text(data)
