"""Start round-trip child processes: the one way this check runs the pull request's code.

Alembic revisions (alone, or through the project's ``env.py``) and Django migrations
(through the project's settings) all run in separate Python processes started by
:func:`gatekeeper.sandbox.run_untrusted`: no credentials in their environment, another
user when the gate is root, a process group of their own, a time and a memory limit.

A round trip is driven from here, one child per step (apply the chain, apply a migration,
revert it, apply it again). A child reads a JSON job on stdin, does its one step on the
scratch database the gate opened, and writes a short report to a file in a folder of its
own, which the gate reads back without following links. The report can only say that the
step failed (or could not run); whether the round trip holds is decided by the gate's own
snapshots of the database, taken between steps, when no child runs (:mod:`.roundtrip`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gatekeeper.checks.command.output import output_tail, redactions
from gatekeeper.checks.migrations import engines
from gatekeeper.checks.migrations.catalog import Database, EngineError
from gatekeeper.checks.migrations.roundtrip import Problem, Step, Unproven
from gatekeeper.sandbox import Limits, Ran, Refused, read_left_file, run_untrusted
from gatekeeper.sandbox.guard import secret_values
from gatekeeper.sandbox.runner import untrusted_identity

#: the only variables a child process inherits (everything else, tokens included, is dropped)
ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")
#: the child's memory cap: Python, SQLAlchemy and Alembic need about 100 MB; an
#: application's imports (Django, its apps) a few hundred more
CHILD_MEMORY_MB = 1024
#: the file the child writes its report to, in its folder
RESULT = "result.json"
RESULT_MAX_BYTES = 1024 * 1024


@dataclass
class Answer:
    """The outcome of a round trip: its problems, and why the project could not be loaded
    ("" when it could)."""

    problems: list[Problem] = field(default_factory=list)
    unloadable: str = ""


@dataclass
class Report:
    """What one child said about its step. ``said`` False: it ended without a report
    (``why`` says how); a child's silence proves nothing, the gate's snapshots decide."""

    said: bool = False
    why: str = ""
    #: the step's failure: message, line, unsupported (None: the child claims success)
    error: dict[str, Any] | None = None
    unloadable: str = ""
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Spawn:
    """Where and how the children run."""

    module: str
    folder: Path
    timeout: float
    checkout: Path
    #: the child's working directory (default: its own scratch folder)
    cwd: Path | None = None
    #: variables set for the project's code (the scratch database's URL...)
    env: Mapping[str, str] = field(default_factory=dict)


class Steps:
    """One round trip's children: each :meth:`run` starts one child for one step, on the
    scratch database :meth:`open` made; the time limit is shared by all of them."""

    def __init__(self, job: dict[str, Any], how: Spawn) -> None:
        self.job = job
        self.how = how
        self.deadline = time.monotonic() + how.timeout
        self.shared: list[Path] = []
        self.first: Report | None = None

    def open(self, dbs: engines.Engines) -> Database:
        """A scratch database the gate opens and snapshots, the children write."""
        self.how.folder.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="db-", dir=self.how.folder))
        db = dbs.open_db(folder)
        identity = untrusted_identity(self.how.checkout)
        path = getattr(db, "path", None)
        if identity is not None and path is not None:
            # the child (another user) writes the file and its journal beside it
            os.chown(path, identity.uid, identity.gid)
        self.shared = [folder]
        self.job = {**self.job, "db": engines.attach_spec(db)}
        return db

    def run(self, step: dict[str, Any]) -> Report:
        """Start the child for ``step`` and read its report; the first child of a round
        trip is told so (it checks that everything loads before anything runs)."""
        report = self._run({**step, "first": self.first is None})
        if self.first is None:
            self.first = report
        return report

    def _run(self, step: dict[str, Any]) -> Report:
        how = replace(self.how, timeout=self.deadline - time.monotonic())
        if how.timeout <= 0:
            return Report(why=f"did not finish within the time limit ({self.how.timeout:.0f}s)")
        work = Path(tempfile.mkdtemp(prefix="child-", dir=how.folder))
        job_file, log = how.folder / f"{work.name}.job.json", how.folder / f"{work.name}.log"
        job = {**self.job, "step": step, "result": str(work / RESULT)}
        job_file.write_text(json.dumps(job), encoding="utf-8")
        # -P: the working directory (the project's, for a round trip through it) is not put
        # first on the path, where a PR's own gatekeeper/ package would stand in for the runner
        command = [sys.executable, "-P", "-m", how.module]
        try:
            ran = run_untrusted(
                command,
                checkout=how.checkout,
                cwd=how.cwd or work,
                env={**child_env(work, how.checkout), **how.env},
                limits=Limits(max(1.0, how.timeout), CHILD_MEMORY_MB),
                output=log,
                stdin=job_file,
                writable=[work, *self.shared],
            )
        except (Refused, OSError) as exc:
            return Report(why=f"the round-trip runner could not start: {exc}")
        finally:
            job_file.unlink(missing_ok=True)
        if ran.returncode is None:
            return Report(why=f"did not finish within the time limit ({self.how.timeout:.0f}s)")
        try:
            data = json.loads(read_left_file(work / RESULT, RESULT_MAX_BYTES))
            error = data["error"]
            if error is not None:
                error = {"message": str(error["message"]), "line": _line(error.get("line")),
                         "unsupported": bool(error.get("unsupported"))}  # fmt: skip
            info = data.get("info") or {}
            return Report(True, "", error, str(data["unloadable"]), dict(info))
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return Report(why=f"the round-trip runner stopped: {_tail(log, ran, how.env)}")

    def step(self, step: dict[str, Any]) -> Step:
        """A :data:`.roundtrip.Step` that runs ``step`` in a child: a failure the child
        reports is raised as it is; anything short of a report that the step ran is
        :class:`.roundtrip.Unproven`, for the gate's snapshots to judge."""

        def run(_db: Database) -> None:
            report = self.run(step)
            raise_for(report)

        return run


def raise_for(report: Report) -> None:
    """Raise what ``report`` says went wrong (nothing when the child claims success)."""
    if not report.said:
        raise Unproven(report.why)
    if report.unloadable:
        raise Unproven(report.unloadable)
    error = report.error
    if error is not None:
        if error["unsupported"]:
            raise Unproven(error["message"], line=error["line"])
        raise EngineError(error["message"], line=error["line"])


def _line(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def write_report(
    path: str,
    error: EngineError | None = None,
    unloadable: str = "",
    info: dict[str, Any] | None = None,
) -> None:
    """The child side: write the report :meth:`Steps.run` reads."""
    said = None
    if error is not None:
        said = {"message": str(error), "line": error.line, "unsupported": error.unsupported}
    data = {"error": said, "unloadable": unloadable, "info": info or {}}
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def _tail(log: Path, ran: Ran, env: Mapping[str, str]) -> str:
    """The child's last two lines of output, for the finding: secret-looking values the
    child was given (a database URL's password, variables from ``pass_env``) masked, as a
    command check's output is."""
    text = output_tail(log, (*redactions(env), *secret_values()), lines=2)
    return " / ".join(text.strip().splitlines()) or f"exit {ran.returncode}"


def child_env(folder: Path, checkout: Path) -> dict[str, str]:
    """A minimal environment; the child imports what the gate itself can import (its
    ``sys.path``, without the checkout: the PR must not stand in for gatekeeper; a project
    run adds the project's folders after the gate's own, in the child)."""
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    here, cwd = checkout.resolve(), Path.cwd().resolve()
    paths = [str(Path(__file__).resolve().parents[3])]
    for entry in sys.path:
        resolved = Path(entry or ".").resolve()
        if entry and resolved.is_dir() and resolved != cwd and not resolved.is_relative_to(here):
            paths.append(str(resolved))
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUTF8"] = "1"
    env.setdefault("HOME", str(folder))
    return env
