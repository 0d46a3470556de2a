"""``gatekeeper action``: the container action's entry point.

Reads the action's inputs (``INPUT_<NAME>``, hyphens kept) and the event, runs the gate,
publishes, writes the step outputs, and returns the exit code ``gatekeeper run`` would:
0 met, 1 not met, 2 usage or policy error, 3 internal error (or 0 for all of them when
``fail-on-error: false`` leaves the decision to the check run alone).
"""

from __future__ import annotations

import re
import secrets
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from gatekeeper.changes.git import find_repo_root, resolve_commit
from gatekeeper.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MET,
    EXIT_NOT_MET,
    Cancelled,
    GatekeeperError,
)
from gatekeeper.github.central import with_central_policies
from gatekeeper.github.checkout import ensure_commit
from gatekeeper.github.client import GitHubClient, GitHubError
from gatekeeper.github.event import Event, enrich, read_event
from gatekeeper.github.inputs import FALSE, Inputs, read_inputs
from gatekeeper.github.publish import (
    DEFAULT_MAX_ANNOTATIONS,
    Target,
    create_check_run_once,
    error_markdown,
    fallback_markdown,
    publish,
)
from gatekeeper.github.runner import command_message, log_text, write_outputs, write_step_summary
from gatekeeper.github.teams import team_resolver
from gatekeeper.github.workspace import FileCommands, hand_back, write_report
from gatekeeper.model import Verdict
from gatekeeper.pipeline import GateOptions
from gatekeeper.report.links import SourceLinks
from gatekeeper.report.mask import Masker, mask_verdict
from gatekeeper.sandbox import terminate_all
from gatekeeper.sandbox.guard import register_secret

OUTPUTS = ("met", "blocking-count", "report-json", "sarif-file")
_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
REPORT_JSON = "gatekeeper-report.json"
#: when stopping, the runner gives the container seconds: one short try at GitHub
CANCEL_HTTP_TIMEOUT = 5.0

Gate = Callable[[GateOptions], Verdict]


def run_action(
    env: Mapping[str, str],
    *,
    gate: Gate | None = None,
    stdout: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
    http_timeout: float = 10.0,
) -> int:
    """Run the whole action; never raises, returns the process exit code.

    Stopped by SIGTERM (:class:`Cancelled`) or Ctrl-C, it ends the PR's processes,
    publishes a ``cancelled`` check run (which no branch protection counts as a pass) and
    returns 143 (130). Whatever happens, what it wrote in the workspace goes back to the
    workspace's owner.
    """
    token = env.get("INPUT_TOKEN", "").strip()
    policy_token = env.get("INPUT_POLICY-TOKEN", "").strip()
    # writes ::add-mask:: for each first, then masks them in every later line
    log = _Log(stdout or sys.stdout, token, policy_token)
    for secret in (token, policy_token):
        if secret:
            register_secret(secret)  # and no process running PR code gets it in its env
    started = time.time()
    published: list[str] = []
    try:
        return _run(env, token, log, gate, sleep, http_timeout, published)
    except (Cancelled, KeyboardInterrupt) as stop:
        return _stopped(env, token, log, stop, published)
    finally:
        _hand_back(env, started, log)


def _run(
    env: Mapping[str, str],
    token: str,
    log: _Log,
    gate: Gate | None,
    sleep: Callable[[float], None],
    http_timeout: float,
    published: list[str],
) -> int:
    fail_on_error = env.get("INPUT_FAIL-ON-ERROR", "true").strip().lower() not in FALSE
    client = _client(env, token, sleep, http_timeout)
    file_commands = FileCommands(env)
    try:
        inputs = read_inputs(env)
        event = read_event(env)
        if client is not None:
            event = enrich(event, client, log)
        options = _gate_options(env, inputs, event, client, log)
        reader = _client(env, inputs.policy_token, sleep, http_timeout) or client
        options = with_central_policies(options, reader, env)
        if not inputs.head and event.head:
            ensure_commit(options.root, event.head, event.pr.number, log)
        if inputs.base_coverage_artifact:
            _base_coverage(env, inputs.base_coverage_artifact, client, options, log)
        verdict, cap = _judge(gate, options)
    except GatekeeperError as exc:
        file_commands.restore(log)
        published.append("error")
        return _failed(
            env, log=log, client=client, message=exc.format_message(), code=exc.exit_code,
            fail_on_error=fail_on_error,
        )  # fmt: skip
    except Exception as exc:  # the action's own error boundary: a defect, not a traceback
        file_commands.restore(log)
        published.append("error")
        return _failed(
            env, log=log, client=client, message=f"internal error: {type(exc).__name__}: {exc}",
            code=EXIT_INTERNAL, fail_on_error=fail_on_error,
        )  # fmt: skip
    # the PR's code has run; what it wrote into the runner's files goes before ours
    file_commands.restore(log)
    published.append("verdict")
    # what the PR's code, reports or files echoed of the token is hidden before anything
    # renders the verdict, so no report, comment, annotation or file can carry it
    verdict = mask_verdict(verdict, log.masker)
    try:
        _finish(env, inputs=inputs, event=event, verdict=verdict, client=client, log=log, cap=cap)
    except Exception as exc:  # publishing must never change the verdict or the exit code
        log(f"gatekeeper: publishing failed ({type(exc).__name__}: {exc}); the verdict stands")
    met = "Definition of Done met" if verdict.met else "Definition of Done not met"
    log(f"gatekeeper: {met} ({verdict.blocking_count} blocking)")
    return EXIT_MET if verdict.met or not inputs.fail_on_error else EXIT_NOT_MET


def _stopped(
    env: Mapping[str, str],
    token: str,
    log: Callable[[str], None],
    stop: BaseException,
    published: list[str],
) -> int:
    """Told to stop: end the PR's processes, say so where a person looks, and exit 143."""
    terminate_all("the gate was told to stop")
    code = stop.exit_code if isinstance(stop, Cancelled) else EXIT_INTERRUPTED
    what = "SIGTERM" if isinstance(stop, Cancelled) else "an interrupt"
    message = (
        f"gatekeeper was stopped by {what} before it reached a verdict; the processes of "
        "the pull request's code it started were ended. Run the job again for a verdict."
    )
    log(f"::error title=gatekeeper was stopped::{message}")
    if not published:  # a verdict or an error already on the commit stays the last word
        # a fresh client: the old one may be mid-request; few retries, the runner is waiting
        client = _client(env, token, time.sleep, CANCEL_HTTP_TIMEOUT, retries=1)
        summary = f"## gatekeeper was stopped\n\n{message}\n"
        _error_check_run(env, client, summary, log, conclusion="cancelled")
    _outputs(env, {"met": "false", "blocking-count": "", "report-json": "", "sarif-file": ""}, log)
    return code


def _hand_back(env: Mapping[str, str], since: float, log: Callable[[str], None]) -> None:
    """The workspace's files the gate wrote go to the workspace's owner (never raises)."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    root = workspace / (env.get("INPUT_WORKING-DIRECTORY", "").strip() or ".")
    roots = [workspace / REPORT_JSON, root / ".gatekeeper", root / ".git"]
    sarif = env.get("INPUT_SARIF-FILE", "").strip()
    if sarif:
        roots.append(workspace / sarif)
    try:
        hand_back(workspace, roots, since - 1.0, log)
    except Exception as exc:  # ownership is a courtesy to later steps, never the verdict
        log(f"gatekeeper: could not give the workspace's files back: {exc}")


class _Log:
    """The action's log: every line masked; a plain call is also made inert (controls
    shown, no workflow command after a line break, see :func:`log_text`), while
    :meth:`raw` writes the commands the action builds itself."""

    def __init__(self, out: TextIO, *tokens: str) -> None:
        self.out = out
        given = [token for token in tokens if token]
        for token in given:
            self._write(f"::add-mask::{token}")  # the runner hides it in every later line
        self.masker = Masker(given)

    def __call__(self, line: str) -> None:
        self.raw(log_text(self.masker(line)))

    def raw(self, line: str) -> None:
        """Write ``line`` as it is, the tokens masked."""
        self._write(self.masker(line))

    def _write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()  # interleave correctly with git's and the runner's own output


def _client(
    env: Mapping[str, str],
    token: str,
    sleep: Callable[[float], None],
    timeout: float,
    retries: int = 3,
) -> GitHubClient | None:
    if not token or "/" not in env.get("GITHUB_REPOSITORY", ""):
        return None
    return GitHubClient(
        token, env.get("GITHUB_API_URL", ""), sleep=sleep, timeout=timeout, retries=retries
    )


def _gate_options(
    env: Mapping[str, str],
    inputs: Inputs,
    event: Event,
    client: GitHubClient | None,
    log: Callable[[str], None],
) -> GateOptions:
    root = Path(env.get("GITHUB_WORKSPACE") or ".") / inputs.working_directory
    return GateOptions(
        root=root,
        base=inputs.base or event.base,
        head=inputs.head or event.head,
        # relative to the repository, whatever the process's working directory
        policy_file=str(root / inputs.policy) if inputs.policy else None,
        policy_from="base",
        pr=event.pr,
        jobs=inputs.jobs,
        # pull_request_target: the PR's code must never run with the write token
        safe=event.safe,
        # once the policy is loaded: members of the teams review.approvers names
        enrich_pr=team_resolver(client, log) if client is not None else None,
    )


def _base_coverage(
    env: Mapping[str, str],
    name: str,
    client: GitHubClient | None,
    options: GateOptions,
    log: Callable[[str], None],
) -> None:
    """Fetch the base commit's coverage artifact for the coverage check; never fails."""
    from gatekeeper.github.artifacts import fetch_base_coverage, notice

    try:
        if client is None:
            log(notice("base-coverage-artifact needs the token input and GITHUB_REPOSITORY"))
            return
        if not options.base:
            log(notice("base-coverage-artifact: no base commit is known for this event"))
            return
        root = find_repo_root(options.root)
        base = options.base.lower() if _FULL_SHA.fullmatch(options.base.lower()) else ""
        fetch_base_coverage(
            client,
            env.get("GITHUB_REPOSITORY", ""),
            base or resolve_commit(root, options.base),
            name,
            root,
            log,
            known=_base_inputs(),
        )
    except Exception as exc:  # the report is optional: its absence is the check's to judge
        log(notice(f"base-coverage-artifact: {type(exc).__name__}: {exc}"))


def _base_inputs() -> list[str]:
    """The base-run files the installed checks declare they can use (``base_inputs``)."""
    from gatekeeper.plugins import discover

    classes = discover().classes().values()
    return sorted({name for cls in classes for name in getattr(cls, "base_inputs", ())})


def _judge(gate: Gate | None, options: GateOptions) -> tuple[Verdict, int]:
    """Run the gate; with the real one, the annotation cap comes from the policy."""
    if gate is not None:
        return gate(options), DEFAULT_MAX_ANNOTATIONS
    from gatekeeper.pipeline import judge

    verdict, policy = judge(options)
    return verdict, policy.max_annotations


def _render(
    fmt: str, verdict: Verdict, log: Callable[[str], None], links: SourceLinks | None = None
) -> str | None:
    try:
        from gatekeeper.report import render

        # the job log shows ANSI colours and has room for everything (notices, waivers);
        # files and GitHub's Markdown get plain text, with locations linked to the lines
        terminal = fmt == "terminal"
        text = render(fmt, verdict, color=terminal, verbose=terminal, links=links)
    except Exception as exc:  # a reporter defect must not cost the verdict
        log(f"gatekeeper: the {fmt} report could not be rendered ({type(exc).__name__}: {exc})")
        return fallback_markdown(verdict) if fmt == "markdown" else None
    return text


def _finish(
    env: Mapping[str, str],
    *,
    inputs: Inputs,
    event: Event,
    verdict: Verdict,
    client: GitHubClient | None,
    log: _Log,
    cap: int,
) -> None:
    """Print the asked-for reports, write the report files, publish, write the outputs."""
    links = source_links(env, event, verdict)
    for fmt in inputs.formats:
        text = _render(fmt, verdict, log, links)
        if text is not None:
            _print_inert(text, log)
    markdown = _render("markdown", verdict, log, links) or fallback_markdown(verdict)
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    outputs = {
        "met": "true" if verdict.met else "false",
        "blocking-count": str(verdict.blocking_count),
        "report-json": _save(workspace, REPORT_JSON, _render("json", verdict, log), log),
        "sarif-file": "",
    }
    if inputs.sarif_file:
        outputs["sarif-file"] = _save(
            workspace, inputs.sarif_file, _render("sarif", verdict, log), log
        )
    publish(
        verdict,
        markdown,
        client=client,
        target=_target(env, event, inputs.check_name),
        comment=inputs.comment,
        log=log,
        emit=log.raw,
        step_summary=env.get("GITHUB_STEP_SUMMARY", ""),
        max_annotations=cap,
    )
    _outputs(env, outputs, log)


def source_links(env: Mapping[str, str], event: Event, verdict: Verdict) -> SourceLinks | None:
    """Where the judged files are on GitHub: the server and repository of this run, at the
    head commit the findings' lines refer to (None when any of them is unknown)."""
    return SourceLinks.parse(
        env.get("GITHUB_SERVER_URL", ""), event.repository, verdict.head or event.head or ""
    )


def _print_inert(text: str, log: _Log) -> None:
    """Print a report with workflow commands off: it quotes the PR's own content, and a
    line such as ``::add-mask::`` or ``::error::`` in it must not act on the runner. (The
    terminal report is already escaped; ``raw`` keeps its colours.)"""
    raw = log.raw
    resume = secrets.token_hex(16)
    raw(f"::stop-commands::{resume}")
    raw(text.rstrip("\n"))
    raw(f"::{resume}::")


def _save(workspace: Path, name: str, text: str | None, log: Callable[[str], None]) -> str:
    """Write a report file; return its path as later steps see it ("" when not written)."""
    if text is None:
        return ""
    try:
        write_report(workspace, name, text)
    except OSError as exc:
        log(f"gatekeeper: could not write {name}: {exc}")
        return ""
    return name


def _target(env: Mapping[str, str], event: Event, check_name: str) -> Target | None:
    where = event.owner_repo
    head = event.pr.head_sha or event.head or env.get("GITHUB_SHA", "")
    if where is None or not head:
        return None
    server, run_id = env.get("GITHUB_SERVER_URL", ""), env.get("GITHUB_RUN_ID", "")
    details = f"{server}/{event.repository}/actions/runs/{run_id}" if server and run_id else ""
    return Target(where[0], where[1], head, event.pr.number, check_name, details)


def _outputs(env: Mapping[str, str], outputs: dict[str, str], log: Callable[[str], None]) -> None:
    path = env.get("GITHUB_OUTPUT", "")
    if not path:
        return
    try:
        write_outputs(path, outputs)
    except OSError as exc:
        log(f"gatekeeper: could not write the step outputs: {exc}")


def _failed(
    env: Mapping[str, str],
    *,
    log: _Log,
    client: GitHubClient | None,
    message: str,
    code: int,
    fail_on_error: bool,
) -> int:
    """The gate could not reach a verdict: say why everywhere a person will look."""
    message = log.masker(message)
    log.raw(f"::error title=gatekeeper could not run::{command_message(message)}")
    summary = error_markdown(message)
    if env.get("GITHUB_STEP_SUMMARY"):
        try:
            write_step_summary(env["GITHUB_STEP_SUMMARY"], summary)
        except OSError as exc:
            log(f"gatekeeper: could not write the step summary: {exc}")
    _error_check_run(env, client, summary, log)
    _outputs(env, {"met": "false", "blocking-count": "", "report-json": "", "sarif-file": ""}, log)
    return code if fail_on_error else EXIT_MET


def _error_check_run(
    env: Mapping[str, str],
    client: GitHubClient | None,
    summary: str,
    log: Callable[[str], None],
    conclusion: str = "failure",
) -> None:
    """A failing (or cancelled) check run, so a required check shows the reason rather
    than stay pending; neither conclusion lets a branch protection rule pass."""
    try:
        event = read_event(env)
    except GatekeeperError:
        event = Event(env.get("GITHUB_EVENT_NAME", ""), env.get("GITHUB_REPOSITORY", ""))
    target = _target(env, event, env.get("INPUT_CHECK-NAME", "").strip() or "gatekeeper")
    if client is None or target is None:
        return
    title = "gatekeeper was stopped" if conclusion == "cancelled" else "gatekeeper could not run"
    try:
        create_check_run_once(client, target, conclusion, {"title": title, "summary": summary})
    except GitHubError as exc:
        log(f"gatekeeper: could not write the check run: {exc}")
