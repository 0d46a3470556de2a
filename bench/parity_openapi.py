"""Score the openapi engine against oasdiff's expectations (../shared/corpus/oasdiff/parity.json).

Usage: python bench/parity_openapi.py [--corpus DIR] [--min-score PCT] [--quiet]
Prints the score and every failing entry; exits 1 below --min-score.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gatekeeper.checks.openapi.parity import score


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--corpus", default=str(Path(__file__).resolve().parents[2] / "shared" / "corpus")
    )
    ap.add_argument("--min-score", type=float, default=0.0)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    root = Path(args.corpus) / "oasdiff"
    if not root.is_dir():
        root = Path("/work/shared/corpus/oasdiff")
    started = time.perf_counter()
    result = score(root)
    if not args.quiet:
        for failure in result.failures:
            print(json.dumps(failure, sort_keys=True))
    pct = 100.0 * result.passed / result.total
    print(
        f"parity: {result.passed}/{result.total} = {pct:.1f}% "
        f"(known exceptions {result.excepted}) in {time.perf_counter() - started:.1f}s"
    )
    return 1 if pct < args.min_score else 0


if __name__ == "__main__":
    raise SystemExit(main())
