"""The ChangeSet API over in-memory and git trees: lookups, text reads, closing."""

from __future__ import annotations

from pathlib import Path

import pytest

from gatekeeper.changes import ChangedFile, ChangeSet, FileKind, FileStatus
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.changes.git import check_path, run_git
from gatekeeper.changes.trees import BlobReader, GitTree, WorktreeTree
from gatekeeper.errors import GitError
from gatekeeper.testing import MemoryTree, changeset
from tests.conftest import GitRepo


def test_changed_file_line_helpers() -> None:
    f = ChangedFile("a.py", FileStatus.MODIFIED, added=((2, 3), (7, 7)))
    assert f.added_count == 3 and f.added_lines() == {2, 3, 7} and f.is_text
    assert not ChangedFile("b.bin", FileStatus.ADDED, FileKind.BINARY).is_text


def test_lookups_matching_and_paths() -> None:
    cs = changeset(
        {"src/old.py": "a\nb\n", "docs/x.md": "x\n", "gone.sql": "drop\n"},
        {"src/new.py": "a\nb\nc\n", "docs/x.md": "x\ny\n", "keep.txt": "k\n"},
        renames={"src/old.py": "src/new.py"},
    )
    assert [f.path for f in cs] == ["docs/x.md", "gone.sql", "keep.txt", "src/new.py"]
    assert len(cs) == 4 and cs.get("nope") is None
    assert cs.added_lines("src/new.py") == {3} and cs.added_lines("nope") == frozenset()
    assert [f.path for f in cs.matching(["src/old.py"])] == ["src/new.py"]  # by old path
    assert [f.path for f in cs.matching(["*.sql"])] == ["gone.sql"]
    assert cs.matching(["*.sql"], include_deleted=False) == ()
    assert [f.path for f in cs.matching(["**"], exclude=["docs/**", "*.sql"])] == [
        "keep.txt",
        "src/new.py",
    ]
    assert cs.base_path_of("src/new.py") == "src/old.py" and cs.base_path_of("x") == "x"
    assert cs.head_paths(["**/*.py"]) == ["src/new.py"]
    assert cs.base_paths() == ["docs/x.md", "gone.sql", "src/old.py"]


def test_the_base_read_as_the_head_names_it() -> None:
    cs = changeset(
        {"db/old.sql": "create\n", "keep.sql": "k\n"},
        {"sql/new.sql": "create\nmore\n", "keep.sql": "k2\n"},
        renames={"db/old.sql": "sql/new.sql"},
    )
    view = cs.renames_undone_at_base()
    assert view.text_at_base("sql/new.sql") == "create\n"  # the moved file, as it was
    assert view.text_at_base("keep.sql") == "k\n" and view.text_at_base("db/old.sql") is None
    assert view.base_paths() == ["keep.sql", "sql/new.sql"]
    assert view.text_at_head("sql/new.sql") == "create\nmore\n"
    view.close()  # closes nothing of the change it came from
    assert cs.text_at_base("db/old.sql") == "create\n" and cs.text_at_base("sql/new.sql") is None
    plain = changeset({"a.sql": "x\n"}, {"a.sql": "y\n"})
    assert plain.renames_undone_at_base() is plain


def test_a_view_with_other_added_lines_shares_the_facts() -> None:
    cs = changeset({"a.sql": "x\ny\n", "b.sql": "k\n"}, {"a.sql": "x\nz\n", "b.sql": "k2\n"})
    found = cs.fact("n", lambda: 1)
    view = cs.with_added("a.sql", ((1, 2),))
    assert view.added_lines("a.sql") == {1, 2} and cs.added_lines("a.sql") == {2}
    assert view.added_lines("b.sql") == cs.added_lines("b.sql") == {1}
    assert view.fact("n", lambda: 2) == found  # the same trees: what was found holds
    edited = view.get("a.sql")
    assert edited is not None and edited.status is FileStatus.MODIFIED


def test_text_reads_refuse_binary_large_and_non_utf8() -> None:
    cs = changeset({}, {"b.bin": b"\0\1", "l.txt": "x" * 20, "u.txt": b"\xff", "t.txt": "ok"})
    cs.max_file_bytes = 10
    assert cs.text_at_head("b.bin") is None and cs.bytes_at_head("b.bin") == b"\0\1"
    assert cs.text_at_head("l.txt") is None
    assert cs.text_at_head("u.txt") is None
    assert cs.text_at_head("t.txt") == "ok"
    assert cs.text_at_base("t.txt") is None and cs.bytes_at_base("t.txt") is None


class SizedTree(MemoryTree):
    """A tree that knows sizes without reading, and counts reads."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__(files)
        self.reads = 0
        self.closed = False

    def read(self, path: str) -> bytes | None:
        self.reads += 1
        return super().read(path)

    def size(self, path: str) -> int | None:
        data = super().read(path)
        return None if data is None else len(data)

    def close(self) -> None:
        self.closed = True


def test_known_sizes_skip_reading_and_close_reaches_trees() -> None:
    base, head = SizedTree({"big": b"x" * 100}), SizedTree({"big": b"y" * 100, "s": b"s"})
    cs = ChangeSet(Path("."), "b", "h", (), base, head, max_file_bytes=10)
    assert cs.text_at_head("big") is None and cs.text_at_base("big") is None
    assert head.reads == 0 and base.reads == 0
    assert cs.text_at_head("s") == "s" and head.reads == 1
    with cs:
        pass
    assert base.closed and head.closed
    plain = changeset({}, {"a": "a"})
    plain.close()  # trees without close() are fine


def test_git_tree_reads_by_known_sha_rev_path_and_newline_path(git_repo: GitRepo) -> None:
    sha = git_repo.commit(
        {"a.txt": "a\n", "dir/b.txt": "b\n", "n\nl.txt": "nl\n", " lead and trail ": "spaces\n"}
    )
    reader = BlobReader(git_repo.root)
    blob = run_git(git_repo.root, "rev-parse", f"{sha}:a.txt").stdout.decode().strip()
    tree = GitTree(git_repo.root, reader, sha, {"renamed.txt": (blob, 2)})
    try:
        assert tree.read("renamed.txt") == b"a\n" and tree.size("renamed.txt") == 2
        assert tree.size("a.txt") is None
        assert tree.read("dir/b.txt") == b"b\n"
        assert tree.read(" lead and trail ") == b"spaces\n"  # whole line is the name
        assert tree.read("dir") is None  # a tree, not a blob
        assert tree.read("n\nl.txt") == b"nl\n"
        assert tree.read("no\nsuch") is None
        assert list(tree.paths()) == [" lead and trail ", "a.txt", "dir/b.txt", "n\nl.txt"]
        with pytest.raises(ValueError, match="newlines"):
            reader.read("x\ny")
    finally:
        tree.close()
    assert not reader.running


def test_base_files_containing_searches_the_base_commit_by_whole_word(git_repo: GitRepo) -> None:
    base = git_repo.commit(
        {
            "app/settings.py": "URL = getenv('SERVICE_URL')\n",
            "app/other.py": "X = 'SERVICE_URL_OLD'\n",  # not the whole word
            "docs/notes.md": "service_url\n",
            "bin.dat": b"SERVICE_URL\0\1",
        }
    )
    head = git_repo.commit({"app/new.py": "pass\n"})
    with changeset_from_git(git_repo.root, base, head) as changes:
        assert changes.base_files_containing(["SERVICE_URL"]) == [
            "app/settings.py",
            "docs/notes.md",
        ]
        assert changes.base_files_containing(["SERVICE_URL"], ["*.py"]) == ["app/settings.py"]
        assert changes.base_files_containing(["NOWHERE"]) == []
        assert changes.base_files_containing([]) == []
    memory = changeset({"a.py": "SERVICE_URL\n", "b.md": "Service_Url\n"}, {"c.py": "x\n"})
    assert memory.base_files_containing(["service_url"], ["*.py"]) == ["a.py"]


def test_grep_that_git_cannot_answer_is_none(git_repo: GitRepo) -> None:
    git_repo.commit({"a.txt": "a\n"})
    reader = BlobReader(git_repo.root)
    tree = GitTree(git_repo.root, reader, "0" * 40)  # a commit this clone does not have
    assert tree.grep(["a"], ["*"]) is None


def test_worktree_tree_sizes_and_listing(git_repo: GitRepo) -> None:
    git_repo.commit({"a.txt": "abc\n", "deleted.txt": "d\n"})
    (git_repo.root / "deleted.txt").unlink()
    git_repo.write({"untracked.txt": "u\n"})
    tree = WorktreeTree(git_repo.root, {"pinned": 7})
    assert tree.size("a.txt") == 4 and tree.size("pinned") == 7
    assert tree.size("missing") is None
    assert tree.read("dir-that-is-not") is None
    (git_repo.root / "d").mkdir()
    assert tree.read("d") is None
    assert list(tree.paths()) == ["a.txt", "untracked.txt"]  # the deleted file is gone
    tree.close()


@pytest.mark.parametrize("bad", ["", "/abs", "a/../../b", "..", "nul\0byte"])
def test_check_path_refuses_escapes(bad: str) -> None:
    with pytest.raises(GitError, match="refusing to read"):
        check_path(bad)


def test_check_path_accepts_ordinary_names() -> None:
    for ok in ("a", "dir/file.py", "..hidden", "a..b/c", "back\\slash"):
        assert check_path(ok) == ok


def test_a_dead_cat_file_is_a_clear_error(git_repo: GitRepo) -> None:
    git_repo.commit({"a.txt": "a\n"})
    reader = BlobReader(git_repo.root)
    assert reader.read("HEAD:a.txt") == ("blob", b"a\n")
    assert reader._proc is not None
    reader._proc.kill()
    reader._proc.wait()
    with pytest.raises(GitError, match=r"stopped unexpectedly while reading 'HEAD:a\.txt'"):
        reader.read("HEAD:a.txt")
    assert reader.read("HEAD:a.txt") == ("blob", b"a\n")  # a fresh process took over
    reader.close()
    assert not reader.running


def test_slow_git_is_cut_off(git_repo: GitRepo) -> None:
    with pytest.raises(GitError, match="did not finish within"):
        run_git(git_repo.root, "version", timeout=1e-9)


def test_git_errors_name_the_command(git_repo: GitRepo) -> None:
    with pytest.raises(GitError, match="git cat-file failed"):
        run_git(git_repo.root, "cat-file", "-p", "no-such-object")
    with pytest.raises(GitError, match="cannot run git in"):
        run_git(git_repo.root / "missing", "status")


def test_changeset_from_git_matches_in_memory_changeset(git_repo: GitRepo) -> None:
    """The git builder and the test helper agree on the same change."""
    base_files = {"a.py": "1\n2\n3\n", "b.md": "b\n", "c.txt": "c\n"}
    head_files = {"a.py": "1\ntwo\n3\n4\n", "b.md": "b\n", "d.txt": "d\nd\n"}
    base = git_repo.commit(base_files)
    head = git_repo.commit({**head_files, "c.txt": None})
    memory = changeset(base_files, head_files)
    with changeset_from_git(git_repo.root, base, head) as real:
        assert [(f.path, f.status, f.kind, f.added, f.deleted_count) for f in real] == [
            (f.path, f.status, f.kind, f.added, f.deleted_count) for f in memory
        ]
