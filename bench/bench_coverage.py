"""Diff coverage on a big Cobertura report, beside diff-cover, in one run.

Issue 6's target: a generated Cobertura report of 5,000 files (about 50 MB) with a
300-file diff: gatekeeper at least 3x faster than diff-cover on the same inputs, with
peak memory under 300 MB. Each tool runs in its own process so peak RSS is its own.
Usage: python bench/bench_coverage.py [--files 5000] [--changed 300] [--lines 200]
[--untested 0]. ``--untested N`` adds N modules no test imported in a measured folder
(they count as not run) and N in a folder the report never lists: the worst case for
placing report paths, which then goes on to the report's last file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OURS = r"""
import json, resource, sys, time
from gatekeeper.checks.coverage import CoverageCheck
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.testing import context, defaults
root, base, head = sys.argv[1:4]
start = time.perf_counter()
changes = changeset_from_git(root, base, head)
check = CoverageCheck()
ctx = context(changes, {**defaults(check), "reports": ["coverage.xml"]})
findings = list(check.run(ctx))
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "summary": ctx.summary}))
"""

THEIRS = r"""
import json, resource, subprocess, sys, time
root, base = sys.argv[1:3]
start = time.perf_counter()
subprocess.run(["diff-cover", "coverage.xml", "--compare-branch", base,
                "--format", "json:/dev/null"], cwd=root, check=True, capture_output=True)
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss}))
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def build(root: Path, files: int, changed: int, lines: int, untested: int = 0) -> tuple[str, str]:
    """A repository of ``files`` modules, a head commit editing ``changed`` of them, and a
    Cobertura report for head in which every other line ran."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "b@example.com")
    _git(root, "config", "user.name", "B")
    body = "".join(f"x{i} = {i}\n" for i in range(lines))
    for n in range(files):
        path = root / "src" / f"pkg{n // 100}" / f"mod{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    for n in range(0, files, max(1, files // changed))[:changed]:
        path = root / "src" / f"pkg{n // 100}" / f"mod{n}.py"
        # a realistic addition: simple statements and multi-line calls (whose continuation
        # lines coverage does not list, so they must be mapped to their statements)
        added = "".join(f"y{i} = {i}\n" for i in range(10))
        added += "".join(
            f"z{i} = dict(\n    a={i},\n    b=[\n        {i},\n    ],\n)\n" for i in range(2)
        )
        path.write_text(body + added)
    for n in range(untested):
        for folder in ("src/new", "tools"):
            (root / folder).mkdir(parents=True, exist_ok=True)
            # text of its own: a copy of a module would be a copy, with no line added
            own = "".join(f"g{n}_{i} = {i} * {n}\n" for i in range(lines))
            (root / folder / f"gen{n}.py").write_text(own)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "head")
    head = _git(root, "rev-parse", "HEAD")
    # statement lines as coverage lists them: the multi-line calls by their first line only
    numbers = [*range(1, lines + 11), lines + 11, lines + 17]
    valid, covered = files * len(numbers), files * sum(1 for i in numbers if i % 2)
    with (root / "coverage.xml").open("w") as out:
        # the root's totals, as coverage.py and most Cobertura writers put them
        out.write(
            f'<?xml version="1.0" ?>\n<coverage version="7.0" lines-valid="{valid}" '
            f'lines-covered="{covered}" line-rate="0.5">\n'
            f"<sources><source>{root}</source></sources>\n<packages>\n"
        )
        for p in range(files // 100 + 1):
            out.write(f'<package name="pkg{p}" line-rate="0.5"><classes>\n')
            for n in range(p * 100, min(files, (p + 1) * 100)):
                out.write(
                    f'<class name="mod{n}.py" filename="src/pkg{p}/mod{n}.py" '
                    'line-rate="0.5"><methods/><lines>\n'
                )
                out.write("".join(f'<line number="{i}" hits="{i % 2}"/>\n' for i in numbers))
                out.write("</lines></class>\n")
            out.write("</classes></package>\n")
        out.write("</packages>\n</coverage>\n")
    return base, head


def measure(script: str, *args: str) -> dict[str, float]:
    """Run ``script`` in a fresh interpreter and return what it printed."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--lines", type=int, default=300)
    parser.add_argument("--untested", type=int, default=0)
    args = parser.parse_args()
    if shutil.which("diff-cover") is None:
        sys.exit("diff-cover is not installed: pip install diff-cover")
    with tempfile.TemporaryDirectory(prefix="gk-cov-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        base, head = build(root, args.files, args.changed, args.lines, args.untested)
        size = (root / "coverage.xml").stat().st_size / 1e6
        print(
            f"built {args.files} files, {args.changed} changed, report {size:.0f} MB"
            f" in {time.perf_counter() - start:.1f} s"
        )
        ours = measure(OURS, str(root), base, head)
        theirs = measure(THEIRS, str(root), base)
    print(f"{'tool':12} {'seconds':>8} {'peak MB':>8}")
    print(f"{'gatekeeper':12} {ours['seconds']:8.2f} {ours['rss_mb']:8.0f}   {ours['summary']}")
    print(f"{'diff-cover':12} {theirs['seconds']:8.2f} {theirs['rss_mb']:8.0f}")
    ratio = theirs["seconds"] / ours["seconds"]
    ok = ratio >= 3 and ours["rss_mb"] < 300
    print(
        f"speed-up {ratio:.1f}x (target ≥ 3x), peak {ours['rss_mb']:.0f} MB (target < 300 MB):"
        f" {'OK' if ok else 'OVER TARGET'}"
    )


if __name__ == "__main__":
    main()
