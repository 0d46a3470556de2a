"""Documentation kept outside the repository: ``checks.env-vars.external_docs``.

Many projects document their configuration in another repository (a docs site, a wiki);
a workflow checks it out beside the repository and the policy names the folder. The
folder is read from disk at run time, never from git: every file whose name makes it
documentation (:func:`docs.doc_kind`, the rules the repository's own docs follow) is read
with the same readers; a compose file, at any depth, documents the variables its
services set or pass through (``environment:``), as a deployment repository's env files
do. Bounded (files, bytes per file), never through a symlink: the walk does not descend
into linked folders, linked files are skipped, and a file is opened with ``O_NOFOLLOW``
so one swapped for a link meanwhile is not read either.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gatekeeper.changes.text import looks_binary
from gatekeeper.checks.envvars.docs import Documentation, doc_kind, parse_doc, parse_env_file
from gatekeeper.checks.envvars.text_reads import compose_environment

#: files read from all external folders of one run, at most
MAX_EXTERNAL_FILES = 20_000
#: folders never walked: a checkout's own git metadata and dependency trees
SKIPPED_FOLDERS = frozenset({".git", "node_modules", ".hg", ".svn"})
#: a compose file, at any depth of the folder (``dockerfiles/docker-compose.yml``)
_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]*)?\.ya?ml")


@dataclass
class ExternalRead:
    """What reading the external folders found besides the names."""

    #: (folder as configured, why it could not be read)
    unusable: list[tuple[str, str]] = field(default_factory=list)
    #: one line each about what was left out (symlinks, big, binary, over the cap)
    skipped: list[str] = field(default_factory=list)
    files: int = 0


def read_external(
    root: Path,
    folders: Sequence[str],
    doc: Documentation,
    *,
    max_bytes: int,
    max_files: int = MAX_EXTERNAL_FILES,
    check_time: Callable[[], None] = lambda: None,
    changed: frozenset[str] = frozenset(),
) -> ExternalRead:
    """Add the names the documentation under ``folders`` documents to ``doc``.

    A relative folder is taken from ``root`` (the repository's root directory); a file
    under it that the pull request adds or edits (a repository path in ``changed``) is the
    change's own, not the checked-out documentation, and is not read. Names
    are shown as ``<folder as configured>/<path inside it>``; problems found in these
    files (malformed lines, real-looking secrets) are not the change's and are dropped.
    """
    out = ExternalRead()
    for configured in folders:
        top = _usable(root, configured, out)
        if top is None:
            continue
        label = configured.rstrip("/") or configured
        found = Documentation()
        own = _own_files(root, top, changed)
        counts = _walk(top, label, found, out, (max_bytes, max_files, own), check_time)
        for name, (where, line) in found.names.items():
            doc.add(name, where, line)
        doc.outside |= {where for where, _ in found.names.values()}
        out.skipped += [f"{label}: {_counted(n, what)}" for what, n in sorted(counts.items()) if n]
    return out


def _usable(root: Path, configured: str, out: ExternalRead) -> Path | None:
    """The folder to walk, or None with the reason in ``out.unusable``."""
    given = Path(configured)
    top = given if given.is_absolute() else root / given
    if not given.is_absolute():
        # inside the repository, a link could lead anywhere: no part of the path may be one
        part = root
        for piece in given.parts:
            part = part / piece
            if part.is_symlink():
                out.unusable.append((configured, f"{part} is a symbolic link"))
                return None
    if top.is_symlink():
        out.unusable.append((configured, f"{top} is a symbolic link"))
        return None
    if not top.exists():
        out.unusable.append((configured, f"{top} does not exist"))
        return None
    if not top.is_dir():
        out.unusable.append((configured, f"{top} is not a directory"))
        return None
    return top


def _own_files(root: Path, top: Path, changed: frozenset[str]) -> frozenset[str]:
    """The paths under ``top``, relative to it, of the files the pull request changed:
    none when ``top`` is outside the repository."""
    try:
        inside = top.relative_to(root).as_posix()
    except ValueError:
        return frozenset()
    prefix = "" if inside == "." else inside.rstrip("/") + "/"
    return frozenset(p[len(prefix) :] for p in changed if p.startswith(prefix))


def _walk(
    top: Path,
    label: str,
    doc: Documentation,
    out: ExternalRead,
    limits: tuple[int, int, frozenset[str]],
    check_time: Callable[[], None],
) -> dict[str, int]:
    """Read the documentation files under ``top``; counts of what was left out.
    ``limits``: bytes per file, files in all, and the paths the pull request changed."""
    max_bytes, max_files, own = limits
    counts = {"symbolic links not followed": 0, "files over the size limit": 0}
    counts |= {"binary or non-UTF-8 files": 0, "files over the file limit": 0}
    counts |= {"files the pull request changed": 0}
    for folder, dirs, files in os.walk(top, followlinks=False):
        check_time()
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        counts["symbolic links not followed"] += len(links)
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_FOLDERS and d not in links)
        for name in sorted(files):
            # a docs site's YAML is its own configuration, not a manifest it documents;
            # a compose file is the exception: the stack a deployer starts
            compose = _COMPOSE.fullmatch(name.lower()) is not None
            kind = None if doc_kind(name) == "manifest" else doc_kind(name)
            deployed = kind is None and (name.lower().endswith(".env") or compose)
            if kind is None and not deployed:
                continue
            path = os.path.join(folder, name)
            if Path(path).relative_to(top).as_posix() in own:
                counts["files the pull request changed"] += 1
                continue
            if out.files >= max_files:
                counts["files over the file limit"] += 1
                continue
            text, why = _read(path, max_bytes)
            if text is None:
                if why:
                    counts[why] += 1
                continue
            out.files += 1
            shown = f"{label}/{Path(path).relative_to(top).as_posix()}"
            if compose:
                # the variables its services set or pass through name what the stack
                # is configured with: documentation, read from outside the repository
                for var, _value, line in compose_environment(text):
                    doc.add(var, shown, line)
            elif deployed:
                # a deployment repository's env files (config/prod.env) list what a
                # deployment sets: outside the repository they document, not leak
                parse_env_file(shown, text, doc)
            else:
                parse_doc(shown, text, doc)
    return counts


def _read(path: str, max_bytes: int) -> tuple[str | None, str]:
    """The file's text, or None and which count it goes to ('' for unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:  # a symbolic link (ELOOP), or gone, or not readable
        return None, "symbolic links not followed" if os.path.islink(path) else ""
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, ""
        if info.st_size > max_bytes:
            return None, "files over the size limit"
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        return None, "files over the size limit"
    if looks_binary(data):
        return None, "binary or non-UTF-8 files"
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return None, "binary or non-UTF-8 files"


def _counted(n: int, what: str) -> str:
    """``1 file over the size limit``, ``3 files over the size limit``."""
    if n != 1:
        return f"{n} {what}"
    first, _, rest = what.partition(" ")
    if first == "symbolic":  # "symbolic links not followed"
        return "1 symbolic link not followed"
    if first == "binary":  # "binary or non-UTF-8 files"
        return "1 binary or non-UTF-8 file"
    return f"1 {first.removesuffix('s')} {rest}"
