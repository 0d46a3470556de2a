"""Suppressions the PR writes itself do not suppress on its own say-so.

A ``# nosec``, an allowlist pragma, a ``gatekeeper:ignore`` / ``gatekeeper:irreversible``
marker or a tool's in-source suppression written by the head commit leaves the finding
reported, marked "suppressed in this PR", and blocking until a human approves the latest
push. Markers the base already had keep working; a base policy may trust PR markers.
"""

from __future__ import annotations

import json

import pytest

from gatekeeper.changes.pullrequest import PullRequest, Review
from gatekeeper.model import Verdict, plain_text
from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, blocking_rules

STRICT = "version: 1\nextends: [strict]\n"
TRUSTING = """\
version: 1
extends: [strict]
checks:
  security:
    bandit: {trust_pr_suppressions: true}
    secrets: {trust_pr_suppressions: true}
"""
BASE = {"src/app.py": "import subprocess\n\n\ndef add(a, b):\n    return a + b\n"}
SHELL = "\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True){}\n"
TOKEN = "ghp_" + "Zt5Kq8Lm2Nw4Xp7Rv1Sb9Dc3Fg6Hj0Ka2Ye4u"  # assembled: no whole token in the repo


def _marked(verdict: Verdict, rule: str, marker: str) -> None:
    """``rule`` blocks and its message says the PR suppressed it, and with which marker."""
    assert_blocked(verdict, rule)
    (result,) = [r for r in verdict.results if r.finding.qualified_rule == rule]
    assert f"suppressed in this PR by `{marker}`" in result.finding.message


def _pr(case: Attack, *reviews: Review) -> PullRequest:
    return PullRequest(
        number=12,
        title="Run the report command",
        body="Runs the nightly report.",
        author="agent-bot",
        head_sha=case.head,
        reviews=reviews,
    )


@pytest.mark.parametrize(
    ("marker", "shown"),
    [
        ("# nosec", "# nosec"),
        ("# nosec B602", "# nosec B602"),
        ("# nosec: subprocess_popen_with_shell_equals_true", "# nosec B602"),  # by name
    ],
)
def test_a_nosec_the_pr_wrote_still_blocks(attack: AttackFactory, marker: str, shown: str) -> None:
    head = {"src/app.py": BASE["src/app.py"] + SHELL.format(f"  {marker}")}
    _marked(attack(STRICT, BASE, head).judge(), "security/bandit-b602", shown)


@pytest.mark.parametrize(
    "line",
    [
        f'GITHUB = "{TOKEN}"  # pragma: allowlist secret\n',
        f'GITHUB = "{TOKEN}"  # gatekeeper: allow-secret\n',
        f'# pragma: allowlist nextline secret\nGITHUB = "{TOKEN}"\n',
    ],
    ids=["allowlist", "allow-secret", "nextline"],
)
def test_a_secret_pragma_the_pr_wrote_still_blocks(attack: AttackFactory, line: str) -> None:
    verdict = attack(STRICT, BASE, {"src/settings.py": line}).judge()
    assert_blocked(verdict, "security/secret-github-token")
    assert "suppressed in this PR by `" in verdict.results[0].finding.message
    assert TOKEN not in "\n".join(r.finding.message for r in verdict.results)


def test_a_pr_rewriting_the_line_under_a_base_nextline_pragma_is_still_asked(
    attack: AttackFactory,
) -> None:
    base = {**BASE, "src/settings.py": '# pragma: allowlist nextline secret\nGITHUB = "x"\n'}
    head = {"src/settings.py": f'# pragma: allowlist nextline secret\nGITHUB = "{TOKEN}"\n'}
    verdict = attack(STRICT, base, head).judge()
    _marked(verdict, "security/secret-github-token", "pragma: allowlist nextline secret")


def test_an_irreversible_marker_the_pr_wrote_does_not_excuse_a_missing_down(
    attack: AttackFactory,
) -> None:
    head = {"db/002_drop.up.sql": "-- gatekeeper:irreversible we never go back\nDROP TABLE old;\n"}
    base = {
        **BASE,
        "db/001_init.up.sql": "CREATE TABLE old (id int);\n",
        "db/001_init.down.sql": "DROP TABLE old;\n",
    }
    verdict = attack(STRICT, base, head).judge()
    _marked(verdict, "migrations/missing-down", "gatekeeper:irreversible")


def test_an_ignore_marker_the_pr_wrote_does_not_excuse_a_dropped_table(
    attack: AttackFactory,
) -> None:
    up = (
        "SET lock_timeout = '2s';\n"
        "-- gatekeeper:ignore drop-table nobody reads it\n"
        "DROP TABLE orders;\n"
    )
    head = {"db/002_drop.up.sql": up, "db/002_drop.down.sql": "CREATE TABLE orders (id int);\n"}
    base = {
        "src/app.py": 'TABLE = "orders"\n',  # the code still reads the table
        "db/001_init.up.sql": "CREATE TABLE orders (id int);\n",
        "db/001_init.down.sql": "DROP TABLE orders;\n",
    }
    verdict = attack(STRICT, base, head).judge()
    _marked(verdict, "migrations/drop-table", "gatekeeper:ignore drop-table")


def test_an_in_source_suppression_in_a_tool_report_does_not_hide_a_new_result(
    attack: AttackFactory,
) -> None:
    policy = STRICT + "checks:\n  sarif: {files: [lint.sarif]}\n"
    head = {"src/app.py": BASE["src/app.py"] + "import os  # noqa: F401\n"}
    case = attack(policy, BASE, head)
    result = {
        "ruleId": "F401",
        "level": "error",
        "message": {"text": "`os` imported but unused"},
        "suppressions": [{"kind": "inSource"}],
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "src/app.py"},
                    "region": {"startLine": 6},
                }
            }
        ],
    }
    log = {
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "ruff"}}, "results": [result]}],
    }
    (case.repo.root / "lint.sarif").write_text(json.dumps(log))  # what the CI step wrote
    _marked(case.judge(), "sarif/ruff-f401", "ruff's in-source suppression")


def test_an_approval_of_an_earlier_push_does_not_count(attack: AttackFactory) -> None:
    case = attack(STRICT, BASE, {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec")})
    case.pr = _pr(case, Review("alice", "APPROVED", commit_id="0" * 40, submitted_at="1"))
    _marked(case.judge(), "security/bandit-b602", "# nosec")


def test_the_author_or_a_bot_cannot_approve_their_own_suppression(
    attack: AttackFactory,
) -> None:
    case = attack(STRICT, BASE, {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec")})
    case.pr = _pr(
        case,
        Review("agent-bot", "APPROVED", commit_id=case.head, submitted_at="1"),
        Review("helper[bot]", "APPROVED", commit_id=case.head, submitted_at="2"),
    )
    _marked(case.judge(), "security/bandit-b602", "# nosec")


def test_a_drive_by_approval_from_outside_the_repository_does_not_count(
    attack: AttackFactory,
) -> None:
    # anyone can approve a pull request on a public repository: a second account of the
    # author's, or an agent's helper account, is not a reviewer with rights to the code
    case = attack(STRICT, BASE, {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec")})
    case.pr = _pr(
        case,
        Review("sock", "APPROVED", commit_id=case.head, submitted_at="1", association="NONE"),
        Review("fan", "APPROVED", commit_id=case.head, submitted_at="2", association="CONTRIBUTOR"),
    )
    _marked(case.judge(), "security/bandit-b602", "# nosec")


def test_a_later_change_request_withdraws_the_approval(attack: AttackFactory) -> None:
    case = attack(STRICT, BASE, {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec")})
    case.pr = _pr(
        case,
        Review("alice", "APPROVED", commit_id=case.head, submitted_at="1"),
        Review("alice", "CHANGES_REQUESTED", commit_id=case.head, submitted_at="2"),
    )
    _marked(case.judge(), "security/bandit-b602", "# nosec")


def test_the_pr_cannot_switch_the_trust_on_in_its_own_policy(attack: AttackFactory) -> None:
    head = {
        "src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec"),
        ".github/gatekeeper.yml": TRUSTING,
    }
    _marked(attack(STRICT, BASE, head).judge(), "security/bandit-b602", "# nosec")


# --- what must not block ------------------------------------------------------------------


def test_a_nosec_the_base_had_is_still_honoured(attack: AttackFactory) -> None:
    base = {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec B602 reviewed in #41")}
    head = {"src/app.py": "X = 1\n" + base["src/app.py"] + "\n\ndef sub(a, b):\n    return a - b\n"}
    verdict = attack(STRICT, base, head).judge()
    assert verdict.met, blocking_rules(verdict)


def test_an_approved_suppression_passes_and_says_who_approved(attack: AttackFactory) -> None:
    case = attack(STRICT, BASE, {"src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec")})
    case.pr = _pr(case, Review("alice", "APPROVED", commit_id=case.head, submitted_at="1"))
    verdict = case.judge()
    assert verdict.met, blocking_rules(verdict)
    (security,) = [o for o in verdict.outcomes if o.check == "security"]
    assert "approved by alice" in plain_text(
        security.details
    ) and "`# nosec` at src/app.py:9" in plain_text(security.details)


def test_a_base_policy_that_trusts_pr_suppressions_passes(attack: AttackFactory) -> None:
    head = {
        "src/app.py": BASE["src/app.py"] + SHELL.format("  # nosec"),
        "src/settings.py": f'GITHUB = "{TOKEN}"  # pragma: allowlist secret\n',
    }
    verdict = attack(TRUSTING, BASE, head).judge()
    assert verdict.met, blocking_rules(verdict)
