"""How long building a ChangeSet takes: 20,000-file vs 2,000-file repository, same diff.

Cost must follow the diff, not the repository: the ratio big/small should stay near 1
(the issue allows the small repository to be at most 1.25x faster).

    python bench/bench_changeset.py [--changed 300] [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_repo import build

from gatekeeper.git import changeset_from_git


def time_once(root: Path, base: str, head: str) -> tuple[float, int]:
    """Seconds to build (and close) the ChangeSet, and how many files it holds."""
    start = time.perf_counter()
    with changeset_from_git(root, base, head) as cs:
        count = len(cs)
    return time.perf_counter() - start, count


def main(argv: list[str] | None = None) -> int:
    """Build both repositories, time them in alternation, print the figures and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args(argv)
    sizes = (20_000, 2_000)
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-") as tmp:
        repos = {}
        for n_files in sizes:
            start = time.perf_counter()
            repos[n_files] = (
                Path(tmp) / f"repo-{n_files}",
                *build(Path(tmp) / f"repo-{n_files}", n_files, args.changed),
            )
            print(f"{n_files:>6} files: repository built in {time.perf_counter() - start:.2f} s")
        times: dict[int, list[float]] = {n: [] for n in sizes}
        counts: dict[int, int] = {}
        # Alternate the two repositories so load on a shared machine hits both alike;
        # the first round only warms the caches.
        for round_ in range(args.runs + 1):
            for n_files in sizes:
                seconds, counts[n_files] = time_once(*repos[n_files])
                if round_:
                    times[n_files].append(seconds)
    medians = {n: statistics.median(t) for n, t in times.items()}
    for n_files in sizes:
        print(
            f"{n_files:>6} files: ChangeSet of {counts[n_files]} files in "
            f"{medians[n_files] * 1000:.1f} ms (median of {args.runs})"
        )
    ratio = medians[20_000] / medians[2_000]
    print(f"ratio 20,000 / 2,000 files: {ratio:.2f}x (must stay <= 1.25x)")
    return 0 if ratio <= 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
