"""What a central policy costs a run: requests to GitHub and wall time to load the policy.

A platform team's 500 repositories share one App installation's rate limit, so requests
per run matter more than milliseconds. The same policy is loaded five ways, side by side:
as a file of the repository itself (the baseline), from a ``--policy-repo`` clone, and
through the loopback stand-in for api.github.com (which validates every request against
GitHub's REST description) pinned by tag, by sha, and by sha with the per-commit cache.
Usage: python bench/bench_policy.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gatekeeper.changes.pullrequest import PullRequest  # noqa: E402
from gatekeeper.github.central import CommitCache, GitHubPolicyRepos  # noqa: E402
from gatekeeper.github.client import GitHubClient  # noqa: E402
from gatekeeper.plugins import discover  # noqa: E402
from gatekeeper.policy.central import CentralPolicies, PolicyRepos  # noqa: E402
from gatekeeper.policy.checkouts import LocalCheckouts  # noqa: E402
from gatekeeper.policy.load import load_policy  # noqa: E402
from tests.github.fakegithub import TOKEN, FakeGitHub  # noqa: E402
from tests.github.ghspec import FIXTURE, SpecValidator  # noqa: E402
from tests.policy.central import BASE_V3, COMMON, REPO, make_central  # noqa: E402

CHECKS = discover().classes()


def _time(load: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _policy(ref: str) -> str:
    return f'version: 1\nextends: ["{ref}"]\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ops = json.loads(FIXTURE.read_text(encoding="utf-8"))["operations"]
    with tempfile.TemporaryDirectory() as tmp:
        central = make_central(Path(tmp) / "policies")
        fake = FakeGitHub([SpecValidator(ops)]).start()
        fake.repositories[REPO] = central.root
        client = GitHubClient(TOKEN, fake.url)
        cache = CommitCache(Path(tmp) / "cache")
        files = {"org/base.yml": BASE_V3, "gatekeeper/common.yml": COMMON}
        sha = f"github:{REPO}/gatekeeper/base.yml@{central.v3}"
        tag = f"github:{REPO}/gatekeeper/base.yml@v3"
        ways: list[tuple[str, str, PolicyRepos | None]] = [
            ("repository file (baseline)", _policy("org/base.yml"), None),
            ("--policy-repo clone, tag", _policy(tag), LocalCheckouts({REPO: central.root})),
            ("GitHub API, tag", _policy(tag), GitHubPolicyRepos(client)),
            ("GitHub API, sha", _policy(sha), GitHubPolicyRepos(client)),
            ("GitHub API, sha, cached", _policy(sha), GitHubPolicyRepos(client, cache)),
        ]
        print(f"{'how the central file is read':32} {'requests/run':>12} {'median ms':>10}")
        for name, text, repos in ways:
            before = len(fake.calls)

            def load(text: str = text, repos: PolicyRepos | None = repos) -> object:
                reader = CentralPolicies(repos)
                return load_policy(
                    text,
                    source=".github/gatekeeper.yml",
                    checks=CHECKS,
                    pr=PullRequest(),
                    read_file=files.get,
                    central=reader,
                )

            load()  # warm: the cache fills, imports settle
            warm = len(fake.calls)
            ms = _time(load, args.runs)
            per_run = (len(fake.calls) - warm) / args.runs
            print(f"{name:32} {per_run:12.1f} {ms:10.1f}   (first run: {warm - before} requests)")
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
