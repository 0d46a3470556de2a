"""Run the openapi engine over consecutive published versions of real APIs.

The specs are not committed: each history names a public repository (brought onto the
machine with the search tool's ``fetch``, which leaves a bare git directory under
``/work/.mirror/OWNER+NAME/repo``), the spec's path in it, and the commits, oldest first,
that published consecutive versions. Every error finding the gate would make (copies of
one shared-schema change grouped, as in the gate) is printed, one JSON object a line, so
a reader can label it; with ``--labels`` the script scores those labels.

- Stripe (``stripe/openapi``, ``openapi/spec3.json``): every version below is API version
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

HISTORIES: dict[str, tuple[str, str, list[str]]] = {
    "stripe": (
        "stripe/openapi",
        "openapi/spec3.json",
        "26c0399948e51a5c471aa15290684bea280cfe14 628e7c2cfafaeaf97dbb8ca920997081d4c35824 "
        "067bdc5ef4f1605bcbc522db06e96e1baa2121ed d70de345383dd818a0ce831f4e20d375c5a90cec "
        "31569c9398a3eca6b21e566e779a6d2bfd94c130 28e1e6d457716cd471ec77e72d72e4fb12642558 "
        "7734045c0046c10580eb59e19ebb8ba7c9645ae8 4d2f3018d1502e67cb70d1e36242cb0afb5afa0f "
        "058df08c3aca753396eb134171c6e15a3d2e3710 1e6040b20b41a0c5140baa5958e654351d092cea "
        "10fe9f5f7bac9e185365c55704ad9f09387d4881 7a9733e7ec0ecd45807f0d2f5d98486075c4b7d8 "
        "adc02f76c91c712ba950c46066aefad341bb9a36 a28562436c551dd264c121668659bbd0c7549517 "
        "2775931b91765f7e03ff00507f6f3e5907edaa6e 3c477c01063c854581882a90680c74d4124453f1 "
        "1707cb8172ca8ba8b177433bf7226ab1c293a240 07922e0e80d767475a8f8291eea3a2d2720ef13c "
        "21965d136ba325a207512912d5060b469858524f d65ebba0f5a5d963c083b1992e35d853945d1a6f "
        "c67165155137a22a7edb71bdb32ec568e165ef3e ba6600696f69a115f05fdbde71962208ce2b1610 "
        "9664a382e761e7b4c68ba280c5a748c32d6b8004 a0ffdbc36c304052fb557f9e8b4107e1e3b93ba7 "
        "2956fca7ec618c307b40595971b0b6f130fb6c7b dc3ef48c31f9b3d1efc042032c64d02cc15f6919 "
        "1700e209cda7f74ff186b9d6e54d0da12d87b3ff ac382e82727b95e4c4f1bb3c4ec3a67b4a7da336 "
        "d41298323ca953bf0b475b685a63515aed1e0c73 fc5a2b929316340c1e19c5f5178bd3a8e10f49de "
        "e0123a38b40c8d840b4c0469ac0ee1650b6bfea3".split(),
    ),
    "kubernetes": (
        "kubernetes-client/python",
        "kubernetes/swagger.json.unprocessed",
        "a0e401e364cd7ae9d121bf070497338fa8068324 ab097519b892fee271fa6366d7e2893bee36dfc3 "
        "2aa427de83242d45215d2dab3ae6cd2224b42d08 35fb14eea81712128ab396592802159ef2fc3ecc "
        "5342870c0dbec944419096a15cbb326831a18d3e 1cc7ca51bed5b924f5d35c91c1f3578158a703c0 "
        "4f585b3b8eb46c8afada5fa74200d9c859e2e92e 82420b325c06006b14557fd28a2ed8ab906a6e95 "
        "ac0ee5091f0b801911c906558030e2624a26bdf8".split(),
    ),
    "adyen-checkout-v71": (
        "Adyen/adyen-openapi",
        "json/CheckoutService-v71.json",
        "d6a1a9bf1ff6ad986dd0cbe75002e2570da7c8b8 824a1aa8edf7b646e86c96705acc4e122987f7c7 "
        "636eefb2b02cd639d5a11c89eca781d5bfedd242 bb2a964906ad0fafc7a6f256ae5ec039a704e3cf "
        "3537ae74a8df7450d05221befee84979f7926abc 6c5e3151a474981e3c07f5fae58b99c7aeb86182 "
        "ff133767b995336981d4353a90e7994278dfbb06 e06eb88feba7ce3034c2806a09f7b56b0977f5c9 "
        "1d0924a5db181a34344f7906556db7282c35a8b1 0f595a30fd3fe61e543cdd2bb2cd6dba9cc62208 "
        "87879958be35c1e5210587a1abe428dbaf60edd4 6cdf7af4ae8435e7b39c88349162eb901206c656 "
        "4a3990cac5fc484ddb74e7e5ee393ecfe670338e f1b0beb96d24fa86fe52b66317881f7a161e40e8 "
        "cab5825b6a2530afffd650eef9bc2274b249ea91 033c5fc461be21fed1ba2336f050a42228dd8d10 "
        "0a007ceb09be11eda72b73930072c9f7c7e6571b a0b1ce66d09bd94710d130e8457b5ef45db02812 "
        "293dba51d23ed61fa4591925846eeced9c7379ba 4ce16a2164adaf7589de17786af50f9fa011a807 "
        "2e8cd3bcbe845dfb07bdaa5cf41cb44aaf573f7d aa5556ef9586980ba6c319d0750fb38d7bbda09b "
        "ab42e887fd36d43b82acbd9ff6ea3f5957c43a2e c17deb734dee105f2d25e50825bed55fdbd71c50 "
        "74fabab0628019206b77c4823776b726345a035d".split(),
    ),
}


def _blob(git_dir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"],
        check=True,
        capture_output=True,
    ).stdout


def _pairs(name: str, mirror: Path) -> list[tuple[str, str, bytes, bytes]]:
    repo, path, commits = HISTORIES[name]
    git_dir = mirror / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir():
        sys.exit(f"{git_dir} is missing: fetch github:{repo} with the search tool first")
    blobs = [_blob(git_dir, c, path) for c in commits]
    return [
        (commits[i], commits[i + 1], blobs[i], blobs[i + 1]) for i in range(len(commits) - 1)
    ]


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--src", default=str(Path(__file__).resolve().parents[1] / "src"))
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--only", choices=sorted(HISTORIES))
    ap.add_argument("--out", help="write every error finding here, one JSON object a line")
    ap.add_argument("--labels", help="JSON: {key: 'real' | 'false'} from an earlier --out")
    args = ap.parse_args()
    sys.path.insert(0, args.src)
    labels: dict[str, str] = json.loads(Path(args.labels).read_text()) if args.labels else {}
    rows: list[dict[str, Any]] = []
    for name in [args.only] if args.only else sorted(HISTORIES):
        started = time.perf_counter()
        total_changes = 0
        for base_c, head_c, base, head in _pairs(name, Path(args.mirror)):
            found, changes = _errors(base, head, name)
            total_changes += changes
            for f in found:
                rows.append({"key": _key(name, head_c, f), "history": name, **f})
        mine = [r for r in rows if r["history"] == name]
        print(
            f"{name}: {len(HISTORIES[name][2]) - 1} pairs, {len(mine)} error findings "
            f"({total_changes} error changes) in {time.perf_counter() - started:.1f}s"
        )
        if labels:
            false = [r for r in mine if labels.get(r["key"]) == "false"]
            unlabelled = [r for r in mine if r["key"] not in labels]
            share = 100.0 * len(false) / len(mine) if mine else 0.0
            print(f"  false: {len(false)} ({share:.1f}%), unlabelled: {len(unlabelled)}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
