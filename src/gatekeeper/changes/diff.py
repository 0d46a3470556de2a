"""Parsing git's diff output: ``--raw --numstat -z`` records and ``-U0`` hunk headers.

Pure functions over bytes, so every corner (renames, copies, type changes, quoted
paths) is tested without running git. :mod:`gatekeeper.changes.build` feeds them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from gatekeeper.changes import FileKind, FileStatus
from gatekeeper.changes.git import decode_path
from gatekeeper.changes.text import BINARY_SNIFF_BYTES, decode_text, looks_binary

MODE_SYMLINK = "120000"
MODE_SUBMODULE = "160000"
__all__ = ["BINARY_SNIFF_BYTES", "classify", "kind_of_bytes", "line_count", "parse_hunks"]

_STATUS = {
    "A": FileStatus.ADDED,
    "M": FileStatus.MODIFIED,
    "D": FileStatus.DELETED,
    "R": FileStatus.RENAMED,
    "C": FileStatus.COPIED,
    "T": FileStatus.TYPE_CHANGED,
}
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): 34,
    ord("\\"): 92,
}


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One record of ``git diff --raw -z``; shas and modes are "0"s for a missing side."""

    status: FileStatus
    old_mode: str
    new_mode: str
    old_sha: str
    new_sha: str
    path: str
    old_path: str | None = None

    @property
    def base_path(self) -> str:
        """The path this file had at base."""
        return self.old_path or self.path


#: lines added and deleted, None for a binary file
NumStat = tuple[int | None, int | None]


def parse_raw_numstat(out: bytes) -> tuple[list[RawEntry], dict[str, NumStat]]:
    """The raw records and numstat counts of ``git diff --raw --numstat -z`` output, up to
    the empty field that ends them (:func:`split_records` cuts them from the patch).

    The output is walked field by field, so NUL bytes after the records cannot confuse it.
    """
    fields = _Fields(out)
    entries: list[RawEntry] = []
    while fields.peek().startswith(b":"):
        old_mode, new_mode, old_sha, new_sha, code = fields.next()[1:].decode().split(" ")
        status = _STATUS.get(code[0], FileStatus.MODIFIED)  # "U" (unmerged) reads as modified
        old = decode_path(fields.next()) if code[0] in "RC" else None
        path = decode_path(fields.next())
        entries.append(RawEntry(status, old_mode, new_mode, old_sha, new_sha, path, old))
    stats: dict[str, NumStat] = {}
    while fields.peek():
        added, deleted, rest = fields.next().split(b"\t", 2)
        if not rest:  # a rename or copy: old and new path follow as their own fields
            fields.next()
            rest = fields.next()
        stats[decode_path(rest)] = (_count(added), _count(deleted))
    return entries, stats


class _Fields:
    """NUL-terminated fields of a byte string, read one at a time."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def peek(self) -> bytes:
        end = self.data.find(b"\0", self.pos)
        return self.data[self.pos : end] if end >= 0 else b""

    def next(self) -> bytes:
        field = self.peek()
        self.pos += len(field) + 1
        return field


def _count(field: bytes) -> int | None:
    return None if field == b"-" else int(field)


def unquote_c(name: bytes) -> bytes:
    """Undo git's C-style quoting of a path ("a\\tb", octal escapes for raw bytes)."""
    if not (len(name) >= 2 and name.startswith(b'"') and name.endswith(b'"')):
        return name
    body, out, i = name[1:-1], bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != ord("\\") or i + 1 >= len(body):
            out.append(c)
            i += 1
        elif body[i + 1] in _ESCAPES:
            out.append(_ESCAPES[body[i + 1]])
            i += 2
        else:  # three octal digits
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
    return bytes(out)


def _new_side_path(line: bytes) -> str | None:
    """The head path of a ``+++ b/<path>`` line; None for ``/dev/null``."""
    name = line[4:]
    if name.endswith(b"\t"):  # git adds a tab after names that contain a space,
        name = name[:-1]  # quoted ones included ("b/a b\nc"<TAB>)
    if name.startswith(b'"'):
        name = unquote_c(name)
    if not name.startswith(b"b/"):
        return None
    return decode_path(name[2:])


def parse_hunks(patch: bytes) -> dict[str, tuple[tuple[int, int], ...]]:
    """Head line ranges (inclusive) that each file's hunks add, from ``git diff -U0``."""
    return parse_hunk_stream([patch])


#: the only lines of a patch whose content matters here; every other line is skipped
_HEADER_STARTS = (b"diff --git ", b"+++ ", b"@@ ")


def parse_hunk_stream(chunks: Iterable[bytes]) -> dict[str, tuple[tuple[int, int], ...]]:
    """:func:`parse_hunks` over a patch that arrives in chunks, in memory that does not
    grow with the patch: a line that cannot be a header is dropped as soon as its first
    bytes show it, so only header lines (short) are ever assembled."""
    hunks = _Hunks()
    partial, skipping = b"", False
    for chunk in chunks:
        data = chunk
        if skipping:
            end = data.find(b"\n")
            if end < 0:
                continue
            data, skipping = data[end + 1 :], False
        lines = (partial + data).split(b"\n") if partial else data.split(b"\n")
        partial = lines.pop()
        for line in lines:
            hunks.line(line)
        if partial and not _may_be_header(partial):
            partial, skipping = b"", True
    if partial and not skipping:
        hunks.line(partial)
    return hunks.result()


def _may_be_header(start: bytes) -> bool:
    """Whether a line beginning with ``start`` can still turn out to be a header line."""
    return any(h.startswith(start[: len(h)]) or start.startswith(h) for h in _HEADER_STARTS)


class _Hunks:
    """The state of a patch being read. The ``+++`` line is only trusted in a file's
    header (before its first hunk): inside a hunk an added line that starts with "++ "
    looks the same."""

    def __init__(self) -> None:
        self.out: dict[str, list[tuple[int, int]]] = {}
        self.current: list[tuple[int, int]] | None = None
        self.in_header = False

    def line(self, line: bytes) -> None:
        if line.startswith(b"diff --git "):
            self.in_header, self.current = True, None
        elif self.in_header and line.startswith(b"+++ "):
            path = _new_side_path(line)
            self.current = self.out.setdefault(path, []) if path is not None else None
        elif line.startswith(b"@@ "):
            self.in_header = False
            match = _HUNK.match(line)
            if match is None or self.current is None:
                return
            start = int(match.group(1))
            length = 1 if match.group(2) is None else int(match.group(2))
            if length:
                self.current.append((start, start + length - 1))

    def result(self) -> dict[str, tuple[tuple[int, int], ...]]:
        return {path: tuple(sorted(ranges)) for path, ranges in self.out.items()}


def split_records(chunks: Iterable[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The ``--raw --numstat -z`` records at the head of a diff's output (up to and
    including the empty field that ends them), and the rest of the output, still to be
    read. Records grow with the number of files, the rest with the size of the change."""
    it = iter(chunks)
    buf = bytearray()
    for chunk in it:
        start = max(0, len(buf) - 1)  # the two NULs may straddle chunks
        buf += chunk
        end = buf.find(b"\0\0", start)
        if end >= 0:
            return bytes(buf[: end + 2]), itertools.chain([bytes(buf[end + 2 :])], it)
    return bytes(buf), iter(())


def classify(mode: str, size: int, limit: int, load: Callable[[], bytes | None]) -> FileKind:
    """What a file holds, decided by its content (``load``), never by what git's diff
    said: git's "binary" can come from attributes the pull request wrote."""
    if mode == MODE_SUBMODULE:
        return FileKind.SUBMODULE
    if mode == MODE_SYMLINK:
        return FileKind.SYMLINK
    if size > limit:
        return FileKind.TOO_LARGE
    data = load()
    if data is None:
        return FileKind.TEXT
    return kind_of_bytes(data)


def kind_of_bytes(data: bytes) -> FileKind:
    """BINARY, UNDECODABLE or TEXT: git's NUL rule, then UTF-8 or the file's coding line."""
    if looks_binary(data):
        return FileKind.BINARY
    return FileKind.UNDECODABLE if decode_text(data) is None else FileKind.TEXT


def line_count(data: bytes) -> int:
    """Lines in a file as git counts them (a last line without newline still counts)."""
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
