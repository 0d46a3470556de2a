"""A revision's files written out to a folder of their own, and the tree that names them.

Checks that must run the code of a revision (a spec generator importing the application)
need its files on disk, apart from the checkout, which holds only one side of the change.
:func:`export_revision` streams ``git archive`` into a fresh folder: nothing is written
into the repository (no worktree bookkeeping to clean up after a crash), and every entry
is checked before it lands: no absolute name, no ``..``, no link pointing out of the
folder (such links are skipped), no device. :func:`tree_id` names what was exported, so a
result made from it can be cached by content, whichever commit carried it.
"""

from __future__ import annotations

import contextlib
import subprocess
import tarfile
from pathlib import Path
from typing import IO

from gatekeeper.changes.git import git_command, git_env, index_tree, run_git
from gatekeeper.errors import GitError

#: a revision larger than this (uncompressed) is not exported
MAX_EXPORT_BYTES = 4 * 1024 * 1024 * 1024
#: the labels a ChangeSet's head carries when it is not a commit (see changes.build)
WORKTREE, INDEX = "worktree", "index"


class ExportError(GitError):
    """A revision could not be written out (too large, git failed, the time ran out)."""


def tree_id(root: Path, rev: str) -> str | None:
    """The sha of the tree ``rev`` holds; for the ``index`` label, the staged tree; None
    for the ``worktree`` label (files on disk have no tree until someone writes one)."""
    if rev == WORKTREE:
        return None
    if rev == INDEX:
        return index_tree(root)
    done = run_git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}", check=False)
    if done.returncode != 0:
        raise ExportError(f"cannot find the tree of {rev} (is the commit in this clone?)")
    return done.stdout.decode().strip()


def export_revision(
    root: Path, tree: str, dest: Path, *, timeout: float, limit: int = MAX_EXPORT_BYTES
) -> int:
    """Write the files of ``tree`` under ``dest`` (an empty folder); how many were written.

    Submodules are not included (``git archive`` leaves them out); symbolic links that stay
    inside ``dest`` are kept, others are skipped.
    """
    cmd = git_command("archive", "--format=tar", tree)
    proc = subprocess.Popen(
        cmd,
        cwd=root,
        env={**git_env(), "GIT_ATTR_NOSYSTEM": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    written, problem = 0, ""
    try:
        try:
            written = _extract(proc.stdout, dest, limit)
        except (tarfile.TarError, OSError) as exc:
            problem = f"cannot write out {tree}: {exc}"
        proc.stdout.close()
        err = proc.stderr.read()
        code = proc.wait(timeout=max(1.0, timeout))
    except subprocess.TimeoutExpired:
        raise ExportError(f"git archive {tree} did not finish within {timeout:g} s") from None
    finally:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()
        proc.stderr.close()
    if code != 0:  # git's own reason comes first: a broken stream is its consequence
        raise ExportError(f"git archive {tree} failed: {err.decode('utf-8', 'replace').strip()}")
    if problem:
        raise ExportError(problem)
    return written


def _extract(stream: IO[bytes], dest: Path, limit: int) -> int:
    total = written = 0
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            total += max(0, member.size)
            if total > limit:
                raise ExportError(
                    f"the revision is larger than {limit // (1024 * 1024)} MB uncompressed; "
                    "it was not written out"
                )
            safe = _checked(member, dest)
            if safe is not None:
                archive.extract(safe, dest, filter="fully_trusted")
                written += 1
    return written


def _checked(member: tarfile.TarInfo, dest: Path) -> tarfile.TarInfo | None:
    """The member as tarfile's ``data`` filter allows it (no absolute or climbing names,
    no links out of ``dest``, no devices, no set-id bits), or None to skip it."""
    if member.name == "pax_global_header" or member.type == tarfile.XGLTYPE:
        return None
    try:
        return tarfile.data_filter(member, str(dest))
    except tarfile.FilterError:
        return None
