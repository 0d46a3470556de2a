"""Replaying one repository's commits: a clone of the local mirror, one gate run per commit."""

from __future__ import annotations

import contextlib
import json
import resource
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from replay_commits import Commit
from replay_docs import docs_folders, policy_file

#: how much of a failing run's stderr is kept
ERROR_TAIL = 600


#: rules a human's approval of the PR satisfies (the gate re-runs on the review)
APPROVAL_RULES = ("gate/", "review/", "security/sensitive-change")
#: how the gate marks a finding that a suppression the PR wrote (``# nosec``,
#: ``gatekeeper:ignore``, a declared irreversibility) would hide once a human approves
PR_SUPPRESSION = "[suppressed in this PR by "


@dataclass
class Blocking:
    """One finding that made the gate block."""

    rule: str
    path: str
    line: int | None
    message: str

    @property
    def awaits_approval(self) -> bool:
        """True for a finding that only asks for a human's approval: an approval rule, or
        a finding a suppression the PR wrote hides once a human approves the push."""
        return self.rule.startswith(APPROVAL_RULES) or PR_SUPPRESSION in self.message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.rule} ({where})" if where else self.rule


@dataclass
class Run:
    """What the gate said about one commit, and how long it took."""

    repo: str
    sha: str
    #: block | pass | error (exit 2 or 3, a timeout, or no report)
    verdict: str
    exit_code: int | None
    wall: float
    cpu: float
    #: check id -> {"status": ..., "seconds": ...}
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    blocking: list[Blocking] = field(default_factory=list)
    error: str = ""
    #: new warnings (not blocking), kept so a rule's level can be weighed on the whole set
    #: without another replay: would this warning, made an error, block a passing commit?
    warnings: list[Blocking] = field(default_factory=list)

    @property
    def blocks(self) -> bool:
        """True when the gate still blocks once a human reviewer approved the PR.

        An error blocks (a CI step that errors fails). Findings that exist only to ask for
        a human's approval (APPROVAL_RULES) are set aside: the reviewer whose judgement the
        label records approves, and that clears them; the replay has no reviews to give.
        """
        if self.verdict == "error":
            return True
        return any(not b.awaits_approval for b in self.blocking)

    @property
    def awaits_approval(self) -> bool:
        """Blocked only by findings that a human's approval clears."""
        return self.verdict == "block" and not self.blocks

    def to_json(self) -> dict[str, Any]:
        """A plain dict for ``--json``."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Run:
        """The inverse of :meth:`to_json`."""
        values = dict(data)
        values["blocking"] = [Blocking(**b) for b in values.get("blocking", ())]
        values["warnings"] = [Blocking(**b) for b in values.get("warnings", ())]
        return cls(**values)


def find_mirror(mirrors: Path, repo: str) -> Path | None:
    """The git directory of ``repo`` under ``mirrors``, or None."""
    base = mirrors / repo.replace("/", "+")
    for candidate in (base / "repo", base):
        if (candidate / "HEAD").is_file() or (candidate / ".git").exists():
            return candidate
    return None


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; raises CalledProcessError with git's message."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, errors="replace"
    )
    return done.stdout


@contextlib.contextmanager
def clone(mirror: Path, dest: Path) -> Iterator[Path]:
    """A throwaway clone sharing the mirror's objects (the mirror is never written)."""
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--shared", str(mirror), str(dest)],
        check=True,
        capture_output=True,
    )
    try:
        yield dest
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def replay_repository(
    repo: str,
    commits: Sequence[Commit],
    *,
    mirrors: Path,
    scratch: Path,
    env: Mapping[str, str],
    command: Sequence[str],
    timeout: float,
) -> tuple[list[Run], list[str]]:
    """Runs for the commits of one repository, and notes on what was skipped."""
    mirror = find_mirror(mirrors, repo)
    if mirror is None:
        where = mirrors / repo.replace("/", "+")
        return [], [
            f"skipped {repo}: no mirror at {where} ({len(commits)} commits not replayed; "
            f"fetch github:{repo} or pass --mirrors)"
        ]
    # the labels count documentation kept there: judged without it, every variable it
    # documents would read as undocumented, and the score would blame the gate
    absent = sorted({d for c in commits for d in c.docs_repos if find_mirror(mirrors, d) is None})
    if absent:
        where = mirrors / absent[0].replace("/", "+")
        return [], [
            f"skipped {repo}: no mirror of its docs repository {absent[0]} at {where} "
            f"({len(commits)} commits not replayed; fetch github:{absent[0]})"
        ]
    runs, notes = [], []
    with clone(mirror, scratch / repo.replace("/", "+")) as work:
        for commit in commits:
            try:
                parent = git(work, "rev-parse", "--verify", "-q", f"{commit.sha}^1").strip()
            except subprocess.CalledProcessError:
                notes.append(f"skipped {repo} {commit.short}: not in the mirror, or no parent")
                continue
            missing = missing_blobs(work, parent, commit.sha)
            if missing:
                notes.append(
                    f"skipped {repo} {commit.short}: the mirror lacks {len(missing)} changed "
                    f"file(s), e.g. {missing[0]} (snapshots omit files of 4 MiB and more)"
                )
                continue
            checkout(work, commit.sha)
            extra, said = docs_policy(work, commit, parent, mirrors=mirrors, scratch=scratch)
            notes += [note for note in said if note not in notes]
            runs.append(
                judge(work, commit, parent, env=env, command=command, timeout=timeout, extra=extra)
            )
            done = runs[-1]
            print(f"{repo} {commit.short} {done.verdict:5} {done.wall:6.1f} s", file=sys.stderr)
    return runs, notes


def docs_policy(
    work: Path, commit: Commit, parent: str, *, mirrors: Path, scratch: Path
) -> tuple[list[str], list[str]]:
    """Extra ``gatekeeper run`` arguments for a commit whose project documents its
    configuration in ``docs_repositories`` (``--policy`` with those folders), and notes.

    Only where the project has no policy of its own at base: there the replay's policy is
    the built-in ``recommended`` preset, and this one is that preset plus the folders."""
    if not commit.docs_repos:
        return [], []
    if git_ok(work, "cat-file", "-e", f"{parent}:.github/gatekeeper.yml"):
        return [], [f"{commit.repo}: has its own policy; docs repositories not added to it"]
    committed = int(git(work, "log", "-1", "--format=%ct", commit.sha).strip())
    folders, notes = docs_folders(
        commit.docs_repos, committed, mirrors=mirrors, scratch=scratch, find_mirror=find_mirror
    )
    if not folders:
        return [], notes
    policy = policy_file(folders, work.parent / f"{work.name}-policy.yml")
    return ["--policy", str(policy)], notes


def git_ok(cwd: Path, *args: str) -> bool:
    """Whether git succeeds in ``cwd`` (output discarded)."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False).returncode == 0


def checkout(work: Path, sha: str) -> None:
    """Check ``sha`` out, leaving out files whose contents the mirror lacks.

    Snapshots omit files of 4 MiB and more (fonts, videos, archives); git refuses a
    checkout that needs them, so a sparse-checkout pattern file excludes exactly those.
    """
    absent = _absent(work, _tree_blobs(work, sha))
    patterns = ["/*", *("!/" + _glob_escape(path) for path in absent)]
    info = Path(git(work, "rev-parse", "--git-path", "info").strip())
    if not info.is_absolute():
        info = work / info
    info.mkdir(parents=True, exist_ok=True)
    (info / "sparse-checkout").write_text("\n".join(patterns) + "\n", encoding="utf-8")
    git(work, "config", "core.sparseCheckout", "true" if absent else "false")
    git(work, "checkout", "-q", "-f", "--detach", sha)
    git(work, "clean", "-qffdx")


def _glob_escape(path: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\!#" else ch for ch in path)


def _tree_blobs(work: Path, sha: str) -> list[tuple[str, str]]:
    out = []
    for entry in git(work, "ls-tree", "-r", "-z", "--full-tree", sha).split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) == 3 and fields[1] == "blob":
            out.append((fields[2], path))
    return out


#: the mode of a submodule entry in a tree
GITLINK = "160000"


def missing_blobs(work: Path, parent: str, sha: str) -> list[str]:
    """Paths the change touches whose contents the mirror does not hold."""
    raw = git(work, "diff-tree", "-r", "-z", "--no-commit-id", "--no-renames", parent, sha)
    parts = raw.split("\0")
    wanted = []
    for meta, path in zip(parts[0::2], parts[1::2], strict=False):
        fields = meta.split()
        for mode, blob in zip(fields[0:2], fields[2:4], strict=False):
            # a submodule's entry names a commit of another repository, never held here
            if set(blob) != {"0"} and mode.lstrip(":") != GITLINK:
                wanted.append((blob, path))
    return _absent(work, wanted)


def _absent(work: Path, wanted: list[tuple[str, str]]) -> list[str]:
    """The paths in ``wanted`` (blob, path) whose blob is not in the object store."""
    if not wanted:
        return []
    blobs = sorted({blob for blob, _ in wanted})
    done = subprocess.run(
        ["git", "cat-file", "--batch-check"], cwd=work, input="\n".join(blobs) + "\n",
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    gone = {line.split()[0] for line in done.stdout.splitlines() if line.endswith(" missing")}
    return sorted({path for blob, path in wanted if blob in gone})


def judge(
    work: Path,
    commit: Commit,
    parent: str,
    *,
    env: Mapping[str, str],
    command: Sequence[str],
    timeout: float,
    extra: Sequence[str] = (),
) -> Run:
    """One ``gatekeeper run`` on ``parent..commit``, as a PR titled like the commit
    (``extra``: more arguments, e.g. the replay's ``--policy``)."""
    title = git(work, "log", "-1", "--format=%s", commit.sha).strip()
    body = git(work, "log", "-1", "--format=%b", commit.sha).strip()
    env = as_of_commit(env, git(work, "log", "-1", "--format=%cI", commit.sha).strip())
    reports = work.parent / f"{work.name}-reports"
    reports.mkdir(exist_ok=True)
    report, junit = reports / "report.json", reports / "report.xml"
    for stale in (report, junit):
        stale.unlink(missing_ok=True)
    argv = [
        *command, "run", "--base", parent, "--head", commit.sha, "--no-color",
        "--title", title, "--body", body, "-f", f"json:{report}", "-f", f"junit:{junit}",
        *extra,
    ]  # fmt: skip
    cpu0, wall0 = _children_cpu(), time.perf_counter()
    try:
        done = subprocess.run(
            argv, cwd=work, env=dict(env), capture_output=True, text=True,
            errors="replace", timeout=timeout, check=False,
        )  # fmt: skip
        code: int | None = done.returncode
        stderr = done.stderr
    except subprocess.TimeoutExpired:
        code, stderr = None, f"timed out after {timeout:.0f} s"
    wall, cpu = time.perf_counter() - wall0, _children_cpu() - cpu0
    run = Run(commit.repo, commit.sha, "error", code, round(wall, 3), round(cpu, 3))
    if code in (0, 1) and report.is_file():
        read_reports(run, json.loads(report.read_text(encoding="utf-8")), junit)
        run.verdict = "pass" if code == 0 else "block"
    else:
        run.error = (stderr or "no report written").strip()[-ERROR_TAIL:]
    return run


def as_of_commit(env: Mapping[str, str], committed: str) -> dict[str, str]:
    """``env`` with an ``{asof}`` in the OSV URL replaced by the commit's date.

    The loopback OSV server then serves only advisories published by then: what the gate
    would have seen when the PR was judged, not what is known today.
    """
    out = dict(env)
    url = out.get("PIP_AUDIT_OSV_URL", "")
    if "{asof}" in url:
        out["PIP_AUDIT_OSV_URL"] = url.replace("{asof}", committed)
    return out


def read_reports(run: Run, report: Mapping[str, Any], junit: Path) -> None:
    """Fill the run's checks and blocking findings from the JSON and JUnit reports."""
    seconds = _junit_times(junit)
    for outcome in report["outcomes"]:
        check = outcome["check"]
        run.checks[check] = {"status": outcome["status"], "seconds": seconds.get(check, 0.0)}
        if outcome["error"]:
            run.checks[check]["error"] = outcome["error"][:300]
        for f in outcome["findings"]:
            if f["pre_existing"] or f["waived"] or f["severity"] not in ("block", "warn"):
                continue
            message = " ".join(f["message"].split())[:200]
            found = Blocking(f["rule"], f["path"] or "", f["start_line"], message)
            (run.blocking if f["severity"] == "block" else run.warnings).append(found)


def _junit_times(path: Path) -> dict[str, float]:
    if not path.is_file():
        return {}
    root = ET.parse(path).getroot()  # our own report, not untrusted input
    return {s.get("name", ""): float(s.get("time", "0")) for s in root.iter("testsuite")}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
