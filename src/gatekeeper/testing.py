"""Helpers for testing checks without git: build a ChangeSet from two dicts of files.

Plugin authors use these in their own tests; gatekeeper's rule-case tests do too.
Integration tests build real git repositories instead (see ``gatekeeper.changes.build``).
"""

from __future__ import annotations

import difflib
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangedFile, ChangeSet, FileKind, FileStatus
from gatekeeper.changes.diff import kind_of_bytes, line_count
from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.interface import Check, CheckContext, CheckError
from gatekeeper.model import Finding

Files = Mapping[str, "str | bytes"]


class MemoryTree:
    """A revision held in memory: path -> bytes."""

    def __init__(self, files: Files) -> None:
        self._files = {
            p: (c.encode("utf-8") if isinstance(c, str) else c) for p, c in files.items()
        }

    def read(self, path: str) -> bytes | None:
        """The file's bytes, or None when absent."""
        return self._files.get(path)

    def paths(self) -> Iterator[str]:
        """Every path, sorted."""
        return iter(sorted(self._files))


def _lines(data: bytes) -> list[str]:
    """Lines as git splits them (at b"\\n"), one character per byte so any content compares."""
    return data.decode("latin-1").split("\n")


def _added_ranges(old: list[str], new: list[str]) -> tuple[tuple[int, int], ...]:
    ranges = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert") and j2 > j1:
            ranges.append((j1 + 1, j2))
    return tuple(ranges)


def changeset(
    base: Files, head: Files, *, renames: Mapping[str, str] | None = None, root: Path | None = None
) -> ChangeSet:
    """A ChangeSet between two dicts of files; ``renames`` maps old path -> new path."""
    renames = dict(renames or {})
    base_tree, head_tree = MemoryTree(base), MemoryTree(head)
    renamed_to = {new: old for old, new in renames.items()}
    files: list[ChangedFile] = []
    for path in sorted(set(base) | set(head)):
        if path in renames:
            continue  # reported under its new name
        old_path = renamed_to.get(path)
        before = base_tree.read(old_path or path)
        after = head_tree.read(path)
        if before == after and old_path is None:
            continue
        if after is None:
            assert before is not None
            status, data = FileStatus.DELETED, before
        elif before is None:
            status, data = FileStatus.ADDED, after
        else:
            status, data = (FileStatus.RENAMED if old_path else FileStatus.MODIFIED), after
        kind = kind_of_bytes(data)
        added: tuple[tuple[int, int], ...] = ()
        deleted = 0
        textual = kind in (FileKind.TEXT, FileKind.UNDECODABLE)
        if textual and status is not FileStatus.DELETED:
            old_lines = _lines(before or b"")[: line_count(before or b"")]
            new_lines = _lines(data)[: line_count(data)]
            added = _added_ranges(old_lines, new_lines)
            deleted = max(0, len(old_lines) - (len(new_lines) - sum(e - s + 1 for s, e in added)))
        elif status is FileStatus.DELETED and textual:
            deleted = line_count(data)
        files.append(ChangedFile(path, status, kind, old_path, added, deleted, len(data)))
    return ChangeSet(
        root=root or Path(tempfile.gettempdir()),
        base="base",
        head="head",
        files=tuple(files),
        base_tree=base_tree,
        head_tree=head_tree,
    )


def defaults(check: Check | type) -> dict[str, Any]:
    """The config a check gets from a bare policy block: its schema's top-level defaults."""
    from gatekeeper.policy.load import config_defaults

    return config_defaults(check if isinstance(check, type) else type(check))


def context(
    changes: ChangeSet,
    config: Mapping[str, Any] | None = None,
    *,
    pr: PullRequest | None = None,
    scratch: Path | None = None,
    timeout: float = 300.0,
) -> CheckContext:
    """A CheckContext for a test run."""
    return CheckContext(
        changes=changes,
        pr=pr or PullRequest(),
        config=dict(config or {}),
        scratch=scratch or Path(tempfile.mkdtemp(prefix="gatekeeper-test-")),
        deadline=time.monotonic() + timeout,
    )


def run_check(
    check: Check,
    base: Files,
    head: Files,
    config: Mapping[str, Any] | None = None,
    *,
    pr: PullRequest | None = None,
) -> list[Finding]:
    """Run ``check`` on the change from ``base`` to ``head``; [] when it does not apply.

    A part of the check that could not run (``ctx.part_failed``) raises
    :class:`CheckError` with its reason, as a whole check that cannot run does: a test
    must not mistake a part that never ran for a clean result. Use :func:`context` and
    ``check.run`` to see both the findings and ``ctx.part_failures``.
    """
    ctx = context(changeset(base, head), config, pr=pr)
    if not check.applies(ctx):
        return []
    found = list(check.run(ctx))
    if ctx.part_failures:
        raise CheckError("; ".join(f"{p.part}: {p.reason}" for p in ctx.part_failures))
    return found
