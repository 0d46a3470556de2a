"""Start a round-trip child process: the one way this check runs the pull request's code.

Alembic revisions (alone, or through the project's ``env.py``) and Django migrations
(through the project's settings) all run in a separate Python process started by
:func:`gatekeeper.sandbox.run_untrusted`: no credentials in its environment, another user
when the gate is root, its own process group, a time and a memory limit. The child reads
a JSON job on stdin and writes its answer to a file in a folder of its own, which the
gate reads back without following links.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatekeeper.checks.migrations.roundtrip import Problem
from gatekeeper.sandbox import Limits, Ran, Refused, read_left_file, run_untrusted

#: the only variables a child process inherits (everything else, tokens included, is dropped)
ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")
#: the child's memory cap: Python, SQLAlchemy and Alembic need about 100 MB; an
#: application's imports (Django, its apps) a few hundred more
CHILD_MEMORY_MB = 1024
#: the file the child writes its answer to, in its folder
RESULT = "result.json"
RESULT_MAX_BYTES = 16 * 1024 * 1024


@dataclass
class Answer:
    """What a child reported: its problems, and why the project could not be loaded
    ("" when it could)."""

    problems: list[Problem] = field(default_factory=list)
    unloadable: str = ""


@dataclass(frozen=True)
class Spawn:
    """Where and how the child runs."""

    module: str
    folder: Path
    timeout: float
    checkout: Path
    #: the child's working directory (default: its own scratch folder)
    cwd: Path | None = None
    #: variables set for the project's code (the scratch database's URL...)
    env: Mapping[str, str] = field(default_factory=dict)


def run(job: dict[str, Any], new: Sequence[str], how: Spawn) -> Answer:
    """Run ``job`` in a child; its answer, or a "not run" problem for each of ``new``."""
    how.folder.mkdir(parents=True, exist_ok=True)
    # the child writes only in a folder of its own; the gate's files stay beside it, where
    # the child cannot plant a symbolic link for the gate to write through
    work = Path(tempfile.mkdtemp(prefix="child-", dir=how.folder))
    job_file, log = how.folder / f"{work.name}.job.json", how.folder / f"{work.name}.log"
    if job.get("db", {}).get("engine") == "sqlite":
        job = {**job, "db": {**job["db"], "folder": str(work)}}
    job = {**job, "result": str(work / RESULT)}
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
            writable=[work],
        )
    except (Refused, OSError) as exc:
        return Answer([Problem(p, False, f"the round-trip runner could not start: {exc}")
                       for p in new])  # fmt: skip
    finally:
        job_file.unlink(missing_ok=True)
    if ran.returncode is None:
        why = f"did not finish within the time limit ({how.timeout:.0f}s)"
        return Answer([Problem(p, False, why) for p in new])
    try:
        data = json.loads(read_left_file(work / RESULT, RESULT_MAX_BYTES))
        return Answer([Problem(**item) for item in data["problems"]], str(data["unloadable"]))
    except (OSError, ValueError, TypeError, KeyError):
        why = f"the round-trip runner stopped: {_tail(log, ran)}"
        return Answer([Problem(p, False, why) for p in new])


def write_answer(path: str, problems: Sequence[Problem], unloadable: str = "") -> None:
    """The child side: write the answer :func:`run` reads."""
    data = {"problems": [p.__dict__ for p in problems], "unloadable": unloadable}
    Path(path).write_text(json.dumps(data), encoding="utf-8")


def _tail(log: Path, ran: Ran) -> str:
    try:
        text = log.read_bytes()[-4096:].decode("utf-8", "replace")
    except OSError:
        text = ""
    return " / ".join(text.strip().splitlines()[-2:]) or f"exit {ran.returncode}"


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
