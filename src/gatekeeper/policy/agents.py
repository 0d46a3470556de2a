"""Who counts as an AI agent: the built-in signals and the policy's own ``agents:`` rules."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.policy.model import AgentRules

# Built-in agent signals: (pattern, how the signal is reported). Patterns use only "*"
# and "?" as wildcards so that "[bot]" in a login stays literal.
_BUILTIN_LOGINS = (
    "Copilot",
    "copilot-swe-agent[bot]",
    "devin-ai-integration[bot]",
    "chatgpt-codex-connector[bot]",
    "google-labs-jules[bot]",
    "sweep-ai[bot]",
)
_BUILTIN_BRANCHES = ("copilot/", "codex/", "claude/", "cursor/")
_BUILTIN_TRAILERS = (
    # Claude Code signs its commits "Co-Authored-By: Claude <noreply@anthropic.com>"; a
    # human called Claude with their own address must not match, hence no bare "Claude*".
    ("Co-authored-by: Claude", "Co-authored-by: Claude"),
    ("Co-authored-by: * <noreply@anthropic.com>", "Co-authored-by: Claude"),
    ("Co-authored-by: *<cursoragent@cursor.com>*", "Co-authored-by: cursoragent@cursor.com"),
)
_BUILTIN_COMMIT_AUTHORS = (
    ("*cursoragent@cursor.com*", "cursoragent@cursor.com"),
    *((f"{login}*", login) for login in _BUILTIN_LOGINS if login.endswith("[bot]")),
)

#: Automation bots that are not AI agents: a wildcard never makes them one (only an
#: exact login in the policy's ``agents.logins`` can).
NON_AGENT_BOTS = ("dependabot[bot]", "renovate[bot]", "github-actions[bot]")


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    body = re.escape(" ".join(pattern.split())).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body + r"\Z", re.IGNORECASE | re.DOTALL)


def _matches(value: str, pattern: str) -> bool:
    return _wildcard(pattern).match(" ".join(value.split())) is not None


def _first(values: Iterable[str], patterns: Iterable[tuple[str, str]]) -> str:
    """The report text of the first pattern that matches any value, else ""."""
    values = tuple(v for v in values if v)
    for pattern, shown in patterns:
        if any(_matches(v, pattern) for v in values):
            return shown
    return ""


def _login_signal(login: str, extra: Iterable[str], builtin: bool) -> str:
    if not login:
        return ""
    for pattern in extra:
        wild = "*" in pattern or "?" in pattern
        if wild and login.lower() in NON_AGENT_BOTS:
            continue
        if _matches(login, pattern):
            return f"login {login}"
    if builtin and _first([login], ((p, p) for p in _BUILTIN_LOGINS)):
        return f"login {login}"
    return ""


def _branch_signal(head_ref: str, extra: Iterable[str], builtin: bool) -> str:
    branch = head_ref.removeprefix("refs/heads/")
    if not branch:
        return ""
    for pattern in extra:
        if _matches(branch, pattern):
            return f"branch {pattern}"
    for prefix in _BUILTIN_BRANCHES if builtin else ():
        if branch.startswith(prefix):
            return f"branch prefix {prefix}"
    return ""


def _commit_signal(pr: PullRequest, extra: Iterable[str], builtin: bool) -> str:
    own = tuple((t, t) for t in extra)
    found = _first(pr.commit_trailers, (*own, *(_BUILTIN_TRAILERS if builtin else ())))
    if found:
        return f"trailer {found}"
    found = _first(pr.commit_authors, _BUILTIN_COMMIT_AUTHORS if builtin else ())
    return f"commit author {found}" if found else ""


def detect_agent(pr: PullRequest, rules: AgentRules | None = None) -> str:
    """Which signal marks ``pr`` as written by an AI agent, or "" for a human's PR.

    Signals are tried in a fixed order (login, branch, commit trailer, commit author,
    label, body marker); the policy's own ``agents:`` patterns are tried before the
    built-in ones of each kind (unless the policy turns those off). Returns e.g.
    ``"login Copilot"``, ``"branch prefix claude/"`` or ``"trailer Co-authored-by: Claude"``.
    Dependabot, Renovate and GitHub Actions are bots, not agents.
    """
    builtin = rules.builtin if rules else True
    signal = (
        _login_signal(pr.author, rules.logins if rules else (), builtin)
        or _branch_signal(pr.head_ref, rules.branches if rules else (), builtin)
        or _commit_signal(pr, rules.trailers if rules else (), builtin)
    )
    if signal or rules is None:
        return signal
    found = _first(pr.labels, ((p, p) for p in rules.labels))
    if found:
        return f"label {found}"
    body = " ".join(pr.body.split())
    for marker in rules.body_markers:
        if _wildcard("*" + marker + "*").match(body):
            return f"body marker {marker}"
    return ""
