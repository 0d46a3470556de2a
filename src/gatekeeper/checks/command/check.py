"""The ``command`` check: run the commands the policy names (tests, linters, type checks).

The commands run the PR's code, so each goes through :func:`gatekeeper.sandbox.run_untrusted`:
in the repository root, without the job's credentials in its environment, as the
checkout's owner when the gate is root, under a time and a memory limit, in its own
process group (killed whole at the time limit and when the command ends). The check
declares ``executes_pr_code`` with no safe settings: under ``pull_request_target`` it is
off. What counts:

* a JUnit XML report (``junit:``) gives one finding per failed or errored test case;
  a non-zero exit with no failed test case (a coverage threshold, a crash) is still a
  ``failed`` finding;
* a SARIF report (``sarif:``) gives its results on lines the change added; exit status
  1 is then left to the report, because linters exit 1 for old problems too, while any
  other non-zero status (a crash, a bad option) is still a ``failed`` finding;
* otherwise a non-zero exit is a ``failed`` finding carrying the last lines of output.

``{scratch}`` in ``run``, ``junit`` and ``sarif`` is replaced by a scratch directory
outside the repository, so reports need not be written into the checkout.
"""

from __future__ import annotations

import os
import shlex
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from gatekeeper.changes.suppressions import TRUST_KEY, TRUST_SCHEMA, Suppressions
from gatekeeper.checks.command.output import junit_failures, output_tail, redactions
from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.checks.sarif.check import sarif_findings
from gatekeeper.checks.sarif.parser import load_sarif
from gatekeeper.model import Finding, Level, Rule
from gatekeeper.sandbox import DEFAULT_MEMORY_MB, Limits, Refused, run_untrusted, untrusted_env
from gatekeeper.sandbox.guard import secret_values

DEFAULT_TIMEOUT = 600.0
#: the exit status a POSIX shell gives for "command not found"
_SHELL_NOT_FOUND = 127
#: the exit status linters use for "found problems" (as opposed to "could not run")
_FOUND_PROBLEMS = 1
_ITEM_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "run"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "description": "Shown in findings."},
        "run": {
            "type": "string",
            "minLength": 1,
            "description": "The command line, split like a POSIX shell would (no shell "
            "features unless `shell: true`).",
        },
        "shell": {"type": "boolean", "default": False},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "default": DEFAULT_TIMEOUT},
        "memory_mb": {
            "type": "integer",
            "minimum": 16,
            "default": DEFAULT_MEMORY_MB,
            "description": "Memory each process of the command may write (RLIMIT_DATA), in MB.",
        },
        "cwd": {"type": "string", "description": "Working directory, relative to the root."},
        "env": {"type": "object", "additionalProperties": {"type": "string"}},
        "junit": {"type": "string", "description": "JUnit XML the command writes."},
        "sarif": {"type": "string", "description": "SARIF 2.1.0 the command writes."},
        "only_added_lines": {
            "type": "boolean",
            "default": True,
            "description": "For `sarif:`, keep only results on lines the PR added.",
        },
        TRUST_KEY: {
            **TRUST_SCHEMA,
            "description": "For `sarif:`, honour in-source suppressions on lines the pull "
            "request added. Off by default: the result is reported, marked 'suppressed in "
            "this PR', and blocks until a human approves the latest push.",
        },
    },
}


@dataclass(frozen=True, slots=True)
class _Ran:
    """How one command ended."""

    returncode: int | None  # None: killed at the time limit
    tail: str
    limit: float


class CommandCheck(BaseCheck):
    """Run commands the policy names; their exit status and reports become findings."""

    id: ClassVar[str] = "command"
    title: ClassVar[str] = "Commands"
    #: a command's SARIF report brings ``<tool>-<ruleId>`` rule ids: any may be named
    open_rules: ClassVar[bool] = True
    description: ClassVar[str] = (
        "Runs the commands the policy names (tests, linters, type checkers) and reports "
        "failures, failed test cases from JUnit XML and results from SARIF."
    )
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            id="failed",
            level=Level.ERROR,
            summary="A command the policy requires exited with a non-zero status.",
            remedy="Run the command locally, fix what it reports, and push again.",
            description="The finding carries the last lines of the command's output "
            "(values of secret-looking environment variables are masked).",
        ),
        Rule(
            id="timed-out",
            level=Level.ERROR,
            summary="A command ran past its time limit and was killed.",
            remedy="Make the command faster, or raise its `checks.command[].timeout` in the"
            " policy.",
        ),
        Rule(
            id="test-failed",
            level=Level.ERROR,
            summary="A test case failed or errored (from the command's JUnit XML report).",
            remedy="Run the test locally, fix the code or the test, and push again.",
        ),
        Rule(
            id="result",
            level=Level.WARNING,
            summary="The command's SARIF report has a result on a line this change added.",
            remedy="Fix what the tool reports on the new lines.",
            description="As in the `sarif` check, each result is named `<tool>-<ruleId>`.",
        ),
    )
    #: every command runs code from the checkout: under pull_request_target it is off
    executes_pr_code: ClassVar[bool] = True
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": _ITEM_SCHEMA, "minItems": 1}},
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Commands judge the whole tree, so any non-empty change is enough."""
        return len(ctx.changes) > 0 and bool(_items(ctx.config))

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Run each command in turn and yield its findings."""
        lines: list[str] = []
        for item in _items(ctx.config):
            found = self._one(ctx, item, lines)
            yield from sorted(found, key=lambda f: (f.rule, f.message))
        ctx.set_summary("; ".join(lines))

    def _one(self, ctx: CheckContext, item: Mapping[str, Any], lines: list[str]) -> list[Finding]:
        name = str(item["name"])
        root = ctx.changes.root
        # a fresh folder per command: the command owns it, and two items may share a name
        ctx.scratch.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f"{_safe(name)}-", dir=ctx.scratch))
        reports = {k: _report_path(root, item, k, scratch) for k in ("junit", "sarif")}
        before = {k: _mtime(p) for k, p in reports.items() if p is not None}
        ran = _execute(ctx, item, scratch)
        # no durations here: the same inputs must give byte-identical reports
        status = "killed" if ran.returncode is None else f"exit {ran.returncode}"
        lines.append(f"{name}: {status}")
        if ran.returncode is None:
            return [self._timed_out(name, ran)]
        found: list[Finding] = []
        judged_by_report = False
        junit = reports["junit"]
        if junit is not None and _mtime(junit) != before["junit"]:
            found += self._tests(ctx, item, _written_report(junit, ctx.changes.root, scratch))
        sarif = reports["sarif"]
        if sarif is not None:
            if _mtime(sarif) == before["sarif"]:
                if ran.returncode == 0:
                    raise CheckError(_not_written(name, "SARIF", sarif))
            else:
                found += self._sarif(ctx, item, _written_report(sarif, ctx.changes.root, scratch))
                # linters exit 1 when they find anything, old problems included; the
                # report decides. Other statuses (2: a crash, a bad option) still fail.
                judged_by_report = ran.returncode in (0, _FOUND_PROBLEMS)
        if junit is not None and _mtime(junit) == before["junit"] and ran.returncode == 0:
            raise CheckError(_not_written(name, "JUnit XML", junit))
        if ran.returncode != 0 and not judged_by_report and not (found and junit is not None):
            found.append(self._failed(item, name, ran))
        return found

    def _timed_out(self, name: str, ran: _Ran) -> Finding:
        tail = f"\n{ran.tail}" if ran.tail else " (no output)"
        return self.finding(
            "timed-out",
            f"`{name}` was killed after {_seconds(ran.limit)} s (its time limit); "
            f"last output:{tail}",
            evidence=name,
        )

    def _failed(self, item: Mapping[str, Any], name: str, ran: _Ran) -> Finding:
        tail = f"\n{ran.tail}" if ran.tail else " (no output)"
        return self.finding(
            "failed",
            f"`{name}` (`{item['run']}`) exited with status {ran.returncode}; last output:{tail}",
            evidence=name,
        )

    def _tests(self, ctx: CheckContext, item: Mapping[str, Any], junit: Path) -> list[Finding]:
        name = str(item["name"])
        found = []
        workdir = _workdir(ctx.changes.root, item)
        for case in junit_failures(junit, ctx.changes.root, workdir, label=str(junit)):
            found.append(
                self.finding(
                    "test-failed",
                    f"{name}: test `{case.test}` {case.outcome}: {case.message}",
                    path=case.path,
                    evidence=(name, case.test),
                )
            )
        return found

    def _sarif(self, ctx: CheckContext, item: Mapping[str, Any], sarif: Path) -> list[Finding]:
        workdir = _workdir(ctx.changes.root, item)
        results = load_sarif(sarif, ctx.changes.root, label=str(sarif), cwd=workdir)
        kept = sarif_findings(
            self,
            results,
            ctx.changes,
            only_added_lines=bool(item.get("only_added_lines", True)),
            exclude=ctx.exclude,
            suppressions=Suppressions(
                ctx.changes,
                ctx.pr,
                trusted=bool(item.get(TRUST_KEY, False)),
                setting=f"checks.command[].{TRUST_KEY}",
            ),
        )
        return list(kept.findings)


def _seconds(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _items(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = config.get("items", [])
    return [i for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "command"


def _not_written(name: str, kind: str, path: Path) -> str:
    return (
        f"`{name}` exited 0 but did not write its {kind} report at {path}; "
        "fix the path in the policy or the command's options"
    )


def _fill(text: str, scratch: Path) -> str:
    return text.replace("{scratch}", str(scratch))


def _report_path(root: Path, item: Mapping[str, Any], key: str, scratch: Path) -> Path | None:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        return None
    return _workdir(root, item) / _fill(value, scratch)


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _written_report(path: Path, root: Path, scratch: Path) -> Path:
    """The real path of a report the command wrote, when the gate may read it.

    The command is PR code: it could leave a symbolic link where its report should be,
    for the gate (often root) to read a file the PR cannot. A report is read when its path
    has no symbolic link in it, or when it resolves inside the checkout or the scratch
    folder, and it is a regular file.
    """
    real = Path(os.path.realpath(path))
    inside = any(real.is_relative_to(r.resolve()) for r in (root, scratch))
    if (real != Path(os.path.abspath(path)) and not inside) or not real.is_file():
        raise CheckError(
            f"{path} is not a regular file in the checkout or the scratch folder (a symbolic "
            "link out of them?); the report was not read"
        )
    return real


def _workdir(root: Path, item: Mapping[str, Any]) -> Path:
    cwd = item.get("cwd")
    return root / cwd if isinstance(cwd, str) and cwd else root


def _argv(item: Mapping[str, Any], scratch: Path) -> list[str] | str:
    line = _fill(str(item["run"]), scratch)
    if item.get("shell", False):
        return line
    try:
        argv = shlex.split(line)
    except ValueError as exc:
        raise CheckError(
            f"command `{item['name']}`: cannot split `run` ({exc}); fix its quoting"
        ) from exc
    if not argv:
        raise CheckError(f"command `{item['name']}`: `run` is empty")
    return argv


def _execute(ctx: CheckContext, item: Mapping[str, Any], scratch: Path) -> _Ran:
    """Run one command as PR code (see gatekeeper.sandbox), its output in a file."""
    name = str(item["name"])
    cwd = _workdir(ctx.changes.root, item)
    if not cwd.is_dir():
        raise CheckError(f"command `{name}`: working directory {cwd} does not exist")
    argv = _argv(item, scratch)
    extra = {str(k): str(v) for k, v in dict(item.get("env") or {}).items()}
    env = untrusted_env(os.environ, extra)
    limit = min(float(item.get("timeout", DEFAULT_TIMEOUT)), ctx.remaining())
    # beside the scratch folder, not in it: the command owns that folder and could put a
    # symbolic link where the gate writes
    log = scratch.parent / f"{scratch.name}.log"
    command = ["/bin/sh", "-c", argv] if isinstance(argv, str) else argv
    memory = int(item.get("memory_mb", DEFAULT_MEMORY_MB))
    try:
        ran = run_untrusted(
            command,
            checkout=ctx.changes.root,
            cwd=cwd,
            env=env,
            limits=Limits(limit, memory),
            output=log,
            writable=[scratch],
        )
    except Refused as exc:
        raise CheckError(f"command `{name}` was not run: {exc}") from exc
    except FileNotFoundError as exc:
        raise CheckError(
            f"command `{name}`: `{command[0]}` was not found; install it in the CI image "
            "or fix `run` in the policy"
        ) from exc
    except PermissionError as exc:
        raise CheckError(f"command `{name}`: `{command[0]}` is not executable") from exc
    tail = output_tail(log, (*redactions(env, extra), *secret_values()))
    if isinstance(argv, str) and ran.returncode == _SHELL_NOT_FOUND:
        raise CheckError(f"command `{name}`: the shell could not find the program:\n{tail}")
    return _Ran(ran.returncode, tail, limit)
