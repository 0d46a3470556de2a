"""The secrets part alone over the replay set's commits, to measure a rule change's noise.

    PYTHONPATH=<worktree>/src python bench/secrets_scan.py OUT.jsonl [--repo R]
    python bench/secrets_scan.py --compare BEFORE.jsonl AFTER.jsonl

Each `tune` commit of ``bench/replay/commits.yml`` is read from its mirror
(``<mirrors>/<owner>+<name>/repo``, cloned ``--shared`` into a temp folder) as the change
from its first parent, and only the security check's secrets part runs on it, with the
part's defaults: no other check, no dependency lookups, so the ~1,800 commits take about
ten minutes. Run it once with the old code on ``PYTHONPATH`` and once with the new, then
``--compare`` lists every finding one run has and the other has not (matched on repository,
commit, path, rule and fingerprint). Each output line is one finding, or a commit that
could not be read (``"error"``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.security import SecurityCheck
from gatekeeper.testing import context

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.replay_commits import Commit, load_commits

COMMITS = Path(__file__).resolve().parent / "replay" / "commits.yml"
CONFIG = {"bandit": False, "secrets": True, "dependencies": False, "sensitive": False}


def _mirror(mirrors: Path, repo: str) -> Path | None:
    for path in (mirrors / repo.replace("/", "+") / "repo", mirrors / repo.replace("/", "+")):
        if (path / "HEAD").exists() or (path / ".git").exists():
            return path
    return None


def _scan(work: Path, commit: Commit) -> Iterator[dict[str, Any]]:
    """The secrets part's findings on one commit, as JSON rows."""
    with changeset_from_git(work, commit.sha + "^", commit.sha, fetch_missing=False) as changes:
        ctx = context(changes, CONFIG)
        found = list(SecurityCheck().run(ctx))
    base = {"repo": commit.repo, "sha": commit.sha}
    for failure in ctx.part_failures:
        yield {**base, "error": f"{failure.part}: {failure.reason}"}
    for f in found:
        loc = f.location
        yield {
            **base,
            "path": loc.path if loc else "",
            "line": loc.start_line if loc else None,
            "rule": f.rule,
            "level": f.level.name,
            "fp": f.fingerprint,
            "msg": f.message,
        }


def scan(out: Path, mirrors: Path, only: list[str]) -> None:
    """Write every finding of every tune commit (of ``only`` repositories if given)."""
    commits = [
        c for c in load_commits(COMMITS) if c.split == "tune" and (not only or c.repo in only)
    ]
    by_repo: dict[str, list[Commit]] = {}
    for c in commits:
        by_repo.setdefault(c.repo, []).append(c)
    scanned, started = 0, time.monotonic()
    with out.open("w") as fh, tempfile.TemporaryDirectory(prefix="secrets-scan-") as tmp:
        for repo, repo_commits in by_repo.items():
            mirror = _mirror(mirrors, repo)
            if mirror is None:
                fh.write(json.dumps({"repo": repo, "error": "no mirror"}) + "\n")
                continue
            work = Path(tmp) / repo.replace("/", "+")
            clone = ["git", "clone", "-q", "--no-checkout", "--shared", str(mirror), str(work)]
            subprocess.run(clone, check=True)
            for c in repo_commits:
                try:
                    rows = list(_scan(work, c))
                except Exception as exc:  # a commit the mirror cannot give is reported
                    rows = [{"repo": repo, "sha": c.sha, "error": repr(exc)[:300]}]
                scanned += not any("error" in r and "path" not in r for r in rows)
                fh.writelines(json.dumps(r) + "\n" for r in rows)
    took = time.monotonic() - started
    print(f"{scanned} of {len(commits)} commits scanned in {took:.0f} s", file=sys.stderr)


def _load(path: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    rows = (json.loads(line) for line in path.read_text().splitlines() if line.strip())
    return {
        (r["repo"], r["sha"], r["path"], r["rule"], r["fp"]): r for r in rows if "error" not in r
    }


def compare(before: Path, after: Path) -> None:
    """Print the findings only one of two runs has."""
    old, new = _load(before), _load(after)
    added = [new[k] for k in new if k not in old]
    gone = [old[k] for k in old if k not in new]
    print(f"before {len(old)} findings, after {len(new)}: {len(added)} new, {len(gone)} gone")
    for tag, rows in (("NEW", added), ("GONE", gone)):
        for r in rows:
            where = f"{r['repo']} {r['sha'][:10]} {r['path']}:{r['line']}"
            print(tag, where, r["rule"], r["level"], r["msg"][:120])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", help="where to write the findings")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--repo", action="append", default=[], help="only this repository")
    parser.add_argument("--compare", type=Path, nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        compare(*args.compare)
    elif args.out:
        scan(args.out, args.mirrors, args.repo)
    else:
        parser.error("give OUT.jsonl, or --compare BEFORE AFTER")


if __name__ == "__main__":
    main()
