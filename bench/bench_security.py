"""Benchmark of the security check's bandit and secrets parts (not part of the test run).

    python bench/bench_security.py [--files 300] [--with-findings 0.3] [--repeat 3]

bandit part: a change of N modified Python files (about 120 lines each; a fraction of
them hold findings at base and at head, so their base versions must be scanned too) is
timed against bandit alone on the head versions of the same files, in the same run:
bandit's CLI (what a workflow step runs) and bandit's library in-process (the fairer
floor, no process start-up). Target: the bandit part <= 1.3x bandit alone.
secrets part: 10,000 added lines over 100 files. Target: <= 1 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from gatekeeper.checks.security import bandit_scan, secrets
from gatekeeper.checks.security.check import SecurityCheck
from gatekeeper.checks.security.common import Part
from gatekeeper.testing import changeset, context

RISKY = (
    'def lookup_{i}(conn, key):\n    return conn.execute("SELECT * FROM t WHERE k = %s" % key)\n'
)


def module(i: int, *, risky: bool, edited: bool) -> str:
    """A plausible module: imports, a class, helpers; optionally a finding; maybe edited."""
    lines = ["import json", "import os", "from dataclasses import dataclass", "", ""]
    lines += ["@dataclass", f"class Record{i}:", "    name: str", "    size: int = 0", ""]
    for j in range(20):
        lines += [
            f"def helper_{j}(values, factor={j}):",
            f'    """Scale the values by {j}."""',
            "    out = [v * factor for v in values if v is not None]",
            "    return json.dumps({'n': len(out), 'env': os.environ.get('HOME', '')})",
            "",
        ]
    if risky:
        lines.append(RISKY.format(i=i))
    if edited:
        lines += [f"def added_in_pr_{i}(x):", "    return helper_1([x], factor=2)", ""]
    return "\n".join(lines) + "\n"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (this process and its children) of the runs.

    CPU time is the figure to compare on a shared machine: wall time there mostly
    measures the neighbours.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        cpu0, wall0 = _cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - wall0)
        cpus.append(_cpu() - cpu0)
    return statistics.median(walls), statistics.median(cpus)


def _cpu() -> float:
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_bandit(files: int, with_findings: float, repeat: int) -> None:
    risky = int(files * with_findings)
    base = {f"pkg/m{i:03}.py": module(i, risky=i < risky, edited=False) for i in range(files)}
    head = {f"pkg/m{i:03}.py": module(i, risky=i < risky, edited=True) for i in range(files)}
    changes = changeset(base, head)
    check = SecurityCheck()

    def ours() -> object:
        ctx = context(changes, {}, scratch=Path(tempfile.mkdtemp(prefix="gk-bench-")))
        found = bandit_scan.run(ctx, Part(), check.finding)
        assert found == [], found  # every finding was already at base
        return found

    head_dir = Path(tempfile.mkdtemp(prefix="gk-bench-head-"))
    for path, text in head.items():
        (head_dir / path).parent.mkdir(parents=True, exist_ok=True)
        (head_dir / path).write_text(text)
    paths = [str(head_dir / p) for p in sorted(head)]

    def bandit_cli() -> object:
        cmd = [sys.executable, "-m", "bandit", "-q", "-f", "json", "-ll", *paths]
        return subprocess.run(cmd, capture_output=True, check=False)

    def bandit_lib() -> object:
        from bandit.core import config, manager

        m = manager.BanditManager(config.BanditConfig(), "file")
        m.files_list = list(paths)
        m.run_tests()
        return m.get_issue_list("MEDIUM", "LOW")

    ours()  # warm imports for the in-process timings
    bandit_lib()
    t_ours, t_lib, t_cli = timed(ours, repeat), timed(bandit_lib, repeat), timed(bandit_cli, repeat)
    print(f"bandit part, {files} modified files, {risky} with findings at base and head:")
    print("                                         wall        cpu   ratio (cpu)")
    for label, (wall, cpu) in (
        ("gatekeeper bandit part (head + base)", t_ours),
        ("bandit library on head only", t_lib),
        ("bandit CLI on head only", t_cli),
    ):
        print(f"  {label:<37} {wall:6.2f} s  {cpu:6.2f} s   {t_ours[1] / cpu:.2f}x")


def bench_secrets(lines: int, repeat: int) -> None:
    per_file, count = 100, lines // 100
    head = {}
    for i in range(count):
        body = [
            f"    value_{j} = compute(item, {j})  # step {j} of the pipeline"
            for j in range(per_file)
        ]
        body[per_file // 2] = f'    api_token = "Zx{i:04}kLm2Qp9vRt4W"'
        head[f"src/mod{i:03}.py"] = "\n".join(body) + "\n"
    changes = changeset({}, head)
    check = SecurityCheck()
    assert sum(f.added_count for f in changes) == lines

    def run() -> object:
        ctx = context(changes, {})
        found = secrets.run(ctx, Part(), check.finding)
        assert len(found) == count, len(found)
        return found

    run()  # warm detect-secrets' plugin registry
    wall, cpu = timed(run, repeat)
    print(
        f"secrets part, {lines:,} added lines in {count} files: {wall:.2f} s wall, {cpu:.2f} s cpu"
    )


def bench_secrets_scattered(lines: int, repeat: int) -> None:
    """The same number of added lines, as 5-line hunks spread through modified files."""
    files, hunks = 50, lines // 250  # per file: hunks x 5 added lines
    base, head = {}, {}
    for i in range(files):
        old = [f"    total_{j} = total_{j - 1} + weight({j})" for j in range(hunks * 10)]
        new: list[str] = []
        for h in range(hunks):
            new += old[h * 10 : h * 10 + 10]
            new += [f"    extra_{h}_{k} = scale(total_{h}, {k})  # added" for k in range(5)]
        base[f"pkg/f{i:02}.py"] = "\n".join(old) + "\n"
        head[f"pkg/f{i:02}.py"] = "\n".join(new) + "\n"
    changes = changeset(base, head)
    check = SecurityCheck()
    added = sum(f.added_count for f in changes)

    def run() -> object:
        return secrets.run(context(changes, {}), Part(), check.finding)

    run()
    wall, cpu = timed(run, repeat)
    print(
        f"secrets part, {added:,} added lines in {files * hunks:,} hunks: "
        f"{wall:.2f} s wall, {cpu:.2f} s cpu"
    )


def bench_deps(corpus: Path, repeat: int) -> None:
    """Audit of 60 pins from the PyPI advisory database on a loopback OSV server."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from gatekeeper.checks.security import deps
    from tests.checks.security.osv_server import OsvServer

    vulns = corpus / "advisories" / "pypa-advisory-database" / "vulns"
    names = sorted(d.name for d in vulns.iterdir() if d.is_dir())[:60]
    base = {"requirements.txt": "".join(f"{n}==1.0.0\n" for n in names)}
    bumped = [f"{n}==1.0.1\n" if i % 6 == 0 else f"{n}==1.0.0\n" for i, n in enumerate(names)]
    head = {"requirements.txt": "".join(bumped)}
    check = SecurityCheck()
    with OsvServer(vulns, by_folder=True) as osv:
        changes = changeset(base, head)

        def run() -> object:
            osv.queries.clear()
            ctx = context(changes, {})
            return deps.run(ctx, Part(options={"osv_url": osv.url}), check.finding)

        wall, _cpu_time = timed(run, repeat)
        found = run()
    print(
        f"dependencies part, {len(names)} pins ({len(names) // 6} bumped): {wall:.2f} s wall, "
        f"{len(osv.queries)} OSV queries, {len(found)} new finding(s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--with-findings", type=float, default=0.3)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", help="the shared corpus (default ../shared/corpus)")
    args = parser.parse_args()
    bench_bandit(args.files, args.with_findings, args.repeat)
    bench_secrets(args.lines, args.repeat)
    bench_secrets_scattered(args.lines, args.repeat)
    corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
    for candidate in (Path(args.corpus) if args.corpus else None, corpus):
        if candidate is not None and candidate.is_dir():
            bench_deps(candidate, args.repeat)
            break


if __name__ == "__main__":
    main()
