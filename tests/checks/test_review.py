"""The review check: which changes need a human's approval, and which approvals count."""

from __future__ import annotations

from typing import Any

import jsonschema

from gatekeeper.changes.pullrequest import PullRequest, Review
from gatekeeper.checks.interface import Check
from gatekeeper.checks.review import ReviewCheck, approving_humans
from gatekeeper.testing import run_check

HEAD, OLD = "h" * 40, "o" * 40
BASE_FILES = {
    "src/auth/login.py": "x = 1\n",
    "README.md": "hi\n",
    ".github/gatekeeper.yml": "version: 1\n",
}
CONFIG = {"sensitive": ["src/**/auth/**"], "approvals": 1}


def pr(*reviews: Review, **extra: Any) -> PullRequest:
    fields: dict[str, Any] = {
        "number": 7,
        "author": "alice",
        "head_sha": HEAD,
        "reviews": reviews,
        **extra,
    }
    return PullRequest(**fields)


def approve(login: str, commit: str = HEAD, at: str = "2026-01-02", **kw: Any) -> Review:
    return Review(login, "APPROVED", commit_id=commit, submitted_at=at, **kw)


def rules(
    head: dict[str, str], pull: PullRequest, config: dict[str, Any] | None = None
) -> list[str]:
    found = run_check(
        ReviewCheck(),
        BASE_FILES,
        {**BASE_FILES, **head},
        CONFIG if config is None else config,
        pr=pull,
    )
    return sorted(f.rule for f in found)


def test_is_a_check_with_a_valid_schema() -> None:
    assert isinstance(ReviewCheck(), Check)
    jsonschema.Draft202012Validator.check_schema(ReviewCheck.config_schema)
    jsonschema.validate(CONFIG, ReviewCheck.config_schema)


def test_sensitive_path_without_approval_fires() -> None:
    found = run_check(
        ReviewCheck(), BASE_FILES, {**BASE_FILES, "src/auth/login.py": "x = 2\n"}, CONFIG, pr=pr()
    )
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]
    assert found[0].location is not None and found[0].location.path == "src/auth/login.py"
    assert found[0].message == (
        "changing src/auth/login.py needs 1 approving review from a human on the latest push; has 0"
    )


def test_sensitive_path_with_a_human_approval_on_head_passes() -> None:
    assert rules({"src/auth/login.py": "x = 2\n"}, pr(approve("bob"))) == []


def test_unrelated_change_needs_nothing() -> None:
    assert rules({"README.md": "hello\n"}, pr()) == []


def test_gate_policy_and_workflow_changes_need_approval() -> None:
    head = {
        ".github/gatekeeper.yml": "version: 1\nchecks: {}\n",
        ".github/workflows/gate.yml": "on: push\n",
    }
    assert rules(head, pr(), {**CONFIG, "gate": True}) == ["gate-config-unapproved"]
    assert rules(head, pr()) == []  # by default the `gate` check blocks these
    for path in (".gitattributes", "src/.gitattributes", ".github/CODEOWNERS"):
        assert rules({path: "* text\n"}, pr(), {**CONFIG, "gate": True}) == [
            "gate-config-unapproved"
        ], path
        assert rules({path: "* text\n"}, pr(approve("bob")), {**CONFIG, "gate": True}) == []
    assert rules({"tools/gate.py": "x\n"}, pr(), {"gate": True, "gate_paths": ["tools/**"]}) == [
        "gate-config-unapproved"
    ]


def test_agent_prs_need_approval() -> None:
    agent = pr(agent_signal="login Copilot")
    assert rules({"README.md": "hello\n"}, agent) == ["agent-pr-unapproved"]
    assert rules({"README.md": "hello\n"}, agent, {"agent": False}) == []
    assert rules({"README.md": "hello\n"}, pr(approve("bob"), agent_signal="login Copilot")) == []
    assert rules({"README.md": "hello\n"}, pr(), {"all": True}) == ["agent-pr-unapproved"]


def test_approvals_that_do_not_count() -> None:
    change = {"src/auth/login.py": "x = 2\n"}
    fires = ["sensitive-path-unapproved"]
    assert rules(change, pr(approve("alice"))) == fires  # the author
    assert rules(change, pr(approve("bob", OLD))) == fires  # before the latest push
    assert rules(change, pr(approve("helper[bot]"))) == fires
    assert rules(change, pr(approve("helper", is_bot=True))) == fires
    assert rules(change, pr(approve("carol"), commit_authors=("carol",))) == fires
    assert rules(change, pr(Review("bob", "COMMENTED", commit_id=HEAD))) == fires
    later_change_request = Review(
        "bob", "CHANGES_REQUESTED", commit_id=HEAD, submitted_at="2026-01-03"
    )
    assert rules(change, pr(approve("bob"), later_change_request)) == fires
    assert rules(change, pr(approve("bob")), {**CONFIG, "approvers": ["@carol"]}) == fires
    assert rules(change, pr(approve("bob")), {**CONFIG, "approvals": 2}) == fires


def test_whoever_launched_the_agent_cannot_approve_it() -> None:
    trailer = "Co-authored-by: Carol <12345+carol@users.noreply.github.com>"
    agent = {"agent_signal": "login Copilot", "author": "Copilot"}
    change = {"README.md": "x\n"}
    assert rules(change, pr(approve("carol"), commit_trailers=(trailer,), **agent)) == [
        "agent-pr-unapproved"
    ]
    assert rules(change, pr(approve("dave"), commit_trailers=(trailer,), **agent)) == []
    authors = ("Dave <dave@users.noreply.github.com>", "Erin <erin@example.com>")
    assert rules(change, pr(approve("dave"), commit_authors=authors, **agent)) == [
        "agent-pr-unapproved"
    ]
    assert rules(change, pr(approve("erin"), commit_authors=authors, **agent)) == []


def test_a_later_comment_does_not_cancel_an_approval() -> None:
    comment = Review("bob", "COMMENTED", commit_id=HEAD, submitted_at="2026-01-03")
    assert rules({"src/auth/login.py": "x = 2\n"}, pr(approve("bob"), comment)) == []


def test_two_approvals_from_the_allowed_team() -> None:
    config = {**CONFIG, "approvals": 2, "approvers": ["Bob", "carol"]}
    found = run_check(
        ReviewCheck(),
        BASE_FILES,
        {**BASE_FILES, "src/auth/login.py": "y\n"},
        config,
        pr=pr(approve("bob"), approve("carol"), approve("dave")),
    )
    assert found == []
    assert approving_humans(pr(approve("bob"), approve("Dave")), "", ()) == ["Dave", "bob"]


def test_message_names_who_approved_when_short() -> None:
    found = run_check(
        ReviewCheck(),
        BASE_FILES,
        {**BASE_FILES, "src/auth/login.py": "y\n"},
        {**CONFIG, "approvals": 2},
        pr=pr(approve("bob")),
    )
    assert found[0].message.endswith(
        "needs 2 approving reviews from a human on the latest push; has 1 (bob)"
    )


def test_without_github_context_approval_is_pending() -> None:
    local = PullRequest()
    found = run_check(
        ReviewCheck(), BASE_FILES, {**BASE_FILES, "src/auth/login.py": "y\n"}, CONFIG, pr=local
    )
    assert [f.rule for f in found] == ["approval-pending"]
    assert "only known on GitHub" in found[0].message
    assert rules({"README.md": "x\n"}, PullRequest(agent_signal="branch prefix claude/")) == [
        "approval-pending"
    ]


def test_many_sensitive_paths_are_listed_briefly() -> None:
    head = {f"src/auth/m{i}.py": "x\n" for i in range(7)}
    found = run_check(ReviewCheck(), BASE_FILES, {**BASE_FILES, **head}, CONFIG, pr=pr())
    assert "and 2 more" in found[0].message


def test_does_not_apply_to_an_empty_diff() -> None:
    assert run_check(ReviewCheck(), BASE_FILES, BASE_FILES, CONFIG, pr=pr()) == []


def test_head_sha_falls_back_to_the_changeset_head() -> None:
    assert approving_humans(pr(approve("bob", "head"), head_sha=""), "head") == ["bob"]
    assert approving_humans(pr(approve("bob", ""), head_sha=""), "") == []


# -- teams: "@org/slug" entries, resolved by the action into pr.team_members -----------

TEAM_CONFIG = {**CONFIG, "approvers": ["@My-Org/API-Leads", "zoe"]}
LEADS = (("my-org/api-leads", ("bob", "carol")),)
AUTH_CHANGE = {"src/auth/login.py": "x = 2\n"}


def team_findings(pull: PullRequest, config: dict[str, Any] | None = None) -> list[Any]:
    return run_check(
        ReviewCheck(),
        BASE_FILES,
        {**BASE_FILES, **AUTH_CHANGE},
        TEAM_CONFIG if config is None else config,
        pr=pull,
    )


def test_a_team_members_approval_passes() -> None:
    assert team_findings(pr(approve("Bob"), team_members=LEADS)) == []
    # a listed login still counts beside the team
    assert team_findings(pr(approve("zoe"), team_members=LEADS)) == []


def test_a_non_members_approval_fires() -> None:
    found = team_findings(pr(approve("dave"), team_members=LEADS))
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]
    assert found[0].message.endswith("on the latest push; has 0")


def test_team_membership_does_not_override_the_other_exclusions() -> None:
    members = (("my-org/api-leads", ("alice", "bob")),)
    # alice wrote the PR; bob approved an older push
    found = team_findings(pr(approve("alice"), approve("bob", OLD), team_members=members))
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]


def test_an_unreadable_team_fires_with_the_permission_hint() -> None:
    errors = (
        ("my-org/api-leads", "HTTP 404: the team does not exist, or the token may not see it"),
    )
    found = team_findings(pr(approve("bob"), team_errors=errors))
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]
    message = found[0].message
    assert "team @my-org/api-leads could not be read (HTTP 404" in message
    assert "its members' approvals do not count" in message
    assert "read:org" in message and "Members: read" in message


def test_an_unresolved_team_counts_nobody_and_says_why() -> None:
    # a PR number but no membership: e.g. a CLI run with PR flags, or no token
    found = team_findings(pr(approve("bob")))
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]
    assert "team @my-org/api-leads was not resolved" in found[0].message


def test_a_team_only_list_with_an_unreadable_team_lets_no_human_in() -> None:
    config = {**CONFIG, "approvers": ["@my-org/api-leads"]}
    errors = (("my-org/api-leads", "HTTP 403: no"),)
    assert [f.rule for f in team_findings(pr(approve("bob"), team_errors=errors), config)] == [
        "sensitive-path-unapproved"
    ]
    # the same list with the team read: its member counts
    assert team_findings(pr(approve("bob"), team_members=LEADS), config) == []


def test_locally_a_team_is_pending_on_github() -> None:
    found = team_findings(PullRequest())
    assert [f.rule for f in found] == ["approval-pending"]
    assert "team @my-org/api-leads is resolved only on GitHub" in found[0].message


def test_team_entries_and_lookups() -> None:
    from gatekeeper.changes.pullrequest import is_team, split_approvers

    assert is_team("@org/leads") and not is_team("@carol") and not is_team("org/leads")
    assert split_approvers(["@Org/Leads", "Bob", "@carol", "@org/leads"]) == (
        ("bob", "carol"),
        ("org/leads",),
    )
    pull = pr(team_members=LEADS, team_errors=(("o/x", "HTTP 404"),))
    assert pull.members_of("@MY-ORG/api-leads") == ("bob", "carol")
    assert pull.members_of("o/x") is None and pull.team_error("@o/x") == "HTTP 404"
    assert pull.team_error("my-org/api-leads") == ""
    hash(pull)  # PullRequest stays frozen and hashable


def test_approvers_schema_describes_teams() -> None:
    schema = ReviewCheck.config_schema["properties"]["approvers"]
    assert "@my-org/api-leads" in schema["description"] and "read:org" in schema["description"]
    jsonschema.validate(TEAM_CONFIG, ReviewCheck.config_schema)


def test_an_approval_from_outside_the_repository_does_not_count() -> None:
    head = {"src/auth/login.py": "x = 2\n"}
    drive_by = approve("mallory", association="CONTRIBUTOR")
    found = run_check(ReviewCheck(), BASE_FILES, {**BASE_FILES, **head}, CONFIG, pr=pr(drive_by))
    assert [f.rule for f in found] == ["sensitive-path-unapproved"]
    assert "not counted: mallory (CONTRIBUTOR)" in found[0].message
    assert "checks.review.approvers" in found[0].message
    for trusted in ("OWNER", "MEMBER", "COLLABORATOR"):
        assert rules(head, pr(approve("bob", association=trusted))) == []
    # a login the policy lists counts whatever GitHub says of them
    listed = {**CONFIG, "approvers": ["mallory"]}
    assert rules(head, pr(drive_by), listed) == []
