"""Following symlinks inside the repository only: in git trees, on disk, and the pure walk."""

from __future__ import annotations

import os
from pathlib import Path

from gatekeeper.changes import FileKind
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.changes.links import MAX_HOPS, Link, follow, follow_on_disk
from gatekeeper.changes.text import declared_encoding, decode_text
from tests.conftest import GitRepo

TREE = {
    "a.txt": ("100644", "sha-a"),
    "d": ("40000", "sha-d"),
    "d/b.txt": ("100644", "sha-b"),
    "dl": ("120000", "sha-dl"),
    "up": ("120000", "sha-up"),
    "sub": ("160000", "sha-sub"),
}
LINKS = {"dl": "d", "up": "../.."}


def walk(path: str, target: str) -> Link:
    return follow(path, target, TREE.get, LINKS.get)


def test_the_pure_walk() -> None:
    assert walk("x.py", "a.txt") == Link("a.txt", "a.txt", ("100644", "sha-a"))
    assert walk("d/x.py", "../dl/b.txt").resolved == "d/b.txt"  # through a linked directory
    assert walk("x.py", "/etc/passwd").outside
    assert walk("d/x.py", "../../x").outside
    assert walk("x.py", "up/etc").outside  # a linked directory that climbs out
    assert walk("x.py", "missing.txt") == Link("missing.txt")  # dangling: nothing to read
    assert walk("x.py", "d") == Link("d")  # a directory: nothing to read
    assert walk("x.py", "sub/f").resolved is None  # into a submodule: not this repository
    loop = {"l1": ("120000", "s"), "l2": ("120000", "s")}
    texts = {"l1": "l2", "l2": "l1"}
    assert follow("x", "l1", loop.get, texts.get).outside  # more than MAX_HOPS links
    assert MAX_HOPS >= 8


def test_git_trees_resolve_symlinks_at_head_and_base(git_repo: GitRepo) -> None:
    base = git_repo.commit({"lib/impl.txt": "old\n"})
    os.symlink("lib", git_repo.root / "alias")
    os.symlink("../alias/impl.txt", git_repo.root / "lib" / "tool.py")
    os.symlink("/etc/hostname", git_repo.root / "out.py")
    head = git_repo.commit({"lib/impl.txt": "new\ncode\n"})
    with changeset_from_git(git_repo.root, base, head) as cs:
        tool, out = cs.get("lib/tool.py"), cs.get("out.py")
        assert tool is not None and out is not None
        assert (tool.kind, tool.added, tool.link_target) == (
            FileKind.TEXT,
            ((1, 2),),
            "../alias/impl.txt",
        )
        assert cs.text_at_head("lib/tool.py") == "new\ncode\n"
        assert (out.kind, out.link_outside, out.link_target) == (
            FileKind.SYMLINK,
            True,
            "/etc/hostname",
        )
        assert cs.bytes_at_head("out.py") == b"/etc/hostname"  # never the target's content


def test_on_disk(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a\n")
    os.symlink("a.txt", tmp_path / "in")
    os.symlink("/etc/hostname", tmp_path / "out")
    os.symlink("nowhere", tmp_path / "dangling")
    assert follow_on_disk(tmp_path, "in") == Link("a.txt", "a.txt")
    assert follow_on_disk(tmp_path, "out").outside
    assert follow_on_disk(tmp_path, "dangling") == Link("nowhere")
    assert follow_on_disk(tmp_path, "a.txt") == Link("")  # not a link at all


def test_decoding_by_the_coding_line() -> None:
    assert declared_encoding(b"# -*- coding: latin-1 -*-\n") == "iso-8859-1"
    assert declared_encoding(b"# coding: utf-8\n") is None  # UTF-8 is the default
    assert declared_encoding(b"# coding: no-such-codec\n") is None
    assert decode_text(b"#!/bin/python\n# vim: fileencoding=cp1252\n\x93\n") == (
        "#!/bin/python\n# vim: fileencoding=cp1252\n\u201c\n"
    )
    assert decode_text(b"\xff") is None
