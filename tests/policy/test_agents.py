"""Agent-author detection (``detect_agent``), used by ``author: agent``."""

from __future__ import annotations

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.policy.agents import detect_agent
from gatekeeper.policy.model import AgentRules


@pytest.mark.parametrize(
    ("pr", "signal"),
    [
        # GitHub Copilot coding agent
        (PullRequest(author="Copilot"), "login Copilot"),
        (PullRequest(author="copilot-swe-agent[bot]"), "login copilot-swe-agent[bot]"),
        (PullRequest(author="alice", head_ref="copilot/fix-login"), "branch prefix copilot/"),
        # Devin
        (PullRequest(author="devin-ai-integration[bot]"), "login devin-ai-integration[bot]"),
        (
            PullRequest(
                commit_authors=("devin-ai-integration[bot] <1+devin@users.noreply.github.com>",)
            ),
            "commit author devin-ai-integration[bot]",
        ),
        # OpenAI Codex
        (PullRequest(author="alice", head_ref="codex/add-tests"), "branch prefix codex/"),
        (PullRequest(author="chatgpt-codex-connector[bot]"), "login chatgpt-codex-connector[bot]"),
        # Claude Code
        (
            PullRequest(commit_trailers=("Co-Authored-By: Claude <noreply@anthropic.com>",)),
            "trailer Co-authored-by: Claude",
        ),
        (
            PullRequest(commit_trailers=("co-authored-by:   claude",)),
            "trailer Co-authored-by: Claude",
        ),
        (PullRequest(head_ref="refs/heads/claude/issue-7-fix"), "branch prefix claude/"),
        # Cursor
        (PullRequest(head_ref="cursor/refactor"), "branch prefix cursor/"),
        (
            PullRequest(commit_authors=("Cursor Agent <cursoragent@cursor.com>",)),
            "commit author cursoragent@cursor.com",
        ),
        (
            PullRequest(commit_trailers=("Co-authored-by: Cursor Agent <cursoragent@cursor.com>",)),
            "trailer Co-authored-by: cursoragent@cursor.com",
        ),
        # Jules, Sweep
        (PullRequest(author="google-labs-jules[bot]"), "login google-labs-jules[bot]"),
        (PullRequest(author="sweep-ai[bot]"), "login sweep-ai[bot]"),
    ],
)
def test_builtin_signals(pr: PullRequest, signal: str) -> None:
    assert detect_agent(pr, AgentRules()) == signal
    assert detect_agent(pr) == signal


@pytest.mark.parametrize(
    "pr",
    [
        PullRequest(),
        PullRequest(author="dependabot[bot]", author_type="Bot", head_ref="dependabot/pip/x-1.2"),
        PullRequest(author="renovate[bot]", author_type="Bot", head_ref="renovate/x"),
        PullRequest(author="github-actions[bot]", author_type="Bot"),
        PullRequest(author="alice", head_ref="feature/copilot/x"),  # prefix, not substring
        PullRequest(author="copilotfan", head_ref="copilot-ideas"),
        # a human called Claude is not Claude Code
        PullRequest(commit_trailers=("Co-authored-by: Claude Monet <claude@example.com>",)),
        PullRequest(commit_trailers=("Co-authored-by: Claudette <c@example.com>",)),
        PullRequest(author="devin-ai-integration"),  # not the [bot] account; brackets are literal
        PullRequest(author="devin-ai-integrationb"),
    ],
)
def test_humans_and_plain_bots_are_not_agents(pr: PullRequest) -> None:
    assert detect_agent(pr, AgentRules()) == ""


def test_policy_signals() -> None:
    rules = AgentRules(
        logins=("acme-*-bot",),
        branches=("ai/*",),
        trailers=("Generated-by: AcmeAI*",),
        labels=("AI-Generated",),
        body_markers=("Generated with AcmeAI",),
    )
    assert detect_agent(PullRequest(author="acme-code-bot"), rules) == "login acme-code-bot"
    assert detect_agent(PullRequest(head_ref="ai/x/y"), rules) == "branch ai/*"
    pr = PullRequest(commit_trailers=("Generated-by: AcmeAI v2",))
    assert detect_agent(pr, rules) == "trailer Generated-by: AcmeAI*"
    assert detect_agent(PullRequest(labels=("ai-generated",)), rules) == "label AI-Generated"
    pr = PullRequest(body="Fixes #1.\n\nGenerated   with\nAcmeAI today")
    assert detect_agent(pr, rules) == "body marker Generated with AcmeAI"
    assert detect_agent(PullRequest(author="alice", body="hand made"), rules) == ""


def test_wildcard_logins_never_catch_automation_bots() -> None:
    rules = AgentRules(logins=("*[bot]",))
    assert detect_agent(PullRequest(author="some-agent[bot]"), rules) == "login some-agent[bot]"
    assert detect_agent(PullRequest(author="dependabot[bot]"), rules) == ""
    exact = AgentRules(logins=("renovate[bot]",))  # a team may insist, by exact login
    assert detect_agent(PullRequest(author="renovate[bot]"), exact) == "login renovate[bot]"


def test_builtin_signals_can_be_turned_off() -> None:
    rules = AgentRules(builtin=False, labels=("ai",))
    assert detect_agent(PullRequest(author="Copilot", head_ref="claude/x"), rules) == ""
    pr = PullRequest(commit_trailers=("Co-authored-by: Claude <noreply@anthropic.com>",))
    assert detect_agent(pr, rules) == ""
    assert detect_agent(PullRequest(author="Copilot", labels=("ai",)), rules) == "label ai"


def test_order_login_before_branch_before_trailer() -> None:
    pr = PullRequest(
        author="Copilot",
        head_ref="claude/x",
        commit_trailers=("Co-authored-by: Claude <noreply@anthropic.com>",),
    )
    assert detect_agent(pr) == "login Copilot"
    assert detect_agent(PullRequest(head_ref="claude/x", commit_trailers=pr.commit_trailers)) == (
        "branch prefix claude/"
    )


@pytest.mark.parametrize(
    ("pr", "signal"),
    [
        (PullRequest(head_ref="Claude/x"), "branch prefix claude/"),
        (PullRequest(head_ref="refs/heads/COPILOT/y"), "branch prefix copilot/"),
        (
            PullRequest(commit_trailers=("Co-authored-by:Claude <noreply@anthropic.com>",)),
            "trailer Co-authored-by: Claude",
        ),
        (
            PullRequest(body="Done.\n\n🤖 Generated with [Claude Code](https://claude.ai/code)"),
            "body marker Generated with [Claude Code]",
        ),
        (PullRequest(body="generated WITH claude code"), "body marker Generated with Claude Code"),
    ],
)
def test_signals_an_agent_might_bend(pr: PullRequest, signal: str) -> None:
    assert detect_agent(pr) == signal
    assert detect_agent(pr, AgentRules(builtin=False)) == ""


def test_default_agent_with_a_list_of_humans() -> None:
    rules = AgentRules(default="agent", humans=("Alice",))
    assert detect_agent(PullRequest(author="alice"), rules) == ""
    assert detect_agent(PullRequest(author="bob"), rules) == (
        "default agent (author bob is not in agents.humans)"
    )
    assert detect_agent(PullRequest(), rules) == (
        "default agent (an unknown author is not in agents.humans)"
    )
    # a signal still wins for a listed human
    assert detect_agent(PullRequest(author="alice", head_ref="claude/x"), rules) == (
        "branch prefix claude/"
    )
    assert detect_agent(PullRequest(author="bob"), AgentRules(humans=("alice",))) == ""
