"""The action's own overhead: everything ``gatekeeper action`` does except running checks.

Issue 8's target: ≤ 1 s of wall time plus one request per 50 annotations. The gate is a
stand-in returning a prepared verdict, so what is timed is reading the event, the API
calls for commits and reviews, rendering, the check run with its annotation batches, the
sticky comment, the step summary and the outputs, against the loopback stand-in for
api.github.com (which validates every request against GitHub's REST description).
Usage: python bench/bench_action.py [--findings 0 50 130 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gatekeeper.github.action import run_action  # noqa: E402
from gatekeeper.model import (  # noqa: E402
    CheckOutcome,
    Finding,
    Level,
    Location,
    Result,
    Severity,
    Status,
    Verdict,
)
from tests.github.fakegithub import TOKEN, FakeGitHub  # noqa: E402
from tests.github.ghspec import FIXTURE, SpecValidator  # noqa: E402

#: requests that do not depend on the findings: commits, reviews, check run, comment list+write
FIXED_REQUESTS = 5


def verdict(n: int) -> Verdict:
    results = tuple(
        Result(
            Finding(
                "demo",
                "problem",
                f"problem {i}",
                Level.ERROR,
                Location(f"src/m{i % 7}.py", i + 1),
                f"fp{i}",
            ),
            Severity.BLOCK,
        )
        for i in range(n)
    )
    outcome = CheckOutcome("demo", "Demo", Status.FAILED if n else Status.PASSED, results)
    return Verdict(met=n == 0, outcomes=(outcome,), base="b" * 40, head="h" * 40)


def environment(tmp: Path, server: FakeGitHub) -> dict[str, str]:
    event = tmp / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 1,
                    "user": {"login": "alice", "type": "User"},
                    "base": {"ref": "main", "sha": "b" * 40},
                    "head": {"ref": "x", "sha": "h" * 40},
                }
            }
        ),
        encoding="utf-8",
    )
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": server.url,
        "GITHUB_WORKSPACE": str(tmp),
        "GITHUB_OUTPUT": str(tmp / "out"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary"),
        "INPUT_TOKEN": TOKEN,
    }


def one_run(n: int, tmp: Path, validators: list[SpecValidator]) -> tuple[float, int]:
    """Seconds and requests for one action run with ``n`` findings."""
    server = FakeGitHub(validators).start()
    try:
        prepared = verdict(n)

        def gate(opts: Any) -> Verdict:
            return prepared

        env = environment(tmp, server)
        start = time.perf_counter()
        run_action(env, gate=gate, stdout=io.StringIO())
        elapsed = time.perf_counter() - start
        if server.rejections:
            raise SystemExit(f"invalid requests: {server.rejections}")
        return elapsed, len(server.calls)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--findings", type=int, nargs="+", default=[0, 50, 130, 200])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ops = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    validators = [SpecValidator(ops)]
    failed = False
    print(f"{'findings':>8} {'median s':>9} {'requests':>8} {'allowed':>7}  verdict")
    with tempfile.TemporaryDirectory(prefix="gk-bench-action-") as tmp:
        one_run(1, Path(tmp), validators)  # warm imports (reporters load lazily)
        for n in args.findings:
            samples = [one_run(n, Path(tmp), validators) for _ in range(args.runs)]
            seconds = statistics.median(s for s, _ in samples)
            requests = samples[0][1]
            allowed = FIXED_REQUESTS + max(0, math.ceil(min(n, 200) / 50) - 1)
            ok = seconds <= 1.0 and requests <= allowed
            failed |= not ok
            print(f"{n:>8} {seconds:>9.3f} {requests:>8} {allowed:>7}  {'ok' if ok else 'OVER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
