"""How long building a ChangeSet takes: 20,000-file vs 2,000-file repository, same diff.

Cost must follow the diff, not the repository: the ratio big/small should stay near 1
(the issue allows the small repository to be at most 1.25x faster).

    python bench/bench_changeset.py [--changed 300] [--runs 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_repo import build

from gatekeeper.changes.build import changeset_from_git


def _cpu() -> float:
    """CPU seconds used so far by this process and the git processes it waited for."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def time_once(root: Path, base: str, head: str) -> tuple[float, float, int]:
    """Wall and CPU seconds to build (and close) the ChangeSet, and how many files it holds."""
    cpu, start = _cpu(), time.perf_counter()
    with changeset_from_git(root, base, head) as cs:
        count = len(cs)
    return time.perf_counter() - start, _cpu() - cpu, count


def _build_repos(
    tmp: Path, sizes: tuple[int, ...], changed: int
) -> dict[int, tuple[Path, str, str]]:
    repos = {}
    for n_files in sizes:
        start = time.perf_counter()
        root = tmp / f"repo-{n_files}"
        repos[n_files] = (root, *build(root, n_files, changed))
        print(f"{n_files:>6} files: repository built in {time.perf_counter() - start:.2f} s")
    return repos


def main(argv: list[str] | None = None) -> int:
    """Build both repositories, time them in alternation, print the figures and the ratio.

    The verdict uses the fastest run of each (the usual estimator of a code path's own
    cost on a machine other jobs share); medians and CPU time are printed beside it.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    sizes = (20_000, 2_000)
    wall: dict[int, list[float]] = {n: [] for n in sizes}
    cpu: dict[int, list[float]] = {n: [] for n in sizes}
    counts: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="gatekeeper-bench-") as tmp:
        repos = _build_repos(Path(tmp), sizes, args.changed)
        # Alternate the two repositories so load on a shared machine hits both alike;
        # the first round only warms the caches.
        for round_ in range(args.runs + 1):
            for n_files in sizes:
                seconds, cpu_seconds, counts[n_files] = time_once(*repos[n_files])
                if round_:
                    wall[n_files].append(seconds)
                    cpu[n_files].append(cpu_seconds)
    for n_files in sizes:
        print(
            f"{n_files:>6} files: ChangeSet of {counts[n_files]} files: "
            f"best {min(wall[n_files]) * 1000:.1f} ms, "
            f"median {statistics.median(wall[n_files]) * 1000:.1f} ms, "
            f"median CPU {statistics.median(cpu[n_files]) * 1000:.1f} ms ({args.runs} runs)"
        )
    best = min(wall[20_000]) / min(wall[2_000])
    median = statistics.median(wall[20_000]) / statistics.median(wall[2_000])
    print(f"ratio 20,000 / 2,000 files: best {best:.2f}x, median {median:.2f}x (limit 1.25x)")
    return 0 if best <= 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
