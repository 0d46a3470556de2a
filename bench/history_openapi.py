"""Run the openapi engine over consecutive published versions of real APIs.

The specs are not committed: each history in ``history_openapi.json`` names a public
repository (brought onto the machine with the search tool's ``fetch``, which leaves a bare
git directory under ``/work/.mirror/OWNER+NAME/repo``), the spec's path in it, and the
commits, oldest first, that published consecutive versions. Every error finding the gate
would make (copies of one shared-schema change grouped, as in the gate) is printed, one
JSON object a line, so a reader can label it; with ``--labels`` the script scores them.

- Stripe (``stripe/openapi``, ``openapi/spec3.json``): 161 versions, every one API version
  2020-08-27, and Stripe promises no breaking change within an API version, so every
  error finding is either a real slip or a false positive.
- Kubernetes (``kubernetes-client/python``, ``kubernetes/swagger.json.unprocessed``):
  one version per client release (Kubernetes 1.28 to 1.35); beta APIs may go.
- Adyen Checkout v71 (``Adyen/adyen-openapi``, ``json/CheckoutService-v71.json``): one
  API version, which Adyen does not break within a version.

Usage: python bench/history_openapi.py [--src DIR] [--mirror DIR] [--only NAME]
       [--out FILE] [--labels FILE]
``--src`` runs another checkout's engine (e.g. an older tree) for a before/after figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: name -> {repo, path, why, commits (oldest first)}
HISTORIES: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).with_suffix(".json")).read_text(encoding="utf-8")
)


def _blob(git_dir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def _pairs(name: str, mirror: Path) -> list[tuple[str, str, bytes, bytes]]:
    h = HISTORIES[name]
    repo, path, commits = h["repo"], h["path"], h["commits"]
    git_dir = mirror / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        sys.exit(f"{git_dir} is missing: fetch github:{repo} with the search tool first")
    blobs = [_blob(git_dir, c, path) for c in commits]
    return [(commits[i], commits[i + 1], blobs[i], blobs[i + 1]) for i in range(len(commits) - 1)]


def _errors(base: bytes, head: bytes, name: str) -> tuple[list[dict[str, Any]], int]:
    from gatekeeper.checks.openapi.engine import compare, load_spec
    from gatekeeper.checks.openapi.group import group

    file = "spec.json"
    b = load_spec(file, lambda p: base if p == file else None)
    h = load_spec(file, lambda p: head if p == file else None)
    changes = compare(b, h)
    out = []
    for g in group(h.doc, changes):
        if g.level.value != "error":
            continue
        out.append({"rule": g.rule, "message": g.message, "changes": len(g.changes)})
    return out, sum(1 for c in changes if c.level.value == "error")


def _key(history: str, head: str, finding: dict[str, Any]) -> str:
    return f"{history}|{head[:10]}|{finding['rule']}|{finding['message']}"


def _verdict(row: dict[str, Any], labels: list[dict[str, str]]) -> str:
    """The first label that matches a finding: history, head commit, rule, message text."""
    _, head, rule, message = row["key"].split("|", 3)
    for label in labels:
        if (
            label["history"] in ("*", row["history"])
            and head.startswith(label["pair"])
            and label["rule"] in ("*", rule)
            and label["contains"] in message
        ):
            return label["verdict"]
    return "unlabelled"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"))
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--only", choices=sorted(HISTORIES))
    ap.add_argument("--out", help="write every error finding here, one JSON object a line")
    ap.add_argument(
        "--labels",
        default=str(Path(__file__).with_name("history_openapi_labels.json")),
        help="labels to score the error findings with ('' for none)",
    )
    args = ap.parse_args()
    sys.path.insert(0, args.src)
    labels = json.loads(Path(args.labels).read_text())["labels"] if args.labels else []
    rows: list[dict[str, Any]] = []
    for name in [args.only] if args.only else sorted(HISTORIES):
        started = time.perf_counter()
        total_changes = 0
        for _base_c, head_c, base, head in _pairs(name, Path(args.mirror)):
            found, changes = _errors(base, head, name)
            total_changes += changes
            for f in found:
                rows.append({"key": _key(name, head_c, f), "history": name, **f})
        mine = [r for r in rows if r["history"] == name]
        print(
            f"{name}: {len(HISTORIES[name]['commits']) - 1} pairs, {len(mine)} error findings "
            f"({total_changes} error changes) in {time.perf_counter() - started:.1f}s"
        )
        if labels:
            verdicts = [_verdict(r, labels) for r in mine]
            false = verdicts.count("false")
            share = 100.0 * false / len(mine) if mine else 0.0
            print(
                f"  false error findings: {false} of {len(mine)} ({share:.1f}%), "
                f"unlabelled: {verdicts.count('unlabelled')}"
            )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
