"""The cache of generated documents: where it may live, what its key holds, bad entries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.openapi.generate.cache import Cache, default_folder
from gatekeeper.checks.openapi.generate.config import Generator
from tests.conftest import GitRepo


def _changes(repo: GitRepo) -> ChangeSet:
    base = repo.commit({"a.txt": "a\n"}, "base")
    head = repo.commit({"a.txt": "b\n"}, "head")
    return changeset_from_git(repo.root, base, head)


def test_the_default_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GATEKEEPER_CACHE_DIR", str(tmp_path / "gk"))
    assert default_folder() == tmp_path / "gk" / "openapi"
    monkeypatch.delenv("GATEKEEPER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_folder() == tmp_path / "xdg" / "gatekeeper" / "openapi"


def test_entries_round_trip_and_bad_ones_are_misses(git_repo: GitRepo, tmp_path: Path) -> None:
    with _changes(git_repo) as changes:
        cache, why = Cache.open(changes, tmp_path / "c")
    assert cache is not None and not why
    assert oct(os.stat(tmp_path / "c").st_mode & 0o777) == oct(0o700)
    cache.put("k", b'{"openapi": "3.0.0"}\n', {"operations": []})
    assert cache.get("k") == (b'{"openapi": "3.0.0"}\n', {"operations": []})
    assert cache.hits == 1 and cache.stores == 1
    (tmp_path / "c" / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "c" / "nodoc.json").write_text('{"document": 3, "sources": {}}', encoding="utf-8")
    os.symlink(tmp_path / "c" / "k.json", tmp_path / "c" / "link.json")
    assert cache.get("broken") is None and cache.get("nodoc") is None
    assert cache.get("link") is None  # never read through a link
    assert cache.get("absent") is None


def test_the_key_changes_with_the_tree_and_the_generator(git_repo: GitRepo, tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    gen = Generator(name="openapi.json", framework="fastapi", app="a:app")
    assert cache.key("t1", gen) == cache.key(
        "t1", Generator(name="x", framework="fastapi", app="a:app", timeout=5)
    )
    assert cache.key("t1", gen) != cache.key("t2", gen)
    assert cache.key("t1", gen) != cache.key(
        "t1", Generator(name="openapi.json", framework="fastapi", app="b:app")
    )
    assert cache.key("t1", gen) != cache.key(
        "t1", Generator(name="o", framework="fastapi", app="a:app", env={"A": "1"})
    )
    other = Generator(name="o", framework="fastapi", app="a:app", python="/no/such/python")
    assert cache.key("t1", gen) != cache.key("t1", other)


def test_a_folder_others_may_write_or_a_link_is_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    with _changes(git_repo) as changes:
        shared = tmp_path / "shared"
        shared.mkdir()
        os.chmod(shared, 0o777)
        cache, why = Cache.open(changes, shared)
        assert cache is None and "others may write" in why
        real = tmp_path / "real"
        real.mkdir(mode=0o700)
        os.symlink(real, tmp_path / "link")
        cache, why = Cache.open(changes, tmp_path / "link")
        assert cache is None and "symbolic link" in why


def test_inside_the_repository_a_tracked_or_linked_folder_is_refused(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.commit({".gatekeeper/cache/openapi/planted.json": "{}"}, "a planted entry")
    with _changes(git_repo) as changes:
        cache, why = Cache.open(changes, git_repo.root / ".gatekeeper" / "cache" / "openapi")
        assert cache is None and "committed in git" in why
        os.symlink(tmp_path, git_repo.root / "elsewhere")
        cache, why = Cache.open(changes, git_repo.root / "elsewhere" / "openapi")
        assert cache is None and "symbolic link" in why
        cache, why = Cache.open(changes, git_repo.root / "untracked-cache")
        assert cache is not None, why
