"""Recall of the env-vars check on real commits, against labels written by hand.

    python bench/bench_envvars_recall.py --repos DIR [--labels bench/envvars_recall.yml]

Each entry of the labels file names a public repository, a commit and the variables that
commit starts reading. The repositories are not fetched here: clone each one into
``DIR/<owner>+<name>`` (``git clone https://github.com/<owner>/<name> DIR/<owner>+<name>``);
a missing one is reported and skipped. Every commit is judged against its first parent
with no documentation and no platform or repository-set exemptions (so every new variable
the check sees is reported), and the names reported are compared with the labels: found
(true), missed, and reported though not new.
To compare with another version of gatekeeper, run this same script with that version on
``PYTHONPATH`` (e.g. ``PYTHONPATH=../main/src``); it prints where it imported it from.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

import gatekeeper
from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.testing import context, defaults

_NAME = re.compile(r"^(\S+) is read here")


def reported(root: Path, commit: str) -> tuple[set[str], float]:
    """The variables the check reports as new and undocumented, and the seconds it took."""
    check = EnvVarsCheck()
    config = defaults(check)
    config["docs"] = ["nothing/documents/anything"]
    # what a platform or the repository itself sets is a read the scanners must still find;
    # that it needs no documentation is the check's judgement, measured by bench/replay.py
    config["platform_vars"] = False
    config["provided_vars"] = False
    start = time.perf_counter()
    with changeset_from_git(root, f"{commit}^", commit) as changes:
        ctx = context(changes, config)
        found = list(check.run(ctx)) if check.applies(ctx) else []
    names = {
        m.group(1) for f in found if f.rule == "undocumented" and (m := _NAME.match(f.message))
    }
    return names, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", required=True, help="folder holding <owner>+<name> clones")
    parser.add_argument("--labels", default=str(Path(__file__).with_name("envvars_recall.yml")))
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    entries: list[dict[str, Any]] = yaml.safe_load(Path(args.labels).read_text(encoding="utf-8"))
    print(f"gatekeeper from {Path(gatekeeper.__file__).parent}")
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # commits, gold, tp, fn, fp
    seconds: list[float] = []
    missing: set[str] = set()
    for entry in entries:
        root = Path(args.repos) / entry["repo"].replace("/", "+")
        if not root.is_dir():
            missing.add(entry["repo"])
            continue
        gold = {str(n) for n in entry["new"]}
        got, took = reported(root, entry["commit"])
        seconds.append(took)
        row = rows[entry["repo"]]
        row[0] += 1
        row[1] += len(gold)
        row[2] += len(gold & got)
        row[3] += len(gold - got)
        row[4] += len(got - gold)
        if args.verbose and got != gold:
            print(
                f"  {entry['repo']} {entry['commit'][:10]}: missed {sorted(gold - got)}, "
                f"not new {sorted(got - gold)}"
            )
    _print(rows, seconds)
    for repo in sorted(missing):
        print(f"skipped {repo}: no clone at {Path(args.repos) / repo.replace('/', '+')}")


def _print(rows: dict[str, list[int]], seconds: list[float]) -> None:
    print(
        f"{'repository':<32} {'commits':>7} {'new':>5} {'found':>6} {'missed':>7} "
        f"{'not new':>8} {'recall':>7}"
    )
    total = [0, 0, 0, 0, 0]
    for repo, row in sorted(rows.items()):
        total = [a + b for a, b in zip(total, row, strict=True)]
        print(_row(repo, row))
    print(_row("all", total))
    if seconds:
        print(
            f"median {statistics.median(seconds):.2f} s per commit (ChangeSet + check), "
            f"max {max(seconds):.2f} s"
        )


def _row(label: str, row: list[int]) -> str:
    commits, gold, tp, fn, fp = row
    recall = f"{tp / gold:.0%}" if gold else "-"
    return f"{label:<32} {commits:>7} {gold:>5} {tp:>6} {fn:>7} {fp:>8} {recall:>7}"


if __name__ == "__main__":
    main()
