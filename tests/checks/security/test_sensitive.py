"""The sensitive-code part: changes under sensitive paths need a human's review."""

from __future__ import annotations

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Level

from .helpers import rules, run_part, where


def test_a_change_under_a_default_sensitive_path_needs_review() -> None:
    head = {"src/app/auth/login.py": "x = 2\n", "src/app/views.py": "y = 1\n"}
    found = run_part("sensitive", {"src/app/auth/login.py": "x = 1\n"}, head)
    assert rules(found) == ["sensitive-change"]
    assert where(found) == [("src/app/auth/login.py", None)]
    assert found[0].level is Level.WARNING
    assert "pending (no pull request to read reviews from)" in found[0].message
    assert "(**/auth/**)" in found[0].message


def test_with_a_pull_request_the_finding_waits_for_an_approval() -> None:
    found = run_part(
        "sensitive", {}, {"migrations/0002.sql": "select 1;\n"}, pr=PullRequest(number=7)
    )
    assert "pending until a human approves the pull request" in found[0].message


def test_the_policy_names_the_sensitive_paths() -> None:
    head = {"billing/charge.py": "x\n", "src/auth/x.py": "y\n"}
    assert where(run_part("sensitive", {}, head, ["billing/**"])) == [("billing/charge.py", None)]
    assert where(run_part("sensitive", {}, head, {"paths": ["billing/**"], "level": "block"})) == [
        ("billing/charge.py", None)
    ]
    assert run_part("sensitive", {}, head, []) == []
    assert run_part("sensitive", {}, head, False) == []


def test_a_deleted_or_renamed_sensitive_file_still_needs_review() -> None:
    found = run_part("sensitive", {"lib/crypto/aes.py": "x\n"}, {"lib/other.py": "y\n"})
    assert rules(found) == ["sensitive-change"]


def test_a_level_can_make_it_block() -> None:
    found = run_part("sensitive", {}, {"auth/x.py": "x\n"}, {"level": "block"})
    assert found[0].level is Level.ERROR


def test_the_checks_paths_and_exclude_narrow_it() -> None:
    from gatekeeper.checks.security import SecurityCheck
    from gatekeeper.testing import changeset, context

    from .helpers import only

    changes = changeset({}, {"a/auth/x.py": "x\n", "b/auth/y.py": "y\n", "c/auth/z.py": "z\n"})
    ctx = context(changes, only("sensitive"))
    ctx.paths, ctx.exclude = ("a/**", "b/**"), ("b/**",)
    assert where(list(SecurityCheck().run(ctx))) == [("a/auth/x.py", None)]


def test_a_human_approval_on_the_head_commit_satisfies_it() -> None:
    from gatekeeper.changes.pullrequest import Review

    approved = PullRequest(
        number=7, author="dev", head_sha="h1", reviews=(Review("lead", "APPROVED", commit_id="h1"),)
    )
    found = run_part("sensitive", {}, {"migrations/0002.sql": "select 1;\n"}, pr=approved)
    assert found == []


def test_many_files_in_one_sensitive_area_give_one_finding() -> None:
    head = {f"db/migrations/{n:04d}_x.sql": "select 1;\n" for n in range(8)}
    found = run_part("sensitive", {}, head)
    assert rules(found) == ["sensitive-change"]
    assert found[0].message.startswith("8 files (db/migrations/0000_x.sql, ")
    assert "and 3 more) are under a sensitive path (**/migrations/**) and need a human's" in (
        found[0].message
    )
