"""Documentation repositories for the replay: ``docs_repositories`` in commits.yml.

A project that documents its configuration in another repository (a docs site, a wiki)
is replayed the way a team would run the gate on it: the workflow checks the docs
repository out beside the code and the policy names the folder in
``checks.env-vars.external_docs``. For a replayed commit, each docs repository is taken
at the newest commit of its default branch (the mirror's HEAD) whose committer date is at
most one day after the replayed commit's (the labels' convention: docs landing the same
day count), extracted with ``git archive`` into a folder outside the clone, once per
(docs repository, commit) in a run; the gate then runs with a policy file that is the
built-in ``recommended`` preset plus that key.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

#: how long after the replayed commit docs may land and still count (the labels' day)
GRACE_SECONDS = 24 * 60 * 60
#: the policy a project without its own gets in the replay, plus the docs folders
POLICY = "version: 1\nextends: [recommended]\nchecks:\n  env-vars:\n    external_docs:\n"


def docs_commit(mirror: Path, committed: int) -> str | None:
    """The newest commit of ``mirror``'s HEAD committed at most a day after ``committed``
    (Unix seconds), or None when the docs repository had no commit by then."""
    done = subprocess.run(
        ["git", "rev-list", "-1", f"--until=@{committed + GRACE_SECONDS}", "HEAD", "--"],
        cwd=mirror, capture_output=True, text=True, check=False,
    )  # fmt: skip
    sha = done.stdout.strip()
    return sha if done.returncode == 0 and sha else None


def extract(mirror: Path, sha: str, dest: Path) -> str | None:
    """``git archive`` of ``sha`` unpacked into ``dest`` (kept if already there: the run's
    cache); an error message, or None when the folder is ready.

    Snapshots omit files of 4 MiB and more (a docs site's videos and screenshots), and
    ``git archive`` stops at the first one; those are left out, as the replay's own
    checkout leaves them out, so the pages that document settings are still read."""
    if (dest / ".complete").is_file():
        return None
    error = _archive(mirror, sha, dest, [])
    if error:
        absent = absent_blobs(mirror, sha)
        if absent:
            error = _archive(mirror, sha, dest, absent)
    if error:
        return error
    (dest / ".complete").write_text(sha + "\n", encoding="utf-8")
    return None


def absent_blobs(mirror: Path, sha: str) -> list[str]:
    """Paths in ``sha``'s tree whose contents ``mirror`` does not hold."""
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--full-tree", sha], cwd=mirror,
        capture_output=True, check=False,
    )  # fmt: skip
    entries = []
    for entry in listed.stdout.decode(errors="surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob":
            entries.append((fields[2], path))
    if not entries:
        return []
    checked = subprocess.run(
        ["git", "cat-file", "--batch-check=%(objectname)"], cwd=mirror,
        input="".join(f"{blob}\n" for blob, _ in entries).encode(),
        capture_output=True, check=False,
    )  # fmt: skip
    answers = checked.stdout.decode().splitlines()
    return [path for (_, path), line in zip(entries, answers, strict=False) if "missing" in line]


def _archive(mirror: Path, sha: str, dest: Path, leave_out: Sequence[str]) -> str | None:
    dest.mkdir(parents=True, exist_ok=True)
    spec = ["--", ".", *(f":(exclude,literal){path}" for path in leave_out)] if leave_out else []
    archive = subprocess.Popen(
        ["git", "archive", "--format=tar", sha, *spec], cwd=mirror,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], stdin=archive.stdout, capture_output=True, check=False
    )
    assert archive.stdout is not None and archive.stderr is not None
    archive.stdout.close()
    error = archive.stderr.read().decode(errors="replace").strip()
    if archive.wait() != 0 or untar.returncode != 0:
        message = error or untar.stderr.decode(errors="replace").strip()
        return message.splitlines()[-1] if message else "git archive failed"
    return None


def docs_folders(
    repos: Sequence[str],
    committed: int,
    *,
    mirrors: Path,
    scratch: Path,
    find_mirror: Callable[[Path, str], Path | None],
) -> tuple[list[Path], list[str]]:
    """The extracted folders of ``repos`` as of ``committed``, and a note per one left out
    (no mirror, no commit by then, an archive that failed): the run goes on without it."""
    folders: list[Path] = []
    notes: list[str] = []
    for repo in repos:
        mirror = find_mirror(mirrors, repo)
        if mirror is None:
            where = mirrors / repo.replace("/", "+")
            notes.append(f"docs repository {repo}: no mirror at {where}; replayed without it")
            continue
        sha = docs_commit(mirror, committed)
        if sha is None:
            notes.append(f"docs repository {repo}: no commit by then; replayed without it")
            continue
        dest = scratch / "docs" / f"{repo.replace('/', '+')}@{sha[:12]}"
        error = extract(mirror, sha, dest)
        if error:
            notes.append(f"docs repository {repo} at {sha[:10]}: {error}; replayed without it")
            continue
        folders.append(dest)
    return folders, notes


def policy_file(folders: Sequence[Path], dest: Path) -> Path:
    """A policy file: ``recommended`` plus ``external_docs`` naming ``folders``."""
    lines = "".join(f"      - {str(folder)!r}\n" for folder in folders)
    dest.write_text(POLICY + lines, encoding="utf-8")
    return dest
