"""ChangeSet from real git repositories: statuses, kinds, modes, bases, shallow clones."""

from __future__ import annotations

import gc
import os
import subprocess
import threading
from pathlib import Path

import pytest

from gatekeeper.changes import ChangeSet, FileKind, FileStatus
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.changes.git import default_branch, find_repo_root, merge_base, resolve_commit
from gatekeeper.changes.trees import BlobReader, GitTree
from gatekeeper.errors import GitError, UsageError
from tests.conftest import GitRepo

LINES = "".join(f"line {i}\n" for i in range(1, 21))


def build(repo: GitRepo, base: str, head: str | None = None, **kw: object) -> ChangeSet:
    return changeset_from_git(repo.root, base, head, **kw)  # type: ignore[arg-type]


def reader_of(cs: ChangeSet) -> BlobReader:
    tree = cs.base_tree
    assert isinstance(tree, GitTree)
    return tree._reader


# --- statuses -------------------------------------------------------------------------


def test_added_modified_deleted(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": LINES, "gone.txt": "x\ny\n", "keep.md": "same\n"})
    head = git_repo.commit(
        {
            "a.py": LINES.replace("line 5\n", "five\n") + "line 21\n",
            "gone.txt": None,
            "new.py": "1\n2\n",
        }
    )
    with build(git_repo, base, head) as cs:
        assert [f.path for f in cs] == ["a.py", "gone.txt", "new.py"]
        a, gone, new = cs.files
        assert (a.status, a.added, a.deleted_count) == (FileStatus.MODIFIED, ((5, 5), (21, 21)), 1)
        assert (gone.status, gone.added, gone.deleted_count) == (FileStatus.DELETED, (), 2)
        assert (new.status, new.added, new.size) == (FileStatus.ADDED, ((1, 2),), 4)
        assert cs.base == base and cs.head == head
        assert cs.get("keep.md") is None
        assert cs.text_at_base("gone.txt") == "x\ny\n" and cs.text_at_head("gone.txt") is None
        assert cs.text_at_head("keep.md") == "same\n"  # unchanged files read too


def test_rename_with_edits_keeps_old_path_and_only_edited_lines(git_repo: GitRepo) -> None:
    base = git_repo.commit({"old/name.py": LINES})
    head = git_repo.commit({"old/name.py": None, "new/name.py": LINES.replace("line 7", "seven")})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.path, f.old_path, f.status) == ("new/name.py", "old/name.py", FileStatus.RENAMED)
        assert f.added == ((7, 7),) and f.deleted_count == 1
        assert cs.base_path_of("new/name.py") == "old/name.py"
        assert cs.text_at_base("old/name.py") == LINES
        assert cs.matching(["old/**"]) == (f,)


def test_user_diff_config_cannot_change_the_result(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": LINES, "run.sh": "echo\n"})
    head = git_repo.commit({"a.py": LINES.replace("line 3\n", "3\n").replace("line 6\n", "6\n")})
    (git_repo.root / "run.sh").chmod(0o755)
    head = git_repo.commit({})
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.interHunkContext", "10"),
        ("diff.context", "8"),
        ("diff.submodule", "log"),
        ("diff.renames", "false"),
        ("color.ui", "always"),
        ("diff.external", "false"),
        ("core.quotePath", "true"),
    ]:
        git_repo.git("config", key, value)
    with build(git_repo, base, head) as cs:
        assert [(f.path, f.status, f.added, f.deleted_count) for f in cs] == [
            ("a.py", FileStatus.MODIFIED, ((3, 3), (6, 6)), 2),
            ("run.sh", FileStatus.MODIFIED, (), 0),  # a mode change alone adds no line
        ]


def test_a_copy_is_a_new_file_every_line_added(git_repo: GitRepo) -> None:
    # git -C would pair it with src.py and call none of its lines added: code copied into
    # a new place would then escape every check that reads added lines
    base = git_repo.commit({"src.py": LINES})
    head = git_repo.commit({"src.py": LINES + "more\n", "copy.py": LINES})
    with build(git_repo, base, head) as cs:
        copy = cs.get("copy.py")
        assert copy is not None and copy.status is FileStatus.ADDED
        assert copy.old_path is None
        assert copy.added == ((1, LINES.count("\n")),)


def test_type_change_file_to_symlink(git_repo: GitRepo) -> None:
    base = git_repo.commit({"target.txt": "t\n", "link": "plain\n"})
    (git_repo.root / "link").unlink()
    os.symlink("target.txt", git_repo.root / "link")
    head = git_repo.commit({})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        # a symlink to a file in the repository reads as that file, every line new
        assert (f.status, f.kind, f.added) == (FileStatus.TYPE_CHANGED, FileKind.TEXT, ((1, 1),))
        assert (f.link_target, f.link_outside) == ("target.txt", False)
        assert cs.bytes_at_head("link") == b"t\n"
        assert cs.bytes_at_base("link") == b"plain\n"


def test_empty_diff(git_repo: GitRepo) -> None:
    sha = git_repo.commit({"a.txt": "a\n"})
    with build(git_repo, sha, sha) as cs:
        assert len(cs) == 0 and cs.files == ()
        assert not reader_of(cs).running  # nothing changed, nothing read


# --- kinds ----------------------------------------------------------------------------


def test_binary_file(git_repo: GitRepo) -> None:
    base = git_repo.commit({"keep.txt": "k\n"})
    head = git_repo.commit({"img.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.kind, f.added, f.is_text) == (FileKind.BINARY, (), False)
        assert cs.text_at_head("img.png") is None
        assert cs.bytes_at_head(
            "img.png",
        ).startswith(b"\x89PNG")


def test_50_mb_file_is_too_large_and_never_read(git_repo: GitRepo) -> None:
    base = git_repo.commit({"small.txt": "s\n"})
    with open(git_repo.root / "huge.log", "wb") as fh:  # sparse: fast to make
        fh.seek(50 * 1024 * 1024)
        fh.write(b"tail\n")
    head = git_repo.commit({})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.kind, f.size, f.added) == (FileKind.TOO_LARGE, 50 * 1024 * 1024 + 5, ())
        assert not reader_of(cs).running  # its size came from batch-check; no blob was read
        assert cs.text_at_head("huge.log") is None
        assert not reader_of(cs).running  # the known size short-circuits the text read


def test_max_file_bytes_is_the_limit(git_repo: GitRepo) -> None:
    base = git_repo.commit({})
    head = git_repo.commit({"a.txt": "x" * 100 + "\n"})
    with build(git_repo, base, head, max_file_bytes=50) as cs:
        assert cs.files[0].kind is FileKind.TOO_LARGE
    with build(git_repo, base, head, max_file_bytes=500) as cs:
        assert cs.files[0].kind is FileKind.TEXT


def test_non_utf8_file_is_undecodable_but_keeps_its_lines(git_repo: GitRepo) -> None:
    base = git_repo.commit({"legacy.txt": "a\n"})
    head = git_repo.commit({"legacy.txt": "a\ncaf\xe9\n".encode("latin-1")})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.kind, f.added) == (FileKind.UNDECODABLE, ((2, 2),))
        assert cs.text_at_head("legacy.txt") is None
        assert cs.bytes_at_head("legacy.txt") == b"a\ncaf\xe9\n"


def test_paths_with_spaces_unicode_and_newlines(git_repo: GitRepo) -> None:
    base = git_repo.commit({"docs/read me.md": "a\n"})
    names = [
        "docs/read me.md",
        "données/été ünï.txt",
        "odd\nname.txt",
        'q"uote\\d.txt',
        "tab\there",
    ]
    head = git_repo.commit({n: f"{n!r}\nsecond\n" for n in names})
    with build(git_repo, base, head) as cs:
        assert [f.path for f in cs] == sorted(names)
        for name in names:
            f = cs.get(name)
            assert f is not None and f.kind is FileKind.TEXT, name
            assert cs.text_at_head(name) == f"{name!r}\nsecond\n"
        assert cs.added_lines("docs/read me.md") == {1, 2}
        assert cs.added_lines("odd\nname.txt") == {1, 2}
        assert cs.added_lines('q"uote\\d.txt') == {1, 2}
        assert "odd\nname.txt" in cs.head_paths()


def test_submodule(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.txt": "a\n"})
    fake_commit = "1" * 40  # a gitlink needs no object behind it
    git_repo.git("update-index", "--add", "--cacheinfo", f"160000,{fake_commit},vendor/lib")
    git_repo.git("commit", "-q", "-m", "submodule")
    head = git_repo.git("rev-parse", "HEAD").strip()
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.path, f.status, f.kind, f.added) == (
            "vendor/lib",
            FileStatus.ADDED,
            FileKind.SUBMODULE,
            (),
        )
        assert cs.bytes_at_head("vendor/lib") is None


def test_real_submodule_in_commits_and_worktree_modes(git_repo: GitRepo, tmp_path: Path) -> None:
    lib = GitRepo(tmp_path / "lib")
    first = lib.commit({"lib.py": "v1\n"})
    second = lib.commit({"lib.py": "v2\n"})
    base = git_repo.commit({"a.txt": "a\n"})
    git_repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib.root), "lib")
    git_repo.git("-C", "lib", "checkout", "-q", first)
    head = git_repo.commit({})
    with build(git_repo, base, head) as cs:
        assert {f.path: f.kind for f in cs} == {
            ".gitmodules": FileKind.TEXT,
            "lib": FileKind.SUBMODULE,
        }
    git_repo.git("-C", "lib", "checkout", "-q", second)  # the submodule moves, uncommitted
    with build(git_repo, head, mode="worktree") as cs:
        (f,) = cs.files
        assert (f.path, f.status, f.kind, f.size) == (
            "lib",
            FileStatus.MODIFIED,
            FileKind.SUBMODULE,
            0,
        )


def test_construction_never_lists_the_repository(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git_repo.commit({f"d{i}/f{i}.py": f"{i}\n" for i in range(30)})
    head = git_repo.commit({"d1/f1.py": "changed\n", "new.py": "n\n"})
    seen: list[tuple[str, ...]] = []
    import gatekeeper.changes.build as build_module
    import gatekeeper.changes.trees as trees_module

    real = trees_module.run_git

    def recording(root: Path, *args: str, **kw: object) -> object:
        seen.append(args)
        return real(root, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "run_git", recording)
    monkeypatch.setattr(trees_module, "run_git", recording)
    with build(git_repo, base, head) as cs:
        assert len(cs) == 2
        assert not [a for a in seen if a[0] in ("ls-tree", "ls-files")]
        cs.head_paths()
        cs.head_paths()  # cached: listed once
    assert [a[0] for a in seen].count("ls-tree") == 1


def test_symlink_added(git_repo: GitRepo) -> None:
    base = git_repo.commit({"real.txt": "r\n"})
    os.symlink("/etc/passwd", git_repo.root / "escape")
    head = git_repo.commit({})
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.kind, f.status) == (FileKind.SYMLINK, FileStatus.ADDED)
        assert cs.bytes_at_head("escape") == b"/etc/passwd"  # the link, never its target


# --- modes ----------------------------------------------------------------------------


def test_worktree_mode_includes_untracked_not_ignored(git_repo: GitRepo) -> None:
    base = git_repo.commit({".gitignore": "*.log\n", "a.py": "a\n", "b.py": "b\n"})
    git_repo.write(
        {"a.py": "a\nmore\n", "b.py": None, "new.py": "n\n", "debug.log": "x\n", "bin.dat": b"\0\1"}
    )
    os.symlink("a.py", git_repo.root / "ln")
    with build(git_repo, base, mode="worktree") as cs:
        assert cs.head == "worktree"
        got = {f.path: (f.status, f.kind, f.added) for f in cs}
        assert got == {
            "a.py": (FileStatus.MODIFIED, FileKind.TEXT, ((2, 2),)),
            "b.py": (FileStatus.DELETED, FileKind.TEXT, ()),
            "new.py": (FileStatus.ADDED, FileKind.TEXT, ((1, 1),)),
            "bin.dat": (FileStatus.ADDED, FileKind.BINARY, ()),
            "ln": (FileStatus.ADDED, FileKind.TEXT, ((1, 2),)),  # read as a.py
        }
        assert cs.bytes_at_head("ln") == b"a\nmore\n"
        assert cs.text_at_head("a.py") == "a\nmore\n"
        assert cs.text_at_base("b.py") == "b\n" and cs.bytes_at_head("b.py") is None
        assert cs.head_paths() == [".gitignore", "a.py", "bin.dat", "ln", "new.py"]  # no .log


def test_worktree_file_removed_from_index_but_on_disk_is_one_entry(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": "1\n2\n"})
    git_repo.git("rm", "-q", "--cached", "a.py")
    git_repo.write({"a.py": "1\n2\n3\n"})
    with build(git_repo, base, mode="worktree") as cs:
        assert [(f.path, f.status, f.added, f.deleted_count) for f in cs] == [
            ("a.py", FileStatus.MODIFIED, ((1, 3),), 2)
        ]


def test_worktree_mode_kinds_on_disk(git_repo: GitRepo) -> None:
    base = git_repo.commit({"t.txt": "t\n", "big.txt": "b\n"})
    git_repo.write(
        {"t.txt": b"caf\xe9\n", "big.txt": "b" * 200, "u.txt": b"\xff\n", "huge": "h" * 200}
    )
    (git_repo.root / "nested").mkdir()
    subprocess.run(["git", "init", "-q"], cwd=git_repo.root / "nested", check=True)
    with build(git_repo, base, mode="worktree", max_file_bytes=100) as cs:
        kinds = {f.path: f.kind for f in cs}
        assert kinds == {
            "t.txt": FileKind.UNDECODABLE,
            "big.txt": FileKind.TOO_LARGE,
            "u.txt": FileKind.UNDECODABLE,
            "huge": FileKind.TOO_LARGE,
            "nested": FileKind.SUBMODULE,
        }


def test_index_mode_sees_staged_only(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": "a\n", "b.py": "b\n"})
    git_repo.write({"a.py": "a\nstaged\n", "new.py": "n\n"})
    git_repo.git("add", "a.py", "new.py")
    git_repo.write({"a.py": "a\nstaged\nunstaged\n", "b.py": "b\nunstaged\n"})
    with build(git_repo, "HEAD", mode="index") as cs:
        assert cs.base == base and cs.head == "index"
        assert [(f.path, f.added) for f in cs] == [("a.py", ((2, 2),)), ("new.py", ((1, 1),))]
        assert cs.text_at_head("a.py") == "a\nstaged\n"
        assert cs.text_at_head("b.py") == "b\n"  # unchanged in the index: read from it
        assert cs.head_paths() == ["a.py", "b.py", "new.py"]


def test_index_mode_before_the_first_commit(git_repo: GitRepo) -> None:
    git_repo.write({"first.py": "1\n2\n"})
    git_repo.git("add", "first.py")
    with changeset_from_git(git_repo.root, mode="index") as cs:
        assert [(f.path, f.status, f.added) for f in cs] == [
            ("first.py", FileStatus.ADDED, ((1, 2),))
        ]
        assert cs.base_paths() == []


def test_bad_mode_and_head_with_worktree_are_usage_errors(git_repo: GitRepo) -> None:
    git_repo.commit({"a": "a\n"})
    with pytest.raises(UsageError, match="unknown ChangeSet mode 'tree'"):
        changeset_from_git(git_repo.root, "HEAD", mode="tree")
    with pytest.raises(UsageError, match="max_file_bytes must be a positive"):
        changeset_from_git(git_repo.root, "HEAD", max_file_bytes=0)
    with pytest.raises(UsageError, match="do not pass a head"):
        changeset_from_git(git_repo.root, "HEAD", "HEAD", mode="worktree")


# --- base and head --------------------------------------------------------------------


def test_default_base_is_merge_base_with_main(git_repo: GitRepo) -> None:
    git_repo.commit({"a.txt": "1\n"})
    fork = git_repo.commit({"a.txt": "2\n"})
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit({"feature.txt": "f\n"})
    git_repo.git("checkout", "-q", "main")
    git_repo.commit({"main-only.txt": "m\n"})
    git_repo.git("checkout", "-q", "feature")
    assert default_branch(git_repo.root) == "refs/heads/main"
    with changeset_from_git(git_repo.root) as cs:
        assert cs.base == fork
        assert [f.path for f in cs] == ["feature.txt"]  # main's own commit is not in it


def test_default_branch_prefers_origin_head(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit({"a": "a\n"})
    git_repo.git("branch", "-m", "main", "trunk")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(git_repo.root), str(clone)], check=True)
    assert default_branch(clone) == "refs/remotes/origin/trunk"


def test_no_default_branch_asks_for_base(git_repo: GitRepo) -> None:
    git_repo.commit({"a": "a\n"})
    git_repo.git("branch", "-m", "main", "trunk")
    with pytest.raises(GitError, match=r"pass the base revision explicitly \(--base\)"):
        changeset_from_git(git_repo.root)


def test_unrelated_histories_have_no_default_base(git_repo: GitRepo) -> None:
    git_repo.commit({"a": "a\n"})
    git_repo.git("checkout", "-q", "--orphan", "other")
    git_repo.commit({"b": "b\n"})
    assert merge_base(git_repo.root, "main", "other") is None
    with pytest.raises(GitError, match="no common ancestor"):
        changeset_from_git(git_repo.root)


def test_base_may_be_branch_tag_or_short_sha(git_repo: GitRepo) -> None:
    first = git_repo.commit({"a": "a\n"})
    git_repo.git("tag", "v1")
    git_repo.commit({"a": "b\n"})
    for rev in ("v1", first[:8], "HEAD~1", first):
        with changeset_from_git(git_repo.root, rev) as cs:
            assert cs.base == first and [f.path for f in cs] == ["a"]


def test_unknown_base_names_it(git_repo: GitRepo) -> None:
    git_repo.commit({"a": "a\n"})
    with pytest.raises(GitError, match="unknown revision 'no-such-branch'"):
        changeset_from_git(git_repo.root, "no-such-branch")
    with pytest.raises(GitError, match="unknown revision '--output=x'"):
        changeset_from_git(git_repo.root, "--output=x")  # never read as an option
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        changeset_from_git(git_repo.root, "HEAD", "nope")
    missing = "ab" * 20
    with pytest.raises(GitError, match=f"unknown revision '{missing}'"):
        changeset_from_git(git_repo.root, missing)  # no origin to fetch from


def test_resolve_commit_peels_tags(git_repo: GitRepo) -> None:
    sha = git_repo.commit({"a": "a\n"})
    git_repo.git("tag", "-a", "-m", "annotated", "v2")
    assert resolve_commit(git_repo.root, "v2") == sha


# --- shallow clones -------------------------------------------------------------------


def _shallow_clone(source: GitRepo, dest: Path, *extra: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", *extra, f"file://{source.root}", str(dest)],
        check=True,
    )
    return dest


def test_shallow_clone_fetches_missing_base(git_repo: GitRepo, tmp_path: Path) -> None:
    base = git_repo.commit({"a.txt": "1\n"})
    git_repo.commit({"a.txt": "1\n2\n", "b.txt": "b\n"})
    clone = _shallow_clone(git_repo, tmp_path / "shallow")
    with changeset_from_git(clone, base) as cs:
        assert cs.base == base
        assert [(f.path, f.added) for f in cs] == [("a.txt", ((2, 2),)), ("b.txt", ((1, 1),))]
        assert cs.text_at_base("a.txt") == "1\n"


def test_shallow_clone_without_fetch_names_fetch_depth(git_repo: GitRepo, tmp_path: Path) -> None:
    base = git_repo.commit({"a.txt": "1\n"})
    git_repo.commit({"a.txt": "2\n"})
    clone = _shallow_clone(git_repo, tmp_path / "shallow")
    with pytest.raises(GitError, match="fetch-depth: 0"):
        changeset_from_git(clone, base, fetch_missing=False)
    subprocess.run(
        ["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=clone, check=True
    )
    with pytest.raises(
        GitError, match=rf"base commit {base} is not in this shallow clone.*fetch-depth: 0"
    ):
        changeset_from_git(clone, base)
    with pytest.raises(GitError, match=r"unknown revision 'v9'.*fetch-depth: 0"):
        changeset_from_git(clone, "v9")


def test_full_clone_fetches_a_missing_base_and_stays_full(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.commit({"a.txt": "1\n"})
    clone = tmp_path / "full"
    subprocess.run(["git", "clone", "-q", f"file://{git_repo.root}", str(clone)], check=True)
    later = git_repo.commit({"a.txt": "1\n2\n"})  # pushed after the clone was made
    with changeset_from_git(clone, later) as cs:
        assert cs.base == later and [f.path for f in cs] == ["a.txt"]
    assert not (clone / ".git" / "shallow").exists()
    subprocess.run(
        ["git", "remote", "set-url", "origin", str(tmp_path / "gone")], cwd=clone, check=True
    )
    missing = "cd" * 20
    with pytest.raises(GitError, match=rf"base commit {missing} is not in this clone"):
        changeset_from_git(clone, missing)


def test_a_fetch_that_hangs_is_cut_off(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = git_repo.commit({"a.txt": "1\n"})
    git_repo.commit({"a.txt": "2\n"})
    clone = _shallow_clone(git_repo, tmp_path / "shallow")
    monkeypatch.setattr("gatekeeper.changes.git.FETCH_TIMEOUT", 1e-9)
    with pytest.raises(GitError, match=r"did not finish within.*fetch-depth: 0"):
        changeset_from_git(clone, base)


def test_shallow_clone_deepens_for_the_default_base(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.commit({"a.txt": "1\n"})
    fork = git_repo.commit({"a.txt": "2\n"})
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit({"f.txt": "f1\n"})
    git_repo.commit({"f.txt": "f1\nf2\n"})
    git_repo.git("checkout", "-q", "main")
    git_repo.commit({"m.txt": "m\n"})
    clone = _shallow_clone(git_repo, tmp_path / "shallow", "--no-single-branch", "-b", "feature")
    with changeset_from_git(clone) as cs:
        assert cs.base == fork
        assert [(f.path, f.added) for f in cs] == [("f.txt", ((1, 2),))]


# --- repository discovery and git itself ----------------------------------------------


def test_find_repo_root_from_subdir_and_file(git_repo: GitRepo) -> None:
    git_repo.commit({"src/pkg/mod.py": "x\n"})
    root = git_repo.root.resolve()
    assert find_repo_root(git_repo.root / "src" / "pkg") == root
    assert find_repo_root(git_repo.root / "src" / "pkg" / "mod.py") == root


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not inside a git working tree"):
        find_repo_root(tmp_path)
    with pytest.raises(GitError, match="does not exist"):
        changeset_from_git(tmp_path / "missing")


def test_git_not_installed(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(git_repo.root / "empty-bin"))
    with pytest.raises(GitError, match="git is not installed"):
        changeset_from_git(git_repo.root)


def test_dubious_ownership_says_what_to_run(
    git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to own a repository as another user")
    os.chown(git_repo.root, 12345, 12345)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(git_repo.root.parent))
    with pytest.raises(GitError, match=r"safe\.directory"):
        find_repo_root(git_repo.root)


# --- the cat-file process -------------------------------------------------------------


def test_reads_are_thread_safe_and_close_reaps_the_process(git_repo: GitRepo) -> None:
    files = {f"pkg/m{i}.py": f"value = {i}\n" * (i + 1) for i in range(40)}
    base = git_repo.commit({"x": "x\n"})
    head = git_repo.commit(files)
    cs = build(git_repo, base, head)
    errors: list[str] = []

    def worker() -> None:
        for path, text in sorted(files.items()):
            if cs.text_at_head(path) != text or cs.text_at_base(path) is not None:
                errors.append(path)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    reader = reader_of(cs)
    proc = reader._proc
    assert proc is not None and reader.running
    cs.close()
    assert proc.poll() is not None  # exited and reaped: no zombie
    cs.close()  # idempotent
    with pytest.raises(GitError, match="closed"):
        cs.bytes_at_head("x")


def test_a_forgotten_changeset_reaps_its_process_when_collected(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.txt": "a\n"})
    head = git_repo.commit({"a.txt": "b\n"})
    cs = build(git_repo, base, head)
    proc = reader_of(cs)._proc
    assert proc is not None and proc.poll() is None
    del cs
    gc.collect()
    assert proc.poll() is not None


def test_listing_waits_for_a_check_to_ask(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a/b.py": "1\n", "c.md": "c\n"})
    head = git_repo.commit({"a/new.py": "n\n", "c.md": None})
    with build(git_repo, base, head) as cs:
        assert isinstance(cs.head_tree, GitTree) and cs.head_tree._paths is None
        assert cs.head_paths(["**/*.py"]) == ["a/b.py", "a/new.py"]
        assert cs.base_paths() == ["a/b.py", "c.md"]


def test_paths_escaping_the_repo_are_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s\n")
    base = git_repo.commit({"a.txt": "a\n"})
    os.symlink(outside, git_repo.root / "linkdir")
    with build(git_repo, base, mode="worktree") as cs:
        for bad in ("../outside/secret.txt", "/etc/passwd", ""):
            with pytest.raises(GitError, match="refusing to read"):
                cs.bytes_at_head(bad)
            with pytest.raises(GitError, match="refusing to read"):
                cs.bytes_at_base(bad)
        assert cs.bytes_at_head("linkdir/secret.txt") is None  # never through a symlink
        assert cs.bytes_at_head("linkdir") == os.fsencode(outside)
        assert cs.bytes_at_head("no/such/file") is None
        assert cs.bytes_at_base("no/such/file") is None


def test_index_mode_with_unmerged_paths_says_what_to_do(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": "a\n"})
    blob = git_repo.git("hash-object", "-w", "a.py").strip()
    subprocess.run(
        ["git", "update-index", "--index-info"],
        cwd=git_repo.root,
        input=f"100644 {blob} 1\ta.py\n100644 {blob} 2\ta.py\n",
        text=True,
        check=True,
    )
    with pytest.raises(GitError, match="unmerged paths"):
        build(git_repo, base, mode="index")


def test_a_text_file_an_attribute_calls_binary_counts_whole(git_repo: GitRepo) -> None:
    base = git_repo.commit({"a.py": "1\n"})
    head = git_repo.commit({"a.py": "1\n2\n"})
    (git_repo.root / ".git" / "info").mkdir(exist_ok=True)
    (git_repo.root / ".git" / "info" / "attributes").write_text("*.py binary\n")
    with build(git_repo, base, head) as cs:
        (f,) = cs.files
        assert (f.kind, f.added) == (FileKind.TEXT, ((1, 2),))
