"""What a GitHub Actions workflow could do to the required check.

A required check is satisfied by *any* check run of that name on the head commit. A job's
check run is named after the job (its ``name:``, else its id), so a pull request that adds
a job called like the gate, which runs ``exit 0``, puts a green check of the right name
on its own head; a job that holds a token with ``checks: write`` or ``statuses: write``
can post one under any name. This module reads a workflow's text (from the PR's head,
so untrusted: parsed with the safe loader, never evaluated) and says which of those
things it does. It never decides alone: every workflow change needs a human anyway;
this only names the most alarming reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml

#: workflow text longer than this is not parsed (the change still needs a human)
MAX_WORKFLOW_BYTES = 1024 * 1024
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
#: text that posts a check run or a commit status, or grants a token that may
_WRITES_CHECKS = re.compile(
    r"check-runs|check_runs|/statuses/|createCommitStatus|checks\.create|checks\.update"
    r"|\bchecks:\s*write|\bstatuses:\s*write|write-all",
    re.I,
)
#: text that runs gatekeeper: the action (any owner, any ref) or the CLI
_RUNS_GATE = re.compile(r"gatekeeper", re.I)


def runs_gate(text: str | None) -> bool:
    """True when a workflow's text mentions gatekeeper (the action or the CLI)."""
    return bool(text) and _RUNS_GATE.search(text or "") is not None


def _name_pattern(name: str) -> re.Pattern[str]:
    """A job name with ``${{ ... }}`` parts as wildcards: what it could evaluate to."""
    pieces = _EXPRESSION.split(name)
    body = ".*".join(re.escape(" ".join(p.split())) for p in pieces)
    return re.compile(body, re.I | re.S)


def _normal(name: str) -> str:
    return " ".join(name.split())


def _could_be(name: str, wanted: str) -> bool:
    """True when a job called ``name`` may produce a check run named ``wanted``."""
    if "${{" in name:
        return _name_pattern(name).fullmatch(_normal(wanted)) is not None
    return _normal(name).casefold() == _normal(wanted).casefold()


def _jobs(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(job id, the name its check run gets) for every job of a parsed workflow."""
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return
    for job_id, job in jobs.items():
        name = job.get("name") if isinstance(job, dict) else None
        yield str(job_id), name if isinstance(name, str) and name.strip() else str(job_id)


def impersonation(text: str | None, required: Iterable[str]) -> list[str]:
    """Why this workflow could put a check of a ``required`` name on the head, or []."""
    if not text or len(text) > MAX_WORKFLOW_BYTES:
        return []
    reasons = []
    wanted = [r for r in required if r.strip()]
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        title = data.get("name")
        for check in wanted:
            if isinstance(title, str) and _could_be(title, check):
                reasons.append(f"the workflow is named {_shown(title)}, like the required check")
            for job_id, name in _jobs(data):
                if _could_be(name, check):
                    reasons.append(
                        f"job {_shown(job_id)} reports a check run named {_shown(name)},"
                        f" which can stand in for the required check {_shown(check)}"
                    )
    found = _WRITES_CHECKS.search(text)
    if found:
        reasons.append(
            f"it can post check runs or commit statuses under any name ({_shown(found.group(0))})"
        )
    return reasons


def _shown(value: str) -> str:
    """A short, single-line quotation of head text for a message."""
    flat = " ".join(value.split())
    return "`" + (flat if len(flat) <= 60 else flat[:57] + "...").replace("`", "'") + "`"
