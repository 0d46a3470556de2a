"""git's diff output parsed without git: raw/numstat records, hunk headers, quoting."""

from __future__ import annotations

from gatekeeper.changes import FileKind, FileStatus
from gatekeeper.changes.diff import (
    classify,
    kind_of_bytes,
    line_count,
    parse_hunk_stream,
    parse_hunks,
    parse_raw_numstat,
    split_records,
    unquote_c,
)

Z = "0" * 40
A, B = "a" * 40, "b" * 40


def test_raw_and_numstat_records_for_every_status() -> None:
    out = (
        f":100644 100644 {A} {B} M\0m.py\0"
        f":000000 100644 {Z} {B} A\0:colon start.py\0"
        f":100644 000000 {A} {Z} D\0d.py\0"
        f":100644 100644 {A} {B} R087\0old name.py\0new name.py\0"
        f":100644 100644 {A} {B} C075\0src.py\0copy.py\0"
        f":100644 120000 {A} {B} T\0link\0"
        f":000000 000000 {Z} {Z} U\0conflict.py\0"
        "2\t1\tm.py\0"
        "3\t0\t:colon start.py\0"
        "0\t4\td.py\0"
        "1\t1\t\0old name.py\0new name.py\0"
        "5\t0\t\0src.py\0copy.py\0"
        "-\t-\tlink\0"
    ).encode()
    entries, stats = parse_raw_numstat(out)
    assert [(e.status, e.path, e.old_path) for e in entries] == [
        (FileStatus.MODIFIED, "m.py", None),
        (FileStatus.ADDED, ":colon start.py", None),
        (FileStatus.DELETED, "d.py", None),
        (FileStatus.RENAMED, "new name.py", "old name.py"),
        (FileStatus.COPIED, "copy.py", "src.py"),
        (FileStatus.TYPE_CHANGED, "link", None),
        (FileStatus.MODIFIED, "conflict.py", None),
    ]
    assert entries[3].base_path == "old name.py" and entries[0].base_path == "m.py"
    assert entries[0].new_sha == B and entries[5].new_mode == "120000"
    assert stats == {
        "m.py": (2, 1),
        ":colon start.py": (3, 0),
        "d.py": (0, 4),
        "new name.py": (1, 1),
        "copy.py": (5, 0),
        "link": (None, None),
    }


def test_empty_diff_parses_to_nothing() -> None:
    assert parse_raw_numstat(b"") == ([], {})


def test_patch_follows_the_records_and_may_hold_nul_bytes() -> None:
    body = b"diff --git a/m b/m\n@@ -1 +1 @@\n-a\0\n+b\0\n"
    out = f":100644 100644 {A} {B} M\0m\0".encode() + b"1\t1\tm\0\0" + body
    records, rest = split_records([out])
    entries, stats = parse_raw_numstat(records)
    assert [e.path for e in entries] == ["m"] and stats == {"m": (1, 1)}
    assert b"".join(rest) == body


def test_non_utf8_path_survives() -> None:
    out = f":000000 100644 {Z} {B} A\0".encode() + b"caf\xe9.txt\0" + b"1\t0\tcaf\xe9.txt\0"
    entries, stats = parse_raw_numstat(out)
    assert entries[0].path == "caf\udce9.txt" and stats == {"caf\udce9.txt": (1, 0)}


def test_unquote_c() -> None:
    assert unquote_c(b'"b/new\\nline.txt"') == b"b/new\nline.txt"
    assert unquote_c(b'"b/q\\"uote\\\\d\\t\\a\\b\\v\\f\\r"') == b'b/q"uote\\d\t\a\b\v\f\r'
    assert unquote_c(b'"b/caf\\303\\251"') == "b/café".encode()
    assert unquote_c(b"b/plain") == b"b/plain"
    assert unquote_c(b'"trailing\\"') == b"trailing\\"


PATCH = b"""diff --git a/a.py b/a.py
index 1..2 100644
--- a/a.py
+++ b/a.py
@@ -2 +2,2 @@ def f():
-old
+new
++++ b/fake.py
@@ -10,0 +12 @@
+single
@@ -20,3 +21,0 @@
-gone
diff --git a/sp ace.md b/sp ace.md
new file mode 100644
--- /dev/null
+++ b/sp ace.md\t
@@ -0,0 +1,3 @@
+1
+2
+3
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git a/x b/x
--- a/x
+++ weird
@@ -1 +1 @@
-a
+b
diff --git "a/q\\"d" "b/q\\"d"
--- "a/q\\"d"
+++ "b/q\\"d"
@@ -1 +1 @@ garbage
@@ bad header @@
diff --git a/img.png b/img.png
Binary files a/img.png and b/img.png differ
"""


def test_hunks_map_to_head_paths_and_ignore_lookalike_content() -> None:
    assert parse_hunks(PATCH) == {
        "a.py": ((2, 3), (12, 12)),
        "sp ace.md": ((1, 3),),
        'q"d': ((1, 1),),
    }


def test_classify_order_and_content_decides() -> None:
    def boom() -> bytes:
        raise AssertionError("must not read")

    assert classify("160000", 0, 10, boom) is FileKind.SUBMODULE
    assert classify("120000", 5, 10, boom) is FileKind.SYMLINK
    assert classify("100644", 11, 10, boom) is FileKind.TOO_LARGE
    assert classify("100644", 5, 10, lambda: b"\0\1") is FileKind.BINARY
    assert classify("100644", 5, 10, lambda: None) is FileKind.TEXT
    assert classify("100755", 5, 10, lambda: b"ok\n") is FileKind.TEXT
    assert classify("100644", 5, 10, lambda: b"\xff\xfe") is FileKind.UNDECODABLE


def test_a_coding_line_makes_non_utf8_text() -> None:
    assert kind_of_bytes(b"# -*- coding: latin-1 -*-\nx = '\xe9'\n") is FileKind.TEXT
    assert kind_of_bytes(b"# coding: zlib\n\xff") is FileKind.UNDECODABLE  # not a text codec
    assert kind_of_bytes(b"x = 1\nx = 2\n# coding: latin-1\n\xff") is FileKind.UNDECODABLE


def test_kind_of_bytes_and_line_count() -> None:
    assert kind_of_bytes(b"a\0b") is FileKind.BINARY
    assert kind_of_bytes(b"x" * 9000 + b"\0") is FileKind.TEXT  # git only sniffs 8000 bytes
    assert kind_of_bytes("é".encode()) is FileKind.TEXT
    assert [line_count(d) for d in (b"", b"a", b"a\n", b"a\nb", b"\n\n")] == [0, 1, 1, 2, 2]


def test_a_quoted_name_with_a_space_keeps_its_added_lines() -> None:
    # git quotes a name holding a line break and, since it also holds a space, adds a
    # tab after the quotes: missing it hid the file's added lines from every check
    patch = (
        b'diff --git "a/a b\\nc" "b/a b\\nc"\n--- /dev/null\n+++ "b/a b\\nc"\t\n@@ -0,0 +1 @@\n+x\n'
    )
    assert parse_hunks(patch) == {"a b\nc": ((1, 1),)}


def test_hunks_read_from_chunks_match_hunks_read_whole() -> None:
    patch = (
        PATCH
        + b"diff --git a/long b/long\n--- a/long\n+++ b/long\n@@ -1 +1,2 @@\n+"
        + (b"x" * 5000 + b"\n+y\n")
    )
    whole = parse_hunks(patch)
    assert whole["long"] == ((1, 2),)
    for size in (1, 2, 3, 7, 64, 4096):
        chunks = [patch[i : i + size] for i in range(0, len(patch), size)]
        assert parse_hunk_stream(chunks) == whole, size


def test_records_are_split_from_the_patch_whatever_the_chunks() -> None:
    records = f":000000 100644 {Z} {B} A\0new.txt\0".encode() + b"1\t0\tnew.txt\0\0"
    out = records + b"diff --git a/new.txt b/new.txt\n"
    for size in (1, 2, 5, 1000):
        head, rest = split_records(out[i : i + size] for i in range(0, len(out), size))
        assert head == records and b"".join(rest) == out[len(records) :]
    assert split_records([records[:-1]])[0] == records[:-1]  # no patch at all
