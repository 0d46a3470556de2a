"""Build a large synthetic git repository fast, with one commit of changes on top.

The first commit holds ``n_files`` files (Python, Markdown and YAML, in nested
directories); the second changes ``n_changed`` of them: modifications, additions,
deletions and renames with edits. Everything goes through one ``git fast-import`` stream,
so 20,000 files take about a second, with no working tree written.

    python bench/synthetic_repo.py /tmp/big --files 20000 --changed 300
    # prints: <base sha> <head sha>
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

_EXTENSIONS = (".py", ".md", ".yml")


def file_path(i: int) -> str:
    """The path of synthetic file number ``i``: spread over ~20 x 20 directories."""
    ext = _EXTENSIONS[i % len(_EXTENSIONS)]
    return f"pkg{i % 20:02d}/sub{(i // 20) % 20:02d}/file{i:06d}{ext}"


def file_content(i: int, version: int = 0) -> bytes:
    """A small, unique body; ``version`` > 0 edits a line and appends one."""
    path = file_path(i)
    if path.endswith(".py"):
        lines = [f'"""Module {i}."""', "", f"VALUE = {i}", "", "def f(x):", "    return x + VALUE"]
    elif path.endswith(".md"):
        lines = [f"# Page {i}", "", f"Some text about item {i}.", "", "- one", "- two"]
    else:
        lines = [f"name: item-{i}", "enabled: true", f"count: {i}", "tags: [a, b]"]
    lines += [f"# filler {i} {k}" for k in range(6)]
    if version:
        lines[2] = f"{lines[2]}  # edited v{version}"
        lines.append(f"# added in v{version}")
    return ("\n".join(lines) + "\n").encode()


def _data(content: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(content), content)


def _commit(ref: str, mark: int, message: str, parent: int | None, ops: list[bytes]) -> bytes:
    head = [
        f"commit {ref}\nmark :{mark}\n".encode(),
        f"committer Bench <bench@example.com> {1_700_000_000 + mark} +0000\n".encode(),
        _data(message.encode()),
    ]
    if parent is not None:
        head.append(f"from :{parent}\n".encode())
    return b"".join(head + ops) + b"\n"


def _changes(n_files: int, n_changed: int) -> list[bytes]:
    """Half modified, a fifth added, the rest split between deletions and renames."""
    n_added = n_changed // 5
    n_deleted = (n_changed - n_changed // 2 - n_added) // 2
    n_renamed = n_changed - n_changed // 2 - n_added - n_deleted
    touched = n_changed - n_added  # existing files, spread evenly over the tree
    stride = max(1, n_files // max(1, touched))
    existing = [(k * stride) % n_files for k in range(touched)]
    ops: list[bytes] = []
    modified = existing[: n_changed // 2]
    deleted = existing[len(modified) : len(modified) + n_deleted]
    renamed = existing[len(modified) + n_deleted :][:n_renamed]
    for i in modified:
        ops.append(f"M 100644 inline {file_path(i)}\n".encode() + _data(file_content(i, 1)))
    for i in deleted:
        ops.append(f"D {file_path(i)}\n".encode())
    for i in renamed:
        new = "moved/" + file_path(i)
        ops.append(f"R {file_path(i)} {new}\n".encode())
        ops.append(f"M 100644 inline {new}\n".encode() + _data(file_content(i, 1)))
    for k in range(n_added):
        i = n_files + k
        ops.append(f"M 100644 inline {file_path(i)}\n".encode() + _data(file_content(i)))
    return ops


def build(path: Path | str, n_files: int = 20_000, n_changed: int = 300) -> tuple[str, str]:
    """Create the repository at ``path`` (must not exist or be empty); return (base, head)."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    first = [
        f"M 100644 inline {file_path(i)}\n".encode() + _data(file_content(i))
        for i in range(n_files)
    ]
    stream = _commit("refs/heads/main", 1, "synthetic base", None, first)
    stream += _commit("refs/heads/main", 2, "synthetic change", 1, _changes(n_files, n_changed))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
    out = subprocess.run(
        ["git", "rev-parse", "main~1", "main"], cwd=root, check=True, capture_output=True, text=True
    )
    base, head = out.stdout.split()
    return base, head


def main(argv: list[str] | None = None) -> int:
    """Command line: build the repository and print the two shas."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--checkout", action="store_true", help="also check out the head")
    args = parser.parse_args(argv)
    base, head = build(args.path, args.files, args.changed)
    if args.checkout:
        subprocess.run(["git", "reset", "-q", "--hard", head], cwd=args.path, check=True)
    print(base, head)
    return 0


if __name__ == "__main__":
    sys.exit(main())
