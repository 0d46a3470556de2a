"""Benchmark the openapi check against api-smart-diff 1.0.6 (npm), side by side in one run.

For each real pair of ../shared/corpus/specs it times, in fresh processes:
- gatekeeper's whole check path: load both specs, validate the head (jsonschema-rs),
  diff, render JSON; with its peak memory (ru_maxrss of the child); and, apart from the
  total, how many findings the gate makes once copies of shared-schema changes are grouped;
- api-smart-diff's ``apiCompare`` alone (node; installed into a temp dir outside the
  repository on first use with ``npm install api-smart-diff@1.0.6``; never committed).

Usage: python bench/bench_openapi.py [--corpus DIR] [--npm-dir DIR] [--skip-peer]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PAIRS = (
    ("github-rest-17.0.0.json", "github-rest-23.0.2.json"),
    ("stripe-2022-04-07.spec3.json", "stripe-2022-04-12.spec3.json"),
    ("kubernetes-2025-09.swagger.json", "kubernetes-2026-05.swagger.json"),
)

_OURS = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from gatekeeper.checks.openapi.engine import compare, load_spec
from gatekeeper.checks.openapi.group import group
from gatekeeper.checks.openapi.validate import structural, semantic
folder, base, head = Path(sys.argv[2]), sys.argv[3], sys.argv[4]
read = lambda p: (folder / p).read_bytes() if (folder / p).is_file() else None
t0 = time.perf_counter()
b = load_spec(base, read)
h = load_spec(head, read)
t1 = time.perf_counter()
invalid = structural(h) + semantic(h)
t2 = time.perf_counter()
changes = compare(b, h)
t3 = time.perf_counter()
out = json.dumps({"findings": [{"rule": c.rule, "level": c.level.value, "message": c.message,
      "operation": c.operation, "path": head, "line": c.line} for c in changes]}, sort_keys=True)
t4 = time.perf_counter()
groups = group(h.doc, changes)
t5 = time.perf_counter()
merged = [g for g in groups if g.grouped]
gate = {"findings": len(groups), "grouped_changes": sum(len(g.changes) for g in merged),
        "groups": len(merged), "group_s": t5 - t4}
levels = {lv: sum(1 for c in changes if c.level.value == lv) for lv in ("error", "warning", "info")}
print(json.dumps({"load": t1 - t0, "validate": t2 - t1, "diff": t3 - t2, "render": t4 - t3,
      "total": t4 - t0, "invalid": len(invalid), "levels": levels, "changes": len(changes),
      "gate": gate, "bytes": len(out),
      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_PEER = r"""
const fs = require('fs');
const { apiCompare } = require(process.argv[2]);
const a = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const b = JSON.parse(fs.readFileSync(process.argv[4], 'utf8'));
const t0 = process.hrtime.bigint();
const { diffs } = apiCompare(a, b);
const t1 = process.hrtime.bigint();
const kinds = {};
for (const d of diffs) kinds[d.type] = (kinds[d.type] || 0) + 1;
console.log(JSON.stringify({diff: Number(t1 - t0) / 1e9, count: diffs.length, kinds,
  peak_mb: process.resourceUsage().maxRSS / 1024}));
"""


def _peer_module(npm_dir: Path) -> Path:
    module = npm_dir / "node_modules" / "api-smart-diff"
    if not module.is_dir():
        npm_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "init", "-y"], cwd=npm_dir, check=True, capture_output=True)
        subprocess.run(
            ["npm", "install", "api-smart-diff@1.0.6"], cwd=npm_dir, check=True, capture_output=True
        )
    return module


def _run(cmd: list[str]) -> dict[str, object]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    if proc.returncode != 0:
        return {
            "error": proc.stderr.strip().splitlines()[-1:] or ["failed"],
            "wall": time.perf_counter() - started,
        }
    data: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    data["wall"] = time.perf_counter() - started
    return data


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_corpus = Path(__file__).resolve().parents[2] / "shared" / "corpus"
    ap.add_argument(
        "--corpus",
        default=str(default_corpus if default_corpus.is_dir() else "/work/shared/corpus"),
    )
    ap.add_argument("--npm-dir", default=str(Path(tempfile.gettempdir()) / "gatekeeper-bench-npm"))
    ap.add_argument("--skip-peer", action="store_true")
    args = ap.parse_args()
    specs = Path(args.corpus) / "specs"
    module = None if args.skip_peer else _peer_module(Path(args.npm_dir))
    with tempfile.TemporaryDirectory() as tmp:
        ours_py, peer_js = Path(tmp) / "ours.py", Path(tmp) / "peer.js"
        ours_py.write_text(_OURS, encoding="utf-8")
        peer_js.write_text(_PEER, encoding="utf-8")
        for base, head in PAIRS:
            ours = _run([sys.executable, str(ours_py), str(SRC), str(specs), base, head])
            line = {"pair": f"{base} -> {head}", "gatekeeper": ours}
            if module is not None:
                peer = _run(
                    ["node", str(peer_js), str(module), str(specs / base), str(specs / head)]
                )
                line["api-smart-diff"] = peer
                if "total" in ours and "diff" in peer:
                    line["speedup"] = round(float(peer["diff"]) / float(ours["total"]), 1)  # type: ignore[arg-type]
            print(json.dumps(line, sort_keys=True))
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
