"""Engine overhead: ChangeSet, policy, verdict and every report, with no heavy check.

Issue 2's targets: on a synthetic repository of 20,000 files with a 300-file diff the
whole run takes ≤ 2 s, and the same diff in a repository ten times smaller is not more
than 1.25× faster (cost follows the diff, not the repository).
Usage: python bench/bench_engine.py [--files 20000] [--changed 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_repo import build

from gatekeeper.pipeline import GateOptions, run_gate
from gatekeeper.report import FORMATS, render

POLICY = """\
version: 1
checks:
  gate: {}
  cochange:
    - {when: ["src/**/*.py"], require: ["tests/**"], message: "code needs tests"}
  pr: {}
"""


def one_run(repo: Path, base: str, head: str, policy: Path) -> float:
    """Seconds for one gate run plus rendering every format."""
    start = time.perf_counter()
    verdict = run_gate(GateOptions(root=repo, base=base, head=head, policy_file=str(policy)))
    for fmt in sorted(FORMATS):
        render(fmt, verdict)
    return time.perf_counter() - start


def measure(n_files: int, n_changed: int, runs: int, tmp: Path) -> float:
    """Median seconds over ``runs`` runs on a fresh synthetic repository."""
    repo = tmp / f"repo-{n_files}"
    base, head = build(repo, n_files, n_changed)
    policy = tmp / "policy.yml"
    policy.write_text(POLICY, encoding="utf-8")
    one_run(repo, base, head, policy)  # warm the page cache and imports
    return statistics.median(one_run(repo, base, head, policy) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gk-bench-") as tmp:
        big = measure(args.files, args.changed, args.runs, Path(tmp))
        small = measure(args.files // 10, args.changed, args.runs, Path(tmp))
    ratio = big / small
    print(f"{'repository':>12} {'diff':>6} {'median s':>9}")
    print(f"{args.files:>12} {args.changed:>6} {big:9.3f}")
    print(f"{args.files // 10:>12} {args.changed:>6} {small:9.3f}")
    print(
        f"big/small ratio {ratio:.2f} (target ≤ 1.25); big run {big:.2f} s (target ≤ 2 s): "
        + ("OK" if ratio <= 1.25 and big <= 2 else "OVER TARGET")
    )


if __name__ == "__main__":
    main()
