"""Attacks on agent detection: dropping or bending a self-declared signal.

The agent tier is stricter, so an agent's PR gains by looking human. The built-in branch
prefixes used to be compared case-sensitively (``Claude/x`` was human), the trailer
``Co-authored-by:Claude`` without a space and a trailer block followed by other lines
were missed, and Claude Code's PR footer was not a signal. Signals stay self-declared,
so an organisation can now put every PR in the agent tier unless its author is a listed
human (``agents: {default: agent, humans: [...]}``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.errors import PolicyError
from gatekeeper.github.action import run_action
from gatekeeper.pipeline import GateOptions, run_gate
from tests.adversarial.conftest import AttackFactory, assert_blocked, blocking_rules
from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub

# cochange runs only for agents: a human's PR passes, an agent's PR without tests blocks
POLICY = """\
version: 1
{agents}checks:
  cochange:
    enabled: false
    items:
      - {{when: ["src/**"], require: ["tests/**"], message: "agents add tests"}}
overrides:
  - when: {{author: agent}}
    checks: {{cochange: {{enabled: true}}}}
"""
BASE = {"src/app.py": "x = 1\n"}
HEAD = {"src/app.py": "x = 2\n"}
RULE = "cochange/missing-cochange"


def _policy(agents: str = "") -> str:
    return POLICY.format(agents=agents)


def _commit_attack(repo: GitRepo, message: str, policy: str | None = None) -> tuple[str, str]:
    base = repo.commit({".github/gatekeeper.yml": policy or _policy(), **BASE}, "base")
    head = repo.commit(HEAD, message)
    return base, head


@pytest.mark.parametrize("branch", ["Claude/fix-login", "CODEX/x", "Copilot/y", "cursor/z"])
def test_builtin_branch_prefixes_ignore_case(attack: AttackFactory, branch: str) -> None:
    case = attack(_policy(), BASE, HEAD, pr=PullRequest(author="alice", head_ref=branch))
    verdict = case.judge()
    assert_blocked(verdict, RULE)
    assert verdict.agent_signal.startswith("branch prefix ")


@pytest.mark.parametrize(
    "message",
    [
        "Fix login\n\nCo-authored-by:Claude <noreply@anthropic.com>\n",
        "Fix login\n\nCo-Authored-By :  Claude <noreply@anthropic.com>\n",
        # a trailer block with other lines after it: git would not call it a trailer block
        "Fix login\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n\nThanks for reviewing!\n",
        "Fix login\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nnot a trailer line\n",
        "Fix login\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n"
        "Co-Authored-By: Claude Opus 4 <noreply@anthropic.com>\n",
    ],
)
def test_commit_trailers_are_read_from_git_and_bent_ones_still_count(
    git_repo: GitRepo, message: str
) -> None:
    base, head = _commit_attack(git_repo, message)
    verdict = run_gate(GateOptions(root=git_repo.root, base=base, head=head))
    assert_blocked(verdict, RULE)
    assert verdict.agent_signal == "trailer Co-authored-by: Claude"


def test_claude_codes_pr_footer_is_a_signal(attack: AttackFactory) -> None:
    body = "Fixes the login.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n"
    case = attack(_policy(), BASE, HEAD, pr=PullRequest(author="alice", body=body))
    verdict = case.judge()
    assert_blocked(verdict, RULE)
    assert verdict.agent_signal == "body marker Generated with [Claude Code]"


DEFAULT_AGENT = "agents: {default: agent, humans: [alice, Bob]}\n"


@pytest.mark.parametrize("author", ["mallory", "", "alice-bot"])
def test_default_agent_puts_everyone_else_in_the_agent_tier(
    attack: AttackFactory, author: str
) -> None:
    case = attack(_policy(DEFAULT_AGENT), BASE, HEAD, pr=PullRequest(author=author))
    verdict = case.judge()
    assert_blocked(verdict, RULE)
    assert verdict.agent_signal.startswith("default agent")


@pytest.mark.parametrize("author", ["alice", "bob"])
def test_listed_humans_stay_in_the_human_tier(attack: AttackFactory, author: str) -> None:
    case = attack(_policy(DEFAULT_AGENT), BASE, HEAD, pr=PullRequest(author=author))
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)


def test_a_listed_human_with_an_agent_signal_is_an_agent(git_repo: GitRepo) -> None:
    message = "Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
    base, head = _commit_attack(git_repo, message, _policy(DEFAULT_AGENT))
    pr = PullRequest(author="alice")
    verdict = run_gate(GateOptions(root=git_repo.root, base=base, head=head, pr=pr))
    assert_blocked(verdict, RULE)


def test_humans_without_default_agent_is_refused(attack: AttackFactory) -> None:
    case = attack(_policy("agents: {humans: [alice]}\n"), BASE, HEAD)
    with pytest.raises(PolicyError, match=r"agents\.humans: applies only with 'default: agent'"):
        case.judge()


def test_a_human_named_claude_is_not_an_agent(git_repo: GitRepo) -> None:
    message = "Paint\n\nCo-authored-by: Claude Monet <claude@example.com>\n"
    base, head = _commit_attack(git_repo, message)
    pr = PullRequest(author="alice", head_ref="feature/claude/x")
    verdict = run_gate(GateOptions(root=git_repo.root, base=base, head=head, pr=pr))
    assert verdict.met, blocking_rules(verdict)


def test_the_action_reads_a_bent_trailer_from_the_api(
    tmp_path: Path,
    github: FakeGitHub,
    git_repo: GitRepo,
) -> None:
    base, head = _commit_attack(git_repo, "plain message")
    github.commits = [
        {
            "sha": head,
            "commit": {
                "message": "Fix\n\nCo-authored-by:Claude <noreply@anthropic.com>\n\nbye\n",
                "author": {"name": "Al", "email": "al@example.com"},
            },
        }
    ]
    event = tmp_path / "event.json"
    pull = {
        "number": 3,
        "user": {"login": "alice", "type": "User"},
        "base": {"ref": "main", "sha": base},
        "head": {"ref": "fix", "sha": head},
    }
    event.write_text(json.dumps({"pull_request": pull}), encoding="utf-8")
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "INPUT_TOKEN": TOKEN,
    }
    log = io.StringIO()
    assert run_action(env, stdout=log, sleep=lambda s: None) == 1, log.getvalue()
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "failure"
    assert RULE in json.dumps(run)
