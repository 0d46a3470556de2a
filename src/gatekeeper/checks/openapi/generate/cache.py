"""Generated documents kept by tree hash, in a folder the pull request cannot plant.

A document depends on the files of a revision (its tree), the generator's settings, the
interpreter and the packages installed beside it, and gatekeeper's own generator code
(``child.py``): the key
hashes all of them, so a base commit is generated once, and again only when one of them
changes. The folder lies outside the repository by default
(``$GATEKEEPER_CACHE_DIR``, else ``$XDG_CACHE_HOME/gatekeeper``, else
``~/.cache/gatekeeper``; documents go under ``openapi/``). It is used only when

* it is not a symbolic link and belongs to the gate's own user, writable by no one else
  (as ssh asks of its keys); and
* when it lies inside the repository, as the coverage check asks of base figures, no
  folder on its way is a symbolic link and git does not track it at head (a pull request
  could have committed a "cached" base document).

Otherwise the check says why and generates without it. Entries are written atomically
and read without following links, up to the spec loader's size limit.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.coverage.evidence import refusal
from gatekeeper.checks.openapi.generate.config import Generator
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES
from gatekeeper.sandbox import read_left_file

#: bumped when the entries' form changes
FORMAT = 1


def default_folder() -> Path:
    """Where documents are kept when the policy does not say."""
    env = os.environ.get("GATEKEEPER_CACHE_DIR")
    if env:
        return Path(env) / "openapi"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "gatekeeper" / "openapi"


class Cache:
    """Documents by key, in one folder; ``hits`` and ``stores`` count this run's uses."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.stores = 0

    @classmethod
    def open(cls, changes: ChangeSet, folder: Path | None = None) -> tuple[Cache | None, str]:
        """The cache in ``folder`` (default: :func:`default_folder`), or None and why not."""
        folder = Path(os.path.abspath(folder or default_folder()))
        root = Path(os.path.abspath(changes.root))
        if folder.is_relative_to(root):
            why = refusal(changes, folder.relative_to(root).as_posix())
            if why:
                return None, f"the cache folder {folder} is not used: {why}"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            info = os.lstat(folder)
        except OSError as exc:
            return None, f"the cache folder {folder} cannot be made ({exc.strerror})"
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            return None, f"the cache folder {folder} is a symbolic link or not a folder"
        if info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return None, (
                f"the cache folder {folder} belongs to another user or others may write "
                "in it; make it the gate's own (chmod go-w)"
            )
        return cls(folder), ""

    def key(self, tree: str, gen: Generator) -> str:
        """The key of ``gen``'s document for ``tree`` in this environment."""
        parts = [str(FORMAT), _generators(), tree, gen.digest(), _environment(gen.interpreter)]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def get(self, key: str) -> tuple[bytes, Any] | None:
        """The document and sources kept under ``key``; None when absent or unreadable."""
        try:
            data = json.loads(read_left_file(self.folder / f"{key}.json", 2 * MAX_SPEC_BYTES))
            document, sources = data["document"], data["sources"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not isinstance(document, str):
            return None
        self.hits += 1
        return document.encode("utf-8"), sources

    def put(self, key: str, document: bytes, sources: Any) -> None:
        """Keep a document (a failure to write only costs the next run a generation)."""
        text = json.dumps({"document": document.decode("utf-8"), "sources": sources})
        try:
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, self.folder / f"{key}.json")
            self.stores += 1
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(tmp)


@functools.cache
def _generators() -> str:
    """The built-in generators' own code: a new gatekeeper that generates differently
    starts new entries."""
    source = Path(__file__).with_name("child.py").read_bytes()
    return hashlib.sha256(source).hexdigest()


@functools.cache
def _environment(interpreter: str) -> str:
    """What identifies the packages a generator imports: for gatekeeper's own interpreter,
    every installed distribution and its version; for another, its path and the time it
    was last modified (a new virtual environment makes a new one)."""
    if interpreter == sys.executable:
        names = sorted(
            f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
        )
        return hashlib.sha256("\n".join(names).encode()).hexdigest()
    try:
        info = os.stat(interpreter)
        stamp = f"{info.st_mtime_ns}"
    except OSError:
        stamp = ""
    return f"{interpreter}|{stamp}"
