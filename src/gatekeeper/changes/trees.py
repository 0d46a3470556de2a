"""The :class:`~gatekeeper.changes.Tree` implementations: the repository at a commit, in
the index, and on disk.

Blobs are read through one long-lived ``git cat-file --batch`` per repository
(:class:`BlobReader`), shared by the trees of a ChangeSet and guarded by a lock because
the engine runs checks in threads.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from gatekeeper.changes.git import (
    check_path,
    encode_path,
    git_command,
    git_env,
    run_git,
    split_z,
)
from gatekeeper.errors import GitError

#: A blob known from the diff: its object name and size, so reads need no lookup.
KnownBlob = tuple[str, int]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a cat-file process: closing its input makes it exit; reap it so no zombie stays."""
    for stream in (proc.stdin, proc.stdout):
        # a pipe to a process that already died may refuse the final flush
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover - cat-file ignores a closed stdin
        proc.kill()
        proc.wait()


class BlobReader:
    """One long-lived ``git cat-file --batch`` process for a repository, thread-safe.

    The process starts on the first read and ends on :meth:`close` (or when the reader
    is garbage-collected, or at interpreter exit).
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize[[subprocess.Popen[bytes]], BlobReader] | None = None
        self._closed = False

    def _start(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._closed:
            raise GitError("the ChangeSet was closed; build a new one to read files")
        if self._proc is None:
            cmd = git_command("cat-file", "--batch")
            self._proc = subprocess.Popen(
                cmd,
                cwd=self._root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=git_env(),
            )
            self._finalizer = weakref.finalize(self, _stop, self._proc)
        assert self._proc.stdin is not None and self._proc.stdout is not None
        return self._proc.stdin, self._proc.stdout

    def read(self, name: str, limit: int | None = None) -> tuple[str, bytes] | None:
        """The (type, content) of an object name (a sha, ``rev:path``, ``:path``), or None.

        With ``limit`` only the first ``limit`` bytes are returned (the rest is read and
        dropped in small pieces, so a huge blob costs no memory). The name must not
        contain a newline (the batch protocol is line-based).
        """
        if "\n" in name:
            raise ValueError("object names sent to cat-file --batch cannot contain newlines")
        with self._lock:
            stdin, stdout = self._start()
            try:
                return self._exchange(stdin, stdout, name, limit)
            except BaseException:
                # An answer half-read (git died, or an interrupt) would shift every later
                # answer by one: drop this process; the next read starts a fresh one.
                self._discard()
                raise

    @staticmethod
    def _exchange(
        stdin: IO[bytes], stdout: IO[bytes], name: str, limit: int | None = None
    ) -> tuple[str, bytes] | None:
        try:
            stdin.write(encode_path(name) + b"\n")
            stdin.flush()
            header = stdout.readline()
        except OSError:  # the process died: same as an empty answer
            header = b""
        if header.endswith((b" missing\n", b" ambiguous\n")):
            return None
        fields = header.split()
        size = int(fields[2]) if len(fields) == 3 else -1
        wanted = size if limit is None else min(size, limit)
        data = stdout.read(wanted) if wanted > 0 else b""
        left = size - len(data)
        while left > 0:  # what is past the limit: read in pieces and dropped
            piece = stdout.read(min(left, 1 << 16))
            if not piece:
                break
            left -= len(piece)
        # the content, then a newline: read apart, so the content is never copied
        if size < 0 or len(data) != wanted or left or stdout.read(1) != b"\n":
            raise GitError(f"git cat-file stopped unexpectedly while reading {name!r}")
        return fields[1].decode(), data

    def _discard(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._proc, self._finalizer = None, None

    def close(self) -> None:
        """Stop the process (idempotent)."""
        with self._lock:
            self._closed = True
            if self._finalizer is not None:
                self._finalizer()

    @property
    def running(self) -> bool:
        """True while the cat-file process is alive (for tests and diagnostics)."""
        return self._proc is not None and self._proc.poll() is None


class GitTree:
    """The repository at a commit (``rev`` is a sha) or in the index (``rev`` is "")."""

    def __init__(
        self,
        root: Path,
        reader: BlobReader,
        rev: str,
        known: Mapping[str, KnownBlob] | None = None,
    ) -> None:
        self.root, self.rev = root, rev
        self._reader = reader
        self._known = dict(known or {})
        self._paths: list[str] | None = None
        self._lock = threading.Lock()

    def read(self, path: str) -> bytes | None:
        """The blob's bytes at this revision; None when absent or not a file."""
        return self.read_prefix(path, None)

    def read_prefix(self, path: str, limit: int | None) -> bytes | None:
        """The blob's first ``limit`` bytes (all of them for None); None when absent."""
        check_path(path)
        known = self._known.get(path)
        name: str | None = known[0] if known else f"{self.rev}:{path}"
        if name is not None and "\n" in name:
            name = self._resolve(path)
        if name is None:
            return None
        got = self._reader.read(name, limit)
        if got is None or got[0] != "blob":
            return None
        return got[1]

    def _resolve(self, path: str) -> str | None:
        # cat-file --batch reads names line by line, so a path with a newline is
        # resolved to its blob sha by a separate call.
        done = run_git(
            self.root, "rev-parse", "--verify", "--quiet", f"{self.rev}:{path}", check=False
        )
        return done.stdout.decode().strip() if done.returncode == 0 else None

    def at(self, rev: str) -> GitTree:
        """The repository at ``rev`` (a commit or tag), sharing this tree's cat-file
        process: reading a file there is one more exchange with it, not a git process."""
        return GitTree(self.root, self._reader, rev)

    def tracked(self, path: str) -> bool:
        """True when ``path`` is an entry of this revision (file, symlink, submodule)."""
        check_path(path)
        name = f"{self.rev}:{path}"
        done = run_git(self.root, "rev-parse", "--verify", "--quiet", name, check=False)
        return done.returncode == 0

    def size(self, path: str) -> int | None:
        """The blob's size when the diff already told us (None: unknown, read to find out)."""
        known = self._known.get(path)
        return known[1] if known else None

    def paths(self) -> Iterator[str]:
        """Every file path at this revision, from one listing that is then cached."""
        with self._lock:
            if self._paths is None:
                if self.rev:
                    args = ["ls-tree", "-r", "-z", "--name-only", "--full-tree", self.rev]
                else:
                    args = ["ls-files", "-z", "--cached", "--full-name"]
                self._paths = sorted(set(split_z(run_git(self.root, *args).stdout)))
        return iter(self._paths)

    def grep(self, words: list[str], pathspecs: list[str]) -> list[str] | None:
        """Paths at this revision matching ``pathspecs`` whose text holds one of ``words``
        as a whole word, in any case: one ``git grep``, far cheaper than reading every
        blob. None when git cannot answer (a blob missing from a partial clone)."""
        args = ["grep", "-l", "-z", "-I", "-F", "-i", "-w"]
        for word in words:
            args += ["-e", word]
        args += [self.rev, "--"] if self.rev else ["--cached", "--"]
        done = run_git(self.root, *args, *pathspecs, check=False)
        if done.returncode not in (0, 1):  # 1: nothing matched
            return None
        prefix = f"{self.rev}:" if self.rev else ""
        return sorted(p.removeprefix(prefix) for p in split_z(done.stdout))

    def close(self) -> None:
        """Stop the shared cat-file process."""
        self._reader.close()


class WorktreeTree:
    """The working tree on disk. Symlinks are read as their target text, never followed,
    and a path whose parent directories go through a symlink does not exist (as in git)."""

    def __init__(self, root: Path, sizes: Mapping[str, int] | None = None) -> None:
        self.root = root
        self._real_root = os.path.realpath(root)
        self._sizes = dict(sizes or {})
        #: symlinks read as the file they lead to (see :mod:`gatekeeper.changes.links`)
        self.aliases: dict[str, str] = {}
        self._paths: list[str] | None = None
        self._lock = threading.Lock()

    def _full(self, path: str) -> str | None:
        check_path(path)
        parts = path.split("/")
        expected_parent = os.path.join(self._real_root, *parts[:-1])
        full = os.path.join(expected_parent, parts[-1])
        if os.path.realpath(os.path.dirname(full)) != expected_parent:
            return None
        return full

    def read(self, path: str) -> bytes | None:
        """The file's bytes (a symlink's target text, or the file it leads to when it is
        one of :attr:`aliases`); None when absent or a directory."""
        return self.read_prefix(path, None)

    def read_prefix(self, path: str, limit: int | None) -> bytes | None:
        """The file's first ``limit`` bytes (all of them for None); None as :meth:`read`."""
        full = self._full(self.aliases.get(path, path))
        if full is None:
            return None
        if os.path.islink(full):
            return os.fsencode(os.readlink(full))
        if not os.path.isfile(full):
            return None
        with open(full, "rb") as fh:
            return fh.read() if limit is None else fh.read(limit)

    def tracked(self, path: str) -> bool:
        """True when git tracks ``path`` (it is in the index), whatever is on disk."""
        check_path(path)
        done = run_git(self.root, "rev-parse", "--verify", "--quiet", f":{path}", check=False)
        return done.returncode == 0

    def size(self, path: str) -> int | None:
        """The file's size in bytes, from lstat (never reads it)."""
        if path in self._sizes:
            return self._sizes[path]
        full = self._full(self.aliases.get(path, path))
        try:
            return os.lstat(full).st_size if full else None
        except OSError:
            return None

    def paths(self) -> Iterator[str]:
        """Tracked and untracked (not ignored) files that exist on disk."""
        with self._lock:
            if self._paths is None:
                out = run_git(
                    self.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"
                ).stdout
                self._paths = sorted(
                    p
                    for p in set(split_z(out))
                    if not p.endswith("/") and os.path.lexists(os.path.join(self.root, p))
                )
        return iter(self._paths)

    def close(self) -> None:
        """Nothing to release."""
