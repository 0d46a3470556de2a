"""A revision written out to a folder: links kept inside it, size bound, tree ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.changes.export import ExportError, export_revision, tree_id
from tests.conftest import GitRepo


def test_files_and_inner_links_are_written_and_outer_links_skipped(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write({"app/main.py": "x = 1\n", "app/sub/__init__.py": ""})
    os.symlink("main.py", git_repo.root / "app" / "alias.py")
    os.symlink("/etc/passwd", git_repo.root / "passwd")
    os.symlink("../../outside", git_repo.root / "app" / "up")
    sha = git_repo.commit({}, "tree")
    dest = tmp_path / "out"
    dest.mkdir()
    tree = tree_id(git_repo.root, sha)
    assert tree is not None
    export_revision(git_repo.root, tree, dest, timeout=60)
    assert (dest / "app" / "main.py").read_text() == "x = 1\n"
    assert os.readlink(dest / "app" / "alias.py") == "main.py"
    assert not os.path.lexists(dest / "passwd") and not os.path.lexists(dest / "app" / "up")


def test_a_revision_over_the_limit_is_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    sha = git_repo.commit({"big.txt": "x" * 5000}, "big")
    tree = tree_id(git_repo.root, sha)
    assert tree is not None
    with pytest.raises(ExportError, match="larger than"):
        export_revision(git_repo.root, tree, tmp_path, timeout=60, limit=1000)


def test_tree_ids_for_commits_the_index_and_the_worktree(git_repo: GitRepo) -> None:
    sha = git_repo.commit({"a.txt": "a\n"}, "one")
    tree = git_repo.git("rev-parse", f"{sha}^{{tree}}").strip()
    assert tree_id(git_repo.root, sha) == tree
    assert tree_id(git_repo.root, "index") == tree  # nothing staged beyond the commit
    assert tree_id(git_repo.root, "worktree") is None
    with pytest.raises(ExportError, match="cannot find the tree"):
        tree_id(git_repo.root, "0" * 40)


def test_a_git_failure_is_reported(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit({"a.txt": "a\n"}, "one")
    with pytest.raises(ExportError, match="git archive"):
        export_revision(git_repo.root, "f" * 40, tmp_path, timeout=60)
