"""newest_release: the last release tag the base commit descends from."""

from __future__ import annotations

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
