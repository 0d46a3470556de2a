"""What asking about the newest release costs: the old way beside the new one.

A synthetic repository with many release tags and many specs, each spec pulling in
schema files by ``$ref``. For every spec the openapi check asks for the newest release
and loads the spec as tagged. The old way asked git for the release once per spec (three
processes: describe, log, for-each-ref) and ran two git processes (``cat-file -s``,
``cat-file blob``) per file; the new one asks once per ChangeSet (``ChangeSet.fact``) and
reads every file through the ChangeSet's long-lived ``cat-file --batch`` process. Both
must load the same specs.

    python bench/bench_releases.py [--tags 2000] [--specs 20] [--refs 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.changes.git import run_git
from gatekeeper.changes.releases import _newest, newest_release
from gatekeeper.checks.openapi.engine import load_spec
from gatekeeper.checks.openapi.load import MAX_SPEC_BYTES
from gatekeeper.checks.openapi.model import Spec
from gatekeeper.checks.openapi.releases import _spec_at


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n%s\n" % (len(raw), raw)


def _spec(i: int, refs: int, extra: str = "") -> str:
    paths = "".join(
        f"  /s{i}/r{j}:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        f"          content:\n            application/json:\n              schema:\n"
        f"                $ref: 'schemas/s{i}_{j}.yaml'\n"
        for j in range(refs)
    )
    return f"openapi: 3.0.3\ninfo:\n  title: s{i}\n  version: '1'\npaths:\n{paths}{extra}"


def _schema(i: int, j: int) -> str:
    return f"type: object\nproperties:\n  id{i}_{j}:\n    type: string\n"


def build(root: Path, tags: int, specs: int, refs: int) -> tuple[str, str]:
    """A repository whose base descends from ``tags`` tagged commits; return (base, head)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    files = {f"api/s{i}.yaml": _spec(i, refs) for i in range(specs)}
    files |= {
        f"api/schemas/s{i}_{j}.yaml": _schema(i, j) for i in range(specs) for j in range(refs)
    }
    stream = bytearray()
    for n in range(1, tags + 2):
        ops = (
            [f"M 100644 inline {p}\n".encode() + _data(t) for p, t in files.items()]
            if n == 1
            else []
        )
        ops.append(b"M 100644 inline VERSION\n" + _data(f"{n}\n"))
        stream += f"commit refs/heads/main\nmark :{n}\n".encode()
        stream += f"committer B <b@example.com> {1_700_000_000 + n} +0000\n".encode()
        stream += _data(f"c{n}") + (f"from :{n - 1}\n".encode() if n > 1 else b"")
        stream += b"".join(ops) + b"\n"
        if n <= tags:
            stream += f"reset refs/tags/v{n}\nfrom :{n}\n\n".encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True)
    subprocess.run(["git", "gc", "-q"], cwd=root, check=True)  # tags packed, as in a clone
    base = run_git(root, "rev-parse", "main").stdout.decode().strip()
    run_git(root, "reset", "-q", "--hard", "main")
    for i in range(specs):  # head adds a path to each spec
        (root / f"api/s{i}.yaml").write_text(_spec(i, refs, "  /new:\n    get: {}\n"))
    who = ("-c", "user.name=B", "-c", "user.email=b@example.com")
    subprocess.run(["git", *who, "commit", "-qam", "head"], cwd=root, check=True)
    head = run_git(root, "rev-parse", "HEAD").stdout.decode().strip()
    return base, head


def _old_spec_at(cs: ChangeSet, tag: str, path: str) -> Spec | None:
    @functools.cache
    def read(name: str) -> bytes | None:
        size = run_git(cs.root, "cat-file", "-s", f"{tag}:{name}", check=False)
        if size.returncode != 0 or int(size.stdout.strip() or 0) > MAX_SPEC_BYTES:
            return None
        done = run_git(cs.root, "cat-file", "blob", f"{tag}:{name}", check=False)
        return done.stdout if done.returncode == 0 else None

    return load_spec(path, read) if read(path) is not None else None


def old_way(cs: ChangeSet, specs: list[str]) -> list[Spec | None]:
    """Before: the release asked of git per spec, two git processes per file."""
    out = []
    for path in specs:
        tag = _newest(cs)  # the same answer, asked of git again for each spec
        out.append(_old_spec_at(cs, tag, path) if tag else None)
    return out


def new_way(cs: ChangeSet, specs: list[str]) -> list[Spec | None]:
    """After: the release asked once per ChangeSet, files through the cat-file process."""
    out = []
    for path in specs:
        tag = newest_release(cs)
        out.append(_spec_at(cs, tag, path, False) if tag else None)
    return out


Way = Callable[[ChangeSet, list[str]], list["Spec | None"]]


def time_once(way: Way, root: Path, base: str, head: str, specs: list[str]) -> tuple[float, int]:
    """Wall seconds for one run of ``way`` on a fresh ChangeSet; how many specs loaded."""
    with changeset_from_git(root, base, head) as cs:
        start = time.perf_counter()
        loaded = way(cs, specs)
        return time.perf_counter() - start, sum(s is not None for s in loaded)


def main(argv: list[str] | None = None) -> int:
    """Build the repository, time both ways in alternation, print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tags", type=int, default=2000)
    parser.add_argument("--specs", type=int, default=20)
    parser.add_argument("--refs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        base, head = build(root, args.tags, args.specs, args.refs)
        specs = [f"api/s{i}.yaml" for i in range(args.specs)]
        times: dict[str, list[float]] = {"before": [], "after": []}
        counts: dict[str, int] = {}
        for _ in range(args.runs):
            for name, way in (("before", old_way), ("after", new_way)):
                seconds, counts[name] = time_once(way, root, base, head, specs)
                times[name].append(seconds)
    files = args.specs * (args.refs + 1)
    print(f"{args.tags} tags, {args.specs} specs, {files} files read at the release")
    print(f"{'':8} {'best s':>8} {'median s':>9} {'specs loaded':>13}")
    for name, runs in times.items():
        print(f"{name:8} {min(runs):8.3f} {statistics.median(runs):9.3f} {counts[name]:>13}")
    print(f"speed-up (best): {min(times['before']) / min(times['after']):.1f}x")
    return 0 if counts["before"] == counts["after"] == args.specs else 1


if __name__ == "__main__":
    raise SystemExit(main())
