"""newest_release: the newest release tag out when the change was made."""

from __future__ import annotations

import os
import subprocess

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.changes.releases import newest_release
from tests.conftest import GitRepo


def test_the_newest_tag_the_base_descends_from(git_repo: GitRepo) -> None:
    first = git_repo.commit({"a.txt": "1\n"})
    git_repo.git("tag", "v1.0.0", first)
    second = git_repo.commit({"a.txt": "2\n"})
    git_repo.git("tag", "v1.1.0", second)
    head = git_repo.commit({"a.txt": "3\n"})
    with changeset_from_git(git_repo.root, second, head) as cs:
        assert newest_release(cs) == "v1.1.0"
    with changeset_from_git(git_repo.root, first, head) as cs:
        assert newest_release(cs) == "v1.0.0"  # a tag after the base is not its release


def test_no_tag_means_no_release(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.txt": "1\n"})
    head = git_repo.commit({"a.txt": "2\n"})
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) is None


def test_git_is_asked_once_per_changeset(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.txt": "1\n"})
    head = git_repo.commit({"a.txt": "2\n"})
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) is None
        git_repo.git("tag", "v1.0.0", base)
        # a second asker (another spec, another check) gets the run's answer, not a new one
        assert newest_release(cs) is None
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) == "v1.0.0"


def _tag(repo: GitRepo, name: str, commit: str, when: str) -> None:
    """An annotated tag made at ``when`` (its creation date is what counts)."""
    env = {**os.environ, "GIT_COMMITTER_DATE": when}
    subprocess.run(
        ["git", "tag", "-a", name, "-m", name, commit], cwd=repo.root, env=env, check=True
    )


def _branch_release(repo: GitRepo) -> tuple[str, str]:
    """main with an old pre-release tag; a release branch cut from it and tagged there
    (Harbor's way); main moves on. Returns (base, head) on main."""
    first = repo.commit({"a.txt": "1\n"})
    _tag(repo, "v2.4.0-rc1", first, "2020-01-01T00:00:00")
    cut = repo.commit({"a.txt": "2\n"})
    repo.git("checkout", "-q", "-b", "release-2.12", cut)
    fix = repo.commit({"b.txt": "fix\n"})
    _tag(repo, "v2.12.0", fix, "2024-12-01T00:00:00")
    _tag(repo, "v2.12.1", fix, "2099-01-01T00:00:00")  # made after the change
    repo.git("checkout", "-q", "main")
    base = repo.commit({"a.txt": "3\n"})
    head = repo.commit({"a.txt": "4\n"})
    return base, head


def test_a_release_tagged_on_a_release_branch_counts(git_repo: GitRepo) -> None:
    base, head = _branch_release(git_repo)
    with changeset_from_git(git_repo.root, base, head) as cs:
        # not v2.4.0-rc1 (what git describe finds), not v2.12.1 (tagged after the change)
        assert newest_release(cs) == "v2.12.0"


def test_a_reachable_release_above_branch_tags_wins(git_repo: GitRepo) -> None:
    base, head = _branch_release(git_repo)
    _tag(git_repo, "v3.0.0", base, "2024-12-02T00:00:00")
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) == "v3.0.0"


def test_a_reachable_name_that_is_no_version_stands(git_repo: GitRepo) -> None:
    base, head = _branch_release(git_repo)
    git_repo.git("tag", "stable", base)
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) == "stable"


def test_a_hotfix_tag_of_an_old_version_is_not_the_newest(git_repo: GitRepo) -> None:
    # the number after "-hotfix-" is no version: v0.0.8-hotfix-1 is not above v0.68.1
    old = git_repo.commit({"a.txt": "1\n"})
    _tag(git_repo, "v0.0.8-hotfix-1", old, "2021-08-17T00:00:00")
    git_repo.git("checkout", "-q", "-b", "hotfix", old)
    fix = git_repo.commit({"b.txt": "fix\n"})
    _tag(git_repo, "v0.0.9-hotfix-2", fix, "2021-09-01T00:00:00")
    git_repo.git("checkout", "-q", "main")
    release = git_repo.commit({"a.txt": "2\n"})
    _tag(git_repo, "v0.68.1", release, "2024-12-01T00:00:00")
    base = git_repo.commit({"a.txt": "3\n"})
    head = git_repo.commit({"a.txt": "4\n"})
    with changeset_from_git(git_repo.root, base, head) as cs:
        assert newest_release(cs) == "v0.68.1"
