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
#: text Claude Code puts at the end of the pull requests (and commits) it writes
_BUILTIN_BODY_MARKERS = ("Generated with [Claude Code]", "Generated with Claude Code")
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
        # case is ignored, as for every other signal: "Claude/x" is Claude Code's branch
        if branch.casefold().startswith(prefix):
            return f"branch prefix {prefix}"
    return ""


def _commit_signal(pr: PullRequest, extra: Iterable[str], builtin: bool) -> str:
    own = tuple((t, t) for t in extra)
    trailers = [normal_trailer(t) for t in pr.commit_trailers]
    found = _first(trailers, (*own, *(_BUILTIN_TRAILERS if builtin else ())))
    if found:
        return f"trailer {found}"
    found = _first(pr.commit_authors, _BUILTIN_COMMIT_AUTHORS if builtin else ())
    return f"commit author {found}" if found else ""


def _body_signal(body: str, markers: Iterable[str]) -> str:
    flat = " ".join(body.split())
    for marker in markers:
        if _wildcard("*" + marker + "*").match(flat):
            return f"body marker {marker}"
    return ""


def _default_signal(pr: PullRequest, rules: AgentRules) -> str:
    """``agents: {default: agent}``: every PR is an agent's unless a listed human wrote it."""
    if rules.default != "agent":
        return ""
    humans = {h.casefold() for h in rules.humans}
    if pr.author and pr.author.casefold() in humans:
        return ""
    who = f"author {pr.author}" if pr.author else "an unknown author"
    return f"default agent ({who} is not in agents.humans)"


def detect_agent(pr: PullRequest, rules: AgentRules | None = None) -> str:
    """Which signal marks ``pr`` as written by an AI agent, or "" for a human's PR.

    Signals are tried in a fixed order (login, branch, commit trailer, commit author,
    label, body marker); the policy's own ``agents:`` patterns are tried before the
    built-in ones of each kind (unless the policy turns those off). Returns e.g.
    ``"login Copilot"``, ``"branch prefix claude/"`` or ``"trailer Co-authored-by: Claude"``.
    Dependabot, Renovate and GitHub Actions are bots, not agents. With
    ``agents: {default: agent}`` a PR with no signal is an agent's too, unless its author
    is listed under ``humans``.
    """
    rules = rules or AgentRules()
    builtin = rules.builtin
    signal = (
        _login_signal(pr.author, rules.logins, builtin)
        or _branch_signal(pr.head_ref, rules.branches, builtin)
        or _commit_signal(pr, rules.trailers, builtin)
    )
    if signal:
        return signal
    found = _first(pr.labels, ((p, p) for p in rules.labels))
    if found:
        return f"label {found}"
    markers = (*rules.body_markers, *(_BUILTIN_BODY_MARKERS if builtin else ()))
    return _body_signal(pr.body, markers) or _default_signal(pr, rules)


_TRAILER_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9-]*)\s*:\s*")


def normal_trailer(line: str) -> str:
    """``Key:value`` and ``Key :  value`` as ``Key: value`` (how the patterns are written)."""
    return _TRAILER_KEY.sub(lambda m: m.group(1) + ": ", line, count=1)
