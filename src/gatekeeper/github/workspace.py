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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

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


class FileCommands:
    """The runner's file-command files as they were before the PR's code ran."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._sizes: dict[str, int] = {}
        for name in FILE_COMMAND_VARIABLES:
            path = env.get(name, "")
            if path:
                with contextlib.suppress(OSError):
                    self._sizes[path] = os.lstat(path).st_size

    def restore(self, log: Log) -> list[str]:
        """Cut away what was appended since; the paths that had grown."""
        grown = []
        for path, size in sorted(self._sizes.items()):
            try:
                info = os.lstat(path)
                if not stat.S_ISREG(info.st_mode) or info.st_size == size:
                    continue
                fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                try:
                    os.ftruncate(fd, size)
                finally:
                    os.close(fd)
            except OSError as exc:
                log(f"gatekeeper: could not check {path}: {exc.strerror or exc}")
                continue
            grown.append(path)
            log(
                f"::warning title=gatekeeper::something the pull request ran wrote to "
                f"{Path(path).name}; it was removed before the gate wrote its own"
            )
        return grown
