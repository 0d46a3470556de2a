"""pipeline.py: where the policy comes from."""

from __future__ import annotations

from pathlib import Path

from gatekeeper.pipeline import repo_relative
from tests.conftest import GitRepo


def test_repo_relative_is_decided_top_down(git_repo: GitRepo, tmp_path: Path) -> None:
    root = git_repo.root
    (root / "self").symlink_to(root)  # a link back to the root must not shorten the path
    assert repo_relative(str(root / "self" / "p.yml"), root) == "self/p.yml"
    assert repo_relative(str(root / "a" / ".." / "b.yml"), root) == "b.yml"
    assert repo_relative(str(tmp_path / "x.yml"), root) is None
    assert repo_relative(str(root), root) is None
