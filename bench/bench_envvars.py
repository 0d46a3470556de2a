"""The env-vars check on a 1,000-file change, in a big and a ten-times-smaller repository.

Issue 7's target: ≤ 2 s for a 1,000-file change in a repository of 20,000 files, and cost
follows the diff (documentation is read once; the repository's other code never is).
Usage: python bench/bench_envvars.py [--files 20000] [--changed 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from gatekeeper.changes.build import changeset_from_git
from gatekeeper.checks.envvars import EnvVarsCheck
from gatekeeper.testing import context, defaults

LANGS = {
    ".py": "import os\nA{n} = os.environ.get('SETTING_{n}')\nB{n} = os.getenv('NEW_{n}')\n",
    ".ts": "export const a{n} = process.env.SETTING_{n};\nconst {{ NEW_{n} }} = process.env;\n",
    ".go": 'package p\nimport "os"\nvar A{n} = os.Getenv("SETTING_{n}") + os.Getenv("NEW_{n}")\n',
}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def build(root: Path, files: int, changed: int) -> tuple[str, str]:
    """``files`` source files; head adds a new variable to ``changed`` of them."""
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "b@example.com")
    _git(root, "config", "user.name", "B")
    suffixes = sorted(LANGS)
    for n in range(files):
        suffix = suffixes[n % len(suffixes)]
        path = root / "src" / f"d{n // 200}" / f"f{n}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(LANGS[suffix].format(n=n).splitlines()[0] + "\n")
    # the documentation is the same size in both repositories: only the code grows
    docs = "".join(f"SETTING_{n}=x\n" for n in range(changed))
    (root / ".env.example").write_text(docs)
    (root / "docs").mkdir()
    (root / "docs" / "config.md").write_text(
        "| name |\n|---|\n" + "".join(f"| `NEW_{n}` |\n" for n in range(0, changed, 2))
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    for n in range(changed):
        suffix = suffixes[n % len(suffixes)]
        path = root / "src" / f"d{n // 200}" / f"f{n}{suffix}"
        path.write_text(LANGS[suffix].format(n=n))
    _git(root, "commit", "-q", "-am", "head")
    return base, _git(root, "rev-parse", "HEAD")


def run_once(root: Path, base: str, head: str) -> tuple[float, int]:
    """Seconds for ChangeSet + check, and how many findings."""
    start = time.perf_counter()
    check = EnvVarsCheck()
    ctx = context(changeset_from_git(root, base, head), defaults(check))
    found = list(check.run(ctx)) if check.applies(ctx) else []
    return time.perf_counter() - start, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--changed", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    for files in (args.files, args.files // 10):
        with tempfile.TemporaryDirectory(prefix="gk-env-") as tmp:
            base, head = build(Path(tmp), files, args.changed)
            run_once(Path(tmp), base, head)  # warm
            seconds, count = min(run_once(Path(tmp), base, head) for _ in range(3))
            rows.append((files, seconds, count))
    print(f"{'repository':>10} {'changed':>8} {'seconds':>8} {'findings':>9}")
    for files, seconds, count in rows:
        print(f"{files:>10} {args.changed:>8} {seconds:8.2f} {count:>9}")
    big, small = rows[0][1], rows[1][1]
    print(
        f"big {big:.2f} s (target ≤ 2 s), big/small {big / small:.2f}:"
        f" {'OK' if big <= 2 else 'OVER TARGET'}"
    )


if __name__ == "__main__":
    main()
