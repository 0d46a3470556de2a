"""Parsing git's diff output: ``--raw --numstat -z`` records and ``-U0`` hunk headers.

Pure functions over bytes, so every corner (renames, copies, type changes, quoted
paths) is tested without running git. :mod:`gatekeeper.changes.build` feeds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


def parse_raw_numstat(out: bytes) -> tuple[list[RawEntry], dict[str, NumStat], bytes]:
    """Split ``git diff --raw --numstat -z [-U0]`` output: raw records, numstat records,
    and the patch text that follows them after one more NUL (empty without ``-U0``).

    The output is walked field by field, so NUL bytes inside the patch cannot confuse it.
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
    return entries, stats, fields.rest()


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

    def rest(self) -> bytes:
        """What follows the empty field that ends the records (the patch), if anything."""
        return self.data[self.pos + 1 :] if self.pos < len(self.data) else b""


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
    if name.startswith(b'"'):
        name = unquote_c(name)
    elif name.endswith(b"\t"):  # git adds a tab after names that contain a space
        name = name[:-1]
    if not name.startswith(b"b/"):
        return None
    return decode_path(name[2:])


def parse_hunks(patch: bytes) -> dict[str, tuple[tuple[int, int], ...]]:
    """Head line ranges (inclusive) that each file's hunks add, from ``git diff -U0``.

    The ``+++`` line is only trusted in a file's header (before its first hunk): inside
    a hunk an added line that starts with "++ " looks the same.
    """
    out: dict[str, list[tuple[int, int]]] = {}
    current: list[tuple[int, int]] | None = None
    in_header = False
    for line in patch.split(b"\n"):
        if line.startswith(b"diff --git "):
            in_header, current = True, None
        elif in_header and line.startswith(b"+++ "):
            path = _new_side_path(line)
            current = out.setdefault(path, []) if path is not None else None
        elif line.startswith(b"@@ "):
            in_header = False
            match = _HUNK.match(line)
            if match is None or current is None:
                continue
            start = int(match.group(1))
            length = 1 if match.group(2) is None else int(match.group(2))
            if length:
                current.append((start, start + length - 1))
    return {path: tuple(sorted(ranges)) for path, ranges in out.items()}


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
