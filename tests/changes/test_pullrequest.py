"""changes/pullrequest.py: commit trailers, read leniently, from git or the API."""

from __future__ import annotations

from gatekeeper.changes.git import commit_messages
from gatekeeper.changes.pullrequest import PullRequest, parse_trailers, with_commits
from tests.conftest import GitRepo


def test_trailers_are_read_leniently() -> None:
    message = (
        "Fix: the subject is never a trailer\n\nBody\nCo-authored-by:Claude <c@x>\n"
        "see https://example.com\nhttps://example.com/x\n\nSigned-off-by :  Dev <d@x>\n"
    )
    assert parse_trailers(message) == ("Co-authored-by: Claude <c@x>", "Signed-off-by: Dev <d@x>")


def test_commits_of_a_real_repository_fill_the_pr(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a": "1\n"}, "base")
    git_repo.commit({"a": "2\n"}, "one\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    head = git_repo.commit({"a": "3\n"}, "two")
    pr = with_commits(PullRequest(), commit_messages(git_repo.root, base, head))
    assert pr.commit_trailers == ("Co-authored-by: Claude <noreply@anthropic.com>",)
    assert pr.commit_authors == ("Dev <dev@example.com>",)
    assert commit_messages(git_repo.root, base, "no-such-rev") == []
