"""Fetching the PR's head into a checkout that lacks it (shallow, or pull_request_target)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from gatekeeper.github.checkout import ensure_commit
from tests.conftest import GitRepo


def upstream_with_a_pr(git_repo: GitRepo) -> tuple[str, str]:
    """A repository whose PR head lives only under refs/pull/7/head, as on GitHub."""
    base = git_repo.commit({"README.md": "a\n"}, "base")
    git_repo.git("checkout", "-q", "-b", "fork-branch")
    head = git_repo.commit({"README.md": "b\n"}, "pr")
    git_repo.git("update-ref", "refs/pull/7/head", head)
    git_repo.git("checkout", "-q", "main")
    git_repo.git("branch", "-q", "-D", "fork-branch")
    return base, head


def clone(source: GitRepo, dest: Path) -> Path:
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "main",
            f"file://{source.root}",
            str(dest),
        ],
        check=True,
        capture_output=True,
    )
    return dest


def has(root: Path, sha: str) -> bool:
    done = subprocess.run(
        ["git", "cat-file", "-e", f"{sha}^{{commit}}"], cwd=root, capture_output=True, check=False
    )
    return done.returncode == 0


def test_missing_head_is_fetched_from_the_pull_ref(git_repo: GitRepo, tmp_path: Path) -> None:
    _, head = upstream_with_a_pr(git_repo)
    checkout = clone(git_repo, tmp_path / "checkout")
    assert not has(checkout, head)
    logs: list[str] = []
    assert ensure_commit(checkout, head, 7, logs.append)
    assert has(checkout, head)
    assert logs and logs[0].startswith(f"gatekeeper: fetched the head commit {head[:12]}")


def test_present_head_needs_no_fetch(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a": "1\n"})
    logs: list[str] = []
    assert ensure_commit(git_repo.root, base, 7, logs.append) and logs == []
    assert ensure_commit(git_repo.root, "", None, logs.append)


def test_unfetchable_head_says_what_to_set(git_repo: GitRepo, tmp_path: Path) -> None:
    upstream_with_a_pr(git_repo)
    checkout = clone(git_repo, tmp_path / "checkout")
    logs: list[str] = []
    assert not ensure_commit(checkout, "e" * 40, 8, logs.append)
    assert "fetch-depth: 0" in logs[-1]
    assert not ensure_commit(tmp_path / "not-a-repo", "e" * 40, None, logs.append)
