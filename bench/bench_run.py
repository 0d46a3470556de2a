"""Whole runs of ``gatekeeper run`` on real commits, per check, beside the peers' CLIs.

    python bench/bench_run.py --repo CLONE [--commits 20] [--compare OTHER_SRC] [--offline]

Issue 14's target: median ≤ 3 s per real commit. Each of the last ``--commits`` non-merge
commits of the clone that change a text file is judged against its parent exactly as a
user would (a new ``python -m gatekeeper run`` process, the built-in ``recommended``
policy, a JUnit report for the per-check times). ``--compare`` runs a second copy of
gatekeeper (a ``src`` folder put first on ``PYTHONPATH``, e.g. ``../main/src``) on the
same commits, so the figures print before/after, side by side. ``--offline`` turns the
dependencies part off (its OSV queries need the network). Peers, on the same files: the
bandit CLI on the changed Python files at head, detect-secrets' CLI on every changed file.
The machine is shared: CPU seconds are the figure to compare, wall seconds what users see.
Both copies run with their bytecode cached in a temporary ``PYTHONPYCACHEPREFIX``, as an
installed package has it (an editable install under ``PYTHONDONTWRITEBYTECODE=1`` would
compile all of gatekeeper on every run, about 0.1 s of CPU that no user pays); the first,
cache-warming run of each commit is not counted.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

_PYCACHE = Path(tempfile.mkdtemp(prefix="gk-bench-pycache-"))
OFFLINE_POLICY = "version: 1\nextends: [recommended]\nchecks:\n  security: {dependencies: false}\n"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout


def commits(repo: Path, count: int) -> list[str]:
    """The last ``count`` non-merge commits that change at least one file."""
    shas = _git(repo, "rev-list", "--no-merges", f"--max-count={count * 3}", "HEAD").split()
    picked = []
    for sha in shas:
        if _git(repo, "diff", "--name-only", f"{sha}^", sha).strip():
            picked.append(sha)
        if len(picked) == count:
            break
    return picked


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(repo: Path, sha: str, src: str | None, policy: Path | None) -> dict[str, float]:
    """One ``gatekeeper run``: wall, cpu and each check's seconds (from the JUnit report)."""
    with tempfile.TemporaryDirectory(prefix="gk-bench-run-") as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = [sys.executable, "-m", "gatekeeper", "run", "--repo", str(repo)]
        cmd += ["--base", f"{sha}^", "--head", sha, "-f", f"junit:{junit}"]
        if policy is not None:
            cmd += ["--policy", str(policy)]
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(_PYCACHE / (src or "this").replace("/", "_"))
        if src:
            env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        cpu0, wall0 = _children_cpu(), time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        figures = {"wall": time.perf_counter() - wall0, "cpu": _children_cpu() - cpu0}
        if junit.exists():
            for case in ET.parse(junit).getroot().iter("testsuite"):
                figures[case.get("name", "?")] = float(case.get("time", "0") or 0)
    return figures


def peers(repo: Path, sha: str) -> dict[str, float]:
    """Wall seconds of the bandit and detect-secrets CLIs on the commit's changed files."""
    names = _git(repo, "diff", "--name-only", "--diff-filter=AMR", f"{sha}^", sha).split("\n")
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="gk-bench-peer-") as tmp:
        files = []
        for name in filter(None, names):
            blob = subprocess.run(
                ["git", "show", f"{sha}:{name}"], cwd=repo, capture_output=True, check=False
            )
            if blob.returncode == 0:
                path = Path(tmp) / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(blob.stdout)
                files.append(str(path))
        python = [f for f in files if f.endswith(".py")]
        tools = {
            "bandit CLI": (["bandit", "-q", "-f", "json", "-ll", *python], bool(python)),
            "detect-secrets CLI": (["detect-secrets", "scan", *files], bool(files)),
        }
        for label, (cmd, needed) in tools.items():
            if needed and shutil.which(cmd[0]):
                start = time.perf_counter()
                subprocess.run(cmd, capture_output=True, check=False, cwd=tmp)
                out[label] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, type=Path)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--compare", help="another gatekeeper src folder (the 'before')")
    parser.add_argument("--offline", action="store_true", help="dependencies part off")
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    policy = None
    if args.offline:
        policy = Path(tempfile.mkdtemp(prefix="gk-bench-policy-")) / "gatekeeper.yml"
        policy.write_text(OFFLINE_POLICY, encoding="utf-8")
    shas = commits(args.repo, args.commits)
    versions = {"after": None} if not args.compare else {"before": args.compare, "after": None}
    figures: dict[str, dict[str, list[float]]] = {v: defaultdict(list) for v in versions}
    peer_times: dict[str, list[float]] = defaultdict(list)
    for src in versions.values():
        run_once(args.repo, shas[0], src, policy)  # fills the bytecode cache
    for sha in shas:
        for version, src in versions.items():
            for key, value in run_once(args.repo, sha, src, policy).items():
                figures[version][key].append(value)
        if not args.no_peers:
            for key, value in peers(args.repo, sha).items():
                peer_times[key].append(value)
    _report(args.repo, len(shas), figures, peer_times)


def _report(
    repo: Path,
    count: int,
    figures: dict[str, dict[str, list[float]]],
    peer_times: dict[str, list[float]],
) -> None:
    print(f"{repo.name}: {count} commits, median seconds per commit (max in brackets)")
    names = sorted(
        {k for f in figures.values() for k in f}, key=lambda k: (k not in ("wall", "cpu"), k)
    )
    print(f"  {'':<22}" + "".join(f"{v:>18}" for v in figures))
    for name in names:
        cells = []
        for by_name in figures.values():
            values = by_name.get(name, [])
            cells.append(
                f"{statistics.median(values):8.2f} [{max(values):6.2f}]" if values else f"{'-':>17}"
            )
        label = {"wall": "whole run, wall", "cpu": "whole run, cpu"}.get(name, f"check {name}")
        print(f"  {label:<22}" + "".join(f"{c:>18}" for c in cells))
    for label, values in sorted(peer_times.items()):
        print(f"  {label + ' (peer)':<22}{statistics.median(values):8.2f} [{max(values):6.2f}]")


if __name__ == "__main__":
    main()
