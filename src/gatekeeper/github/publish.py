"""Publishers: put a rendered verdict where people see it. They never decide anything.

In order of preference: a check run on the PR's head sha (with annotations, 50 per
request as GitHub requires), else a commit status; and when neither can be written
(a fork's read-only token) workflow-command annotations in the log. The sticky PR
comment and the step summary come on top. Every failure here is logged and swallowed:
publishing can never change the verdict or the exit code.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.github.client import GitHubClient, GitHubError
from gatekeeper.github.runner import cut, plain_lines, workflow_command, write_step_summary
from gatekeeper.model import Result, Verdict
from gatekeeper.report.escape import md_code, md_text, one_line
from gatekeeper.report.interface import ANNOTATION_LEVEL

STICKY_MARKER = "<!-- gatekeeper:sticky -->"
#: GitHub rejects check-run summaries and comments of 65,536 characters or more
MAX_SUMMARY_BYTES = 65_000
ANNOTATIONS_PER_REQUEST = 50
DEFAULT_MAX_ANNOTATIONS = 200
_MAX_MESSAGE_CHARS = 4_000

Log = Callable[[str], None]


@dataclass(frozen=True)
class Target:
    """Where to publish: the repository, the commit and (for PR events) the PR."""

    owner: str
    repo: str
    head_sha: str
    pr_number: int | None = None
    check_name: str = "gatekeeper"
    details_url: str = ""


@dataclass
class Published:
    """What reached GitHub, for the log and the tests."""

    check_run: bool = False
    commit_status: bool = False
    comment: bool = False
    workflow_annotations: bool = False
    step_summary: bool = False
    annotations: int = 0
    errors: list[str] = field(default_factory=list)
    #: why the check run could not be written, when it could not
    check_run_error: GitHubError | None = None


def title_for(verdict: Verdict) -> str:
    """The one-line headline of the verdict."""
    if verdict.met:
        return "Definition of Done: met"
    return f"Definition of Done: not met ({verdict.blocking_count} blocking)"


def publish(
    verdict: Verdict,
    markdown: str,
    *,
    client: GitHubClient | None,
    target: Target | None,
    comment: bool,
    log: Log,
    emit: Log,
    step_summary: str = "",
    max_annotations: int = DEFAULT_MAX_ANNOTATIONS,
) -> Published:
    """Publish through every channel that works; ``emit`` writes workflow commands."""
    done = Published()
    notes = build_annotations(verdict, max_annotations)
    if client is not None and target is not None and target.head_sha:
        _publish_checks(
            verdict=verdict,
            markdown=markdown,
            notes=notes,
            client=client,
            target=target,
            log=log,
            done=done,
        )
        if comment and target.pr_number is not None:
            done.comment = _attempt(
                done,
                log,
                "update the sticky PR comment",
                lambda: upsert_comment(client, target, markdown),
            )
    if not done.check_run:
        log(
            f"gatekeeper: no check run was written ({_why_not(client, target, done)}); the "
            "verdict is in the step summary and the annotations below"
        )
        for note in notes:
            emit(workflow_command(note))
        done.workflow_annotations = bool(notes)
    if step_summary:
        done.step_summary = _attempt(
            done, log, "write the step summary", lambda: write_step_summary(step_summary, markdown)
        )
    return done


def _why_not(client: GitHubClient | None, target: Target | None, done: Published) -> str:
    """Why no check run was written, as the failure showed it (not a guess)."""
    if client is None or target is None:
        return "no GitHub token or repository"
    failure = done.check_run_error
    if failure is None:
        return "no head commit to put it on"
    if failure.unreachable:
        return f"the GitHub API at {client.api_url} could not be reached: {failure}"
    if failure.forbidden:
        return "the token cannot write checks (a fork's pull request has a read-only token)"
    return f"GitHub refused it: {failure}"


def _publish_checks(
    *,
    verdict: Verdict,
    markdown: str,
    notes: list[dict[str, Any]],
    client: GitHubClient,
    target: Target,
    log: Log,
    done: Published,
) -> None:
    try:
        done.annotations = create_check_run(client, target, verdict, markdown, notes, log)
        done.check_run = True
        return
    except GitHubError as exc:
        done.errors.append(str(exc))
        done.check_run_error = exc
        log(f"gatekeeper: could not write the check run: {exc}")
    if done.check_run_error is not None and done.check_run_error.unreachable:
        return  # a commit status would go the same unreachable way
    done.commit_status = _attempt(
        done, log, "set a commit status", lambda: set_commit_status(client, target, verdict)
    )


def _attempt(done: Published, log: Log, what: str, action: Callable[[], object]) -> bool:
    try:
        action()
    except (GitHubError, OSError) as exc:
        done.errors.append(str(exc))
        log(f"gatekeeper: could not {what}: {exc}")
        return False
    return True


def create_check_run(
    client: GitHubClient,
    target: Target,
    verdict: Verdict,
    markdown: str,
    notes: Sequence[dict[str, Any]],
    log: Log = lambda line: None,
) -> int:
    """Create the completed check run, then add annotations 50 at a time; return how many
    annotations reached GitHub."""
    output: dict[str, Any] = {
        "title": title_for(verdict),
        "summary": cut(markdown, MAX_SUMMARY_BYTES),
    }
    batches = [
        list(notes[i : i + ANNOTATIONS_PER_REQUEST])
        for i in range(0, len(notes), ANNOTATIONS_PER_REQUEST)
    ] or [[]]
    conclusion = "success" if verdict.met else "failure"
    run_id = create_check_run_once(
        client, target, conclusion, {**output, "annotations": batches[0]}
    )
    sent = len(batches[0])
    for batch in batches[1:]:
        # each update must repeat title and summary; annotations accumulate on GitHub's
        # side, so a batch whose answer was lost is not sent again (it could appear twice)
        try:
            client.request(
                "PATCH",
                f"repos/{target.owner}/{target.repo}/check-runs/{run_id}",
                json={"output": {**output, "annotations": batch}},
                repeatable=False,
            )
        except GitHubError as exc:
            if not exc.maybe_done:
                raise
            log(f"gatekeeper: annotations stopped after {sent}: {exc}; the summary has them all")
            break
        sent += len(batch)
    return sent


def create_check_run_once(
    client: GitHubClient, target: Target, conclusion: str, output: dict[str, Any]
) -> int:
    """POST a completed check run and return its id; never two for one call.

    Each call carries a fresh ``external_id``: when GitHub's answer is lost, the check runs
    on the head commit are searched for that id before another try, so neither an earlier
    run of the gate nor a retry is mistaken for this one.
    """
    external_id = f"gatekeeper-{secrets.token_hex(8)}"
    body: dict[str, Any] = {
        "name": target.check_name,
        "head_sha": target.head_sha,
        "status": "completed",
        "conclusion": conclusion,
        "external_id": external_id,
        "output": output,
    }
    if target.details_url:
        body["details_url"] = target.details_url
    run = client.create(
        f"repos/{target.owner}/{target.repo}/check-runs",
        json=body,
        find_existing=lambda: find_check_run(client, target, external_id),
    )
    run_id = run.get("id") if isinstance(run, dict) else None
    if not isinstance(run_id, int):
        raise GitHubError("POST check-runs: the response has no check run id")
    return run_id


def find_check_run(client: GitHubClient, target: Target, external_id: str) -> Any:
    """The check run on the head commit with this name and ``external_id``, or None."""
    body = client.request(
        "GET",
        f"repos/{target.owner}/{target.repo}/commits/{target.head_sha}/check-runs",
        params={"check_name": target.check_name, "filter": "all", "per_page": 100},
    )
    runs = body.get("check_runs") if isinstance(body, dict) else None
    for run in runs if isinstance(runs, list) else []:
        if isinstance(run, dict) and run.get("external_id") == external_id:
            return run
    return None


def set_commit_status(client: GitHubClient, target: Target, verdict: Verdict) -> None:
    """The fallback when checks cannot be written: a plain commit status."""
    body = {
        "state": "success" if verdict.met else "failure",
        "description": title_for(verdict)[:140],
        "context": target.check_name,
    }
    if target.details_url:
        body["target_url"] = target.details_url
    # a repeated status only restates the same state for the same context (GitHub shows
    # the latest per context), so this POST may be sent again
    client.request(
        "POST",
        f"repos/{target.owner}/{target.repo}/statuses/{target.head_sha}",
        json=body,
        repeatable=True,
    )


def upsert_comment(client: GitHubClient, target: Target, markdown: str) -> str:
    """Edit the PR's one gatekeeper comment in place, or create it; return "updated"/"created"."""
    base = f"repos/{target.owner}/{target.repo}/issues"
    body = STICKY_MARKER + "\n" + cut(markdown, MAX_SUMMARY_BYTES - len(STICKY_MARKER) - 1)
    existing = _sticky(client, base, target)
    if existing is None:
        # when the answer to this POST is lost, the comment is looked for by its marker
        # before another try: a PR never gets two
        created = client.create(
            f"{base}/{target.pr_number}/comments",
            json={"body": body},
            find_existing=lambda: _sticky(client, base, target),
        )
        if not isinstance(created, dict) or created.get("body") == body:
            return "created"
        existing = created  # found by its marker after a lost answer: make it this one
    client.request("PATCH", f"{base}/comments/{existing['id']}", json={"body": body})
    return "updated"


def _sticky(client: GitHubClient, base: str, target: Target) -> Any:
    """The PR's comment carrying the sticky marker, or None."""
    for item in client.paginate(f"{base}/{target.pr_number}/comments"):
        if isinstance(item, dict) and STICKY_MARKER in str(item.get("body") or ""):
            return item
    return None


def build_annotations(verdict: Verdict, cap: int = DEFAULT_MAX_ANNOTATIONS) -> list[dict[str, Any]]:
    """Check-run annotations for the results that count, most severe first, at most ``cap``."""
    chosen = sorted(
        (r for r in verdict.results if r.counts and r.finding.location), key=_annotation_order
    )
    return [_annotation(r) for r in chosen[: max(0, cap)]]


def _annotation_order(result: Result) -> tuple[int, str, int, str, str]:
    loc = result.finding.location
    assert loc is not None
    return (
        -result.severity.rank,
        loc.path,
        loc.start_line or 0,
        result.finding.qualified_rule,
        result.finding.fingerprint,
    )


def _annotation(result: Result) -> dict[str, Any]:
    finding = result.finding
    loc = finding.location
    assert loc is not None
    start = loc.start_line or 1  # a file-level finding sits on the first line
    message = finding.message + (f"\n\n{finding.remedy}" if finding.remedy else "")
    return {
        "path": loc.path,
        "start_line": start,
        "end_line": max(start, loc.end_line or start),
        "annotation_level": ANNOTATION_LEVEL[result.severity],
        "message": plain_lines(message)[:_MAX_MESSAGE_CHARS],
        "title": one_line(finding.qualified_rule, 255),
    }


def fallback_markdown(verdict: Verdict) -> str:
    """A minimal report for when the Markdown reporter itself fails (never block on it);
    escaped like the real one, since it quotes the same findings."""
    lines = [f"## {title_for(verdict)}", ""]
    for outcome in verdict.outcomes:
        title = md_text(outcome.title or outcome.check, 100)
        lines.append(f"- **{title}**: {outcome.status.value}")
        for r in outcome.blocking:
            where = md_code(str(r.finding.location)) + " " if r.finding.location else ""
            rule = md_code(r.finding.qualified_rule)
            lines.append(f"  - {where}{rule}: {md_text(r.finding.message, 500)}")
    return "\n".join(lines) + "\n"


def error_markdown(message: str) -> str:
    """The step summary and check-run summary when the gate could not run at all."""
    lines = [md_text(line, 2000) for line in message.splitlines() if line.strip()]
    return "## gatekeeper could not run\n\n" + "\n\n".join(lines) + "\n"
