"""Replay real commits of public repositories as pull requests and score the verdicts.

Issue 14's measurement. Each commit listed in ``bench/replay/commits.yml`` is judged as a
pull request whose base is the commit's first parent, by ``gatekeeper run`` in a fresh
process (the repository's own ``.github/gatekeeper.yml`` at base when it has one, else the
built-in ``recommended`` preset), and the verdict is compared with a reviewer's label:

- false block: labelled ``pass``, the gate blocks (or errors: a CI step that errors blocks);
- miss: labelled ``block``, the gate passes;
- wrong reason: labelled ``block`` on a ground (a check id), the gate blocks, but no
  blocking finding comes from that check.

It runs offline: repositories come from local mirrors (``<mirrors>/<owner>+<name>/repo``,
the layout the search tool's ``fetch`` leaves, or ``<mirrors>/<owner>+<name>`` itself a git
directory), each cloned into a temp folder and checked out at the head; the dependency
audit asks a loopback OSV server fed from the PyPI advisory database in the shared corpus,
as of the commit's committer date (advisories published later are not served: the gate
could not have seen them when the PR was judged).
A missing mirror is skipped with a message. Times are wall and CPU seconds of the whole
``gatekeeper run`` process (start-up included) and each check's own duration (from the
JUnit report); on a shared machine compare medians and CPU, and note the load printed.

Usage:
    python bench/replay.py [--mirrors /work/.mirror] [--split tune|holdout|all]
                           [--repo OWNER/NAME ...] [--json results.json]
    python bench/replay.py --rescore results.json     # new labels, old verdicts
    python bench/replay.py --show-holdout             # the final report: holdout cases too
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay_commits import Commit, CommitsError, load_commits
from replay_report import render
from replay_run import Run, replay_repository

HERE = Path(__file__).resolve().parent
DEFAULT_COMMITS = HERE / "replay" / "commits.yml"
DEFAULT_MIRRORS = Path("/work/.mirror")
ADVISORIES = Path("advisories") / "pypa-advisory-database" / "vulns"


#: the replay fills in each commit's committer date (replay_run.judge)
ASOF_PATH = "/asof/{asof}/v1/query"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=Path, default=DEFAULT_COMMITS)
    parser.add_argument(
        "--mirrors",
        type=Path,
        default=Path(os.environ.get("GATEKEEPER_MIRRORS", DEFAULT_MIRRORS)),
        help="folder of local mirrors, <owner>+<name>/repo (env GATEKEEPER_MIRRORS)",
    )
    parser.add_argument("--split", choices=("all", "tune", "holdout"), default="all")
    parser.add_argument("--repo", action="append", default=[], help="only this repository")
    parser.add_argument("--sha", action="append", default=[], help="only commits with prefix")
    parser.add_argument("--json", type=Path, help="write every run's result here")
    parser.add_argument("--rescore", type=Path, help="score a previous --json, run nothing")
    parser.add_argument(
        "--show-holdout",
        action="store_true",
        help="also list the holdout's causes and disagreements (final reports only)",
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    parser.add_argument(
        "--advisories",
        type=Path,
        help="OSV records for the loopback server (default: $GATEKEEPER_CORPUS/" + str(ADVISORIES),
    )
    parser.add_argument("--osv-url", help="an OSV endpoint to use instead of the loopback one")
    parser.add_argument("--gatekeeper", default=f"{sys.executable} -m gatekeeper")
    return parser.parse_args(argv)


def select(commits: list[Commit], args: argparse.Namespace) -> list[Commit]:
    """The commits the options ask for, in file order."""
    out = [c for c in commits if args.split in ("all", c.split)]
    if args.repo:
        out = [c for c in out if c.repo in args.repo]
    if args.sha:
        out = [c for c in out if any(c.sha.startswith(p) for p in args.sha)]
    return out


@contextlib.contextmanager
def osv_endpoint(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """An OSV URL for pip-audit and a note saying where its answers come from."""
    if args.osv_url:
        yield args.osv_url, f"OSV: {args.osv_url}"
        return
    records = args.advisories
    if records is None and os.environ.get("GATEKEEPER_CORPUS"):
        records = Path(os.environ["GATEKEEPER_CORPUS"]) / ADVISORIES
    if records is None or not records.is_dir():
        yield (
            "http://127.0.0.1:9/v1/query",
            "OSV: none (no --advisories and no GATEKEEPER_CORPUS): the dependency audit "
            "cannot reach an advisory source and fails closed",
        )
        return
    sys.path.insert(0, str(HERE.parent))
    from tests.checks.security.osv_server import OsvServer

    with OsvServer(records, by_folder=True) as server:
        dated = server.url.replace("/v1/query", ASOF_PATH)
        yield dated, f"OSV: loopback server over {records}, as of each commit's date"


def run_all(
    args: argparse.Namespace,
    commits: list[Commit],
    save: Callable[[list[Run], list[str]], None] | None = None,
) -> tuple[list[Run], list[str]]:
    """Replay every selected commit, repository by repository; ``save`` is handed what
    is done after each repository, so a run stopped half-way keeps it."""
    notes: list[str] = []
    runs: list[Run] = []
    by_repo: dict[str, list[Commit]] = {}
    for commit in commits:
        by_repo.setdefault(commit.repo, []).append(commit)
    with (
        osv_endpoint(args) as (osv_url, osv_note),
        tempfile.TemporaryDirectory(prefix="gk-replay-") as tmp,
    ):
        notes.append(osv_note)
        env = {**os.environ, "PIP_AUDIT_OSV_URL": osv_url, "NO_COLOR": "1"}
        for repo, group in by_repo.items():
            done, skipped = replay_repository(
                repo,
                group,
                mirrors=args.mirrors,
                scratch=Path(tmp),
                env=env,
                command=args.gatekeeper.split(),
                timeout=args.timeout,
            )
            runs.extend(done)
            notes.extend(skipped)
            for note in skipped:
                print(note, file=sys.stderr)
            if save is not None:
                finished = list(by_repo).index(repo) + 1
                save(runs, [*notes, f"partial: {finished} of {len(by_repo)} repositories"])
    return runs, notes


def write_json(path: Path, runs: list[Run], notes: list[str]) -> None:
    """Write the runs and notes to ``path`` whole or not at all (a reader never sees half
    a file, a stopped run leaves the last complete one)."""
    payload = {"runs": [r.to_json() for r in runs], "notes": notes}
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    os.replace(scratch, path)


def main(argv: Sequence[str] | None = None) -> int:
    """Run (or rescore) the replay and print the report; 2 on a bad commits file."""
    args = parse_args(argv)
    try:
        commits = select(load_commits(args.commits), args)
    except CommitsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    if args.rescore:
        data = json.loads(args.rescore.read_text(encoding="utf-8"))
        runs = [Run.from_json(r) for r in data["runs"]]
        notes = [*data.get("notes", ()), f"rescored from {args.rescore}"]
    else:
        started = time.perf_counter()
        json_path = args.json
        save = (lambda r, n: write_json(json_path, r, n)) if json_path else None
        runs, notes = run_all(args, commits, save)
        notes.append(f"replay took {time.perf_counter() - started:.0f} s")
        notes.append(
            f"load average (1 min) {load_before[0]:.1f} at start, {os.getloadavg()[0]:.1f} "
            f"at end, on {os.cpu_count()} CPUs"
        )
    if args.json and not args.rescore:
        write_json(args.json, runs, notes)
    print(render(commits, runs, notes, show_holdout=args.show_holdout), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
