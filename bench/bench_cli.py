"""Start-up time of ``gatekeeper --help`` / ``--version`` beside peers, in one run.

Target (issue 2): each ≤ 0.25 s wall on the development machine. Peers: a bare
``python -c pass`` (the floor) and the CLIs of tools in the same field.
Usage: python bench/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "gatekeeper --help": [sys.executable, "-m", "gatekeeper", "--help"],
    "gatekeeper --version": [sys.executable, "-m", "gatekeeper", "--version"],
    "gatekeeper checks": [sys.executable, "-m", "gatekeeper", "checks"],
}
PEERS = {
    "bandit --help": ["bandit", "--help"],
    "pip-audit --help": ["pip-audit", "--help"],
    "sqlfluff --help": ["sqlfluff", "--help"],
    "diff-cover --help": ["diff-cover", "--help"],
}


def wall(cmd: list[str], runs: int) -> float:
    """Median wall time of ``cmd`` over ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = dict(COMMANDS)
    rows.update({k: v for k, v in PEERS.items() if shutil.which(v[0])})
    results = {name: wall(cmd, args.runs) for name, cmd in rows.items()}
    floor = results["python -c pass (floor)"]
    print(f"{'command':28} {'median s':>9} {'x floor':>8}")
    for name, seconds in results.items():
        print(f"{name:28} {seconds:9.3f} {seconds / floor:8.1f}")
    for name in ("gatekeeper --help", "gatekeeper --version"):
        verdict = "OK" if results[name] <= 0.25 else "OVER TARGET"
        print(f"{name}: {results[name]:.3f} s (target ≤ 0.25 s) {verdict}")


if __name__ == "__main__":
    main()
