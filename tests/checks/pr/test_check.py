"""The pr check beyond the YAML rule cases: policy scoping and summaries."""

from __future__ import annotations

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.checks.pr.check import PullRequestCheck
from gatekeeper.testing import changeset, context

HEAD = {"src/a.py": "1\n2\n3\n", "vendor/lib.js": "1\n2\n3\n4\n5\n6\n"}


def test_policy_paths_and_exclude_scope_the_size_count() -> None:
    check = PullRequestCheck()
    pr = PullRequest(number=1, title="feat: x", body="Adds x.")
    ctx = context(changeset({}, HEAD), {"max_changed_lines": 4}, pr=pr)
    assert [f.rule for f in check.run(ctx)] == ["too-many-changed-lines"]
    ctx.exclude = ("vendor/**",)
    assert list(check.run(ctx)) == []
    assert ctx.summary == "all hygiene rules met"
    ctx.exclude, ctx.paths = (), ("src/**",)
    assert list(check.run(ctx)) == []


def test_a_local_run_says_what_it_skipped() -> None:
    ctx = context(changeset({}, HEAD), {"max_changed_lines": 100, "title_pattern": "^feat"})
    check = PullRequestCheck()
    assert check.applies(ctx)
    assert list(check.run(ctx)) == []
    assert ctx.summary.startswith("no pull-request metadata (local run)")
