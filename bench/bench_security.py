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


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


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
    t_ours, t_lib = timed(ours, repeat), timed(bandit_lib, repeat)
    t_cli = timed(bandit_cli, repeat)
    print(f"bandit part, {files} modified files, {risky} with findings at base and head:")
    print(f"  gatekeeper bandit part (head + base): {t_ours:.2f} s")
    print(f"  bandit library on head only:          {t_lib:.2f} s  -> ratio {t_ours / t_lib:.2f}x")
    print(f"  bandit CLI on head only:              {t_cli:.2f} s  -> ratio {t_ours / t_cli:.2f}x")


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
    print(f"secrets part, {lines:,} added lines in {count} files: {timed(run, repeat):.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--with-findings", type=float, default=0.3)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench_bandit(args.files, args.with_findings, args.repeat)
    bench_secrets(args.lines, args.repeat)


if __name__ == "__main__":
    main()
