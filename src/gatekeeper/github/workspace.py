"""What the action leaves in the runner's files: owned by the right user, and only its own.

The container action runs as root in a workspace the runner's user owns. Whatever it
creates there (reports, ``.gatekeeper/``, the objects a ``git fetch`` adds to ``.git``)
would stay root's, and a later step running as the runner's user could not overwrite or
delete it: :func:`hand_back` gives each such entry to the workspace's owner.

The PR's code runs during the gate. Its environment has no path to the runner's file
commands (``GITHUB_OUTPUT``, ``GITHUB_ENV``...), but it may find them; what it appended
there before the gate writes its own outputs is cut away (:class:`FileCommands`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from gatekeeper.sandbox.runner import FILE_COMMAND_VARIABLES

Log = Callable[[str], None]


@dataclass(frozen=True)
class Owner:
    """The workspace's owner, when it is not the user the gate runs as."""

    uid: int
    gid: int


def owner_to_restore(workspace: Path) -> Owner | None:
    """The workspace's owner when the gate is root and the owner is someone else."""
    if os.geteuid() != 0:
        return None
    try:
        info = os.stat(workspace)
    except OSError:
        return None
    return Owner(info.st_uid, info.st_gid) if info.st_uid != 0 else None


def hand_back(workspace: Path, roots: Iterable[Path], since: float, log: Log) -> int:
    """Give the workspace's owner every entry under ``roots`` that root created or changed
    since ``since`` (a ``time.time()``); symbolic links are changed, never followed, and
    nothing outside ``workspace`` is touched. Returns how many entries changed hands."""
    owner = owner_to_restore(workspace)
    if owner is None:
        return 0
    top = workspace.resolve()
    changed = 0
    for root in roots:
        for path in _entries(root, top):
            with contextlib.suppress(OSError):
                info = os.lstat(path)
                if info.st_uid == 0 and info.st_ctime >= since:
                    os.chown(path, owner.uid, owner.gid, follow_symlinks=False)
                    changed += 1
    if changed:
        log(f"gatekeeper: {changed} file(s) the gate wrote were given to uid {owner.uid}")
    return changed


def write_report(workspace: Path, name: str, text: str) -> None:
    """Write ``workspace/name`` through a temporary file and a rename: a link the PR
    committed at that path is replaced, never written through, and a folder on the way
    that is a link is refused (OSError). The action writes as root."""
    path = workspace / name
    _no_links_between(workspace, path.parent)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _no_links_between(workspace: Path, folder: Path) -> None:
    """OSError when a folder on the way from the workspace to ``folder`` is a symbolic
    link (the checkout's links may point anywhere on the machine)."""
    here = Path(os.path.abspath(workspace))
    target = Path(os.path.abspath(folder))
    if not target.is_relative_to(here):
        raise OSError(f"{folder} is outside the workspace")
    for part in target.relative_to(here).parts:
        here = here / part
        if here.is_symlink():
            raise OSError(f"{here} is a symbolic link; not writing through it")


def _entries(root: Path, top: Path) -> Iterator[Path]:
    """``root`` and, when it is a real folder, everything under it (links not followed).

    The folders between ``top`` and ``root`` come too: the action may have made them.
    """
    absolute = Path(os.path.abspath(root))
    if not absolute.is_relative_to(top) or not os.path.lexists(absolute):
        return
    here = top
    for part in absolute.relative_to(top).parts[:-1]:
        here = here / part
        if here.is_symlink():  # the checkout's links could lead anywhere: not through them
            return
    here = absolute
    while here != top and here.is_relative_to(top):
        yield here
        here = here.parent
    if stat.S_ISDIR(os.lstat(absolute).st_mode):
        for folder, dirs, files in os.walk(absolute):  # os.walk does not follow links
            for name in (*dirs, *files):
                yield Path(folder, name)


def open_runner_file(path: str) -> TextIO:
    """One of the runner's files (``GITHUB_OUTPUT``...) opened to append, never through a
    link; created only when no folder on its path is a link (the PR's code, as the
    runner's user, could put one where the runner's folder was)."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.realpath(parent) == parent:
        flags |= os.O_CREAT
    return os.fdopen(os.open(path, flags, 0o644), "a", encoding="utf-8")


class FileCommands:
    """The runner's file-command files as they were before the PR's code ran."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._before: dict[str, tuple[int, int, int] | None] = {}
        for name in FILE_COMMAND_VARIABLES:
            path = env.get(name, "")
            if path:
                try:
                    info = os.lstat(path)
                    self._before[path] = (info.st_dev, info.st_ino, info.st_size)
                except OSError:
                    self._before[path] = None

    def restore(self, log: Log) -> list[str]:
        """Cut away what was appended since, and empty a file put in the place of the
        runner's; the paths that had changed."""
        changed = []
        for path, before in sorted(self._before.items()):
            try:
                info = os.lstat(path)
            except OSError:
                continue
            same = before is not None and before[:2] == (info.st_dev, info.st_ino)
            keep = before[2] if same and before is not None else 0
            if same and info.st_size == keep:
                continue
            changed.append(path)
            log(
                f"::warning title=gatekeeper::something the pull request ran wrote to "
                f"{Path(path).name}; it was removed before the gate wrote its own"
            )
            if not stat.S_ISREG(info.st_mode):
                continue  # a link or a pipe: the gate will not open it (open_runner_file)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    os.ftruncate(fd, keep)
                finally:
                    os.close(fd)
            except OSError as exc:
                log(f"gatekeeper: could not restore {path}: {exc.strerror or exc}")
        return changed
