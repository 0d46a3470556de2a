"""Hostile inputs against the whole gate: time and peak memory per input.

Each case is a real git repository whose base policy enables the check under attack and
whose head (or PR event, or CI report) carries the hostile input: YAML alias bombs, texts
that made a pattern super-linear, and 200 MB specs, coverage reports, SARIF and JUnit
files and diffs. Every case runs ``gatekeeper run`` in a fresh process and prints its
wall time, its peak resident memory (the largest process of the run, git included) and
what the gate answered, side by side with the budget the issue set (a bomb refused in
well under a second; under 300 MB on a 200 MB input).

    python bench/bench_adversarial.py                 # every case (200 MB ones take minutes)
    python bench/bench_adversarial.py --size-mb 20    # the big inputs at 20 MB
    python bench/bench_adversarial.py --only bomb     # cases whose name contains "bomb"
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

#: the wrapper that runs the gate and reports the peak RSS of everything it waited for
_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(done.returncode, peak, sep="\\n")
sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
"""


@dataclass
class Case:
    """A repository to build and the gate run over it."""

    name: str
    budget: str
    build: Callable[[Path, int], dict[str, str]]  # writes files; returns extra CLI options
    files_at_base: dict[str, str] = field(default_factory=dict)


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _repo(root: Path, policy: str) -> str:
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.email", "bench@example.com")
    _git(root, "config", "user.name", "bench")
    (root / ".github").mkdir()
    (root / ".github/gatekeeper.yml").write_text(policy)
    (root / "README.md").write_text("base\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return _git(root, "rev-parse", "HEAD")


def _commit(root: Path) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "head")
    return _git(root, "rev-parse", "HEAD")


def _bomb(levels: int = 9) -> list[str]:
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return lines


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _repeat_to(path: Path, head: str, unit: str, size: int, tail: str = "") -> None:
    """Write ``head``, whole copies of ``unit`` up to about ``size`` bytes, then ``tail``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    per_chunk = max(1, (1 << 20) // len(unit))
    copies = max(1, (size - len(head) - len(tail)) // len(unit))
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        while copies > 0:
            n = min(per_chunk, copies)
            out.write(unit * n)
            copies -= n
        out.write(tail)


# --- the cases ---------------------------------------------------------------------------


def spec_bomb(root: Path, _: int) -> dict[str, str]:
    head = ["openapi: 3.0.3", "info: {title: t, version: '1'}", *_bomb(), "paths: {}"]
    _write(root / "openapi.yaml", "\n".join(head) + "\n")
    return {}


def compose_bomb(root: Path, _: int) -> dict[str, str]:
    body = [*_bomb(), "services:", "  web: {image: x, environment: {A: '1'}, x: *a8}"]
    _write(root / "docker-compose.yml", "\n".join(body) + "\n")
    return {}


def _event(root: Path, body: str) -> dict[str, str]:
    event = root.parent / f"{root.name}-event.json"
    event.write_text(json.dumps({"pull_request": {"number": 1, "title": "t", "body": body}}))
    return {"--pr-event": str(event)}


def task_spaces(root: Path, _: int) -> dict[str, str]:
    _write(root / "a.txt", "changed\n")
    return _event(root, "- [ ] " + " " * 60_000 + "x\n# a" + " " * 60_000 + "b\n")


def text_pumps(root: Path, _: int) -> dict[str, str]:
    """One megabyte of each pattern-pumping text the audit found (all fixed)."""
    mb = 1 << 20
    _repeat_to(root / "run.sh", "#!/bin/sh\n", " x[", mb)
    _repeat_to(root / "docker-compose.yml", "services: {}\n# ", "${a:-", mb)
    _repeat_to(root / ".github/workflows/ci.yml", "on: push\n# ", "${{", mb)
    _repeat_to(root / "Dockerfile", "FROM x\n", "\n", mb)
    _repeat_to(root / "token.txt", "t = ", "eyJ-", mb)
    _repeat_to(root / "prod.env", "A=x", " ", mb, "y\n")
    _repeat_to(root / "migrations/versions/a1.py", "", "revision: ", mb)
    _repeat_to(root / "db/1_x.up.sql", "SELECT 1;\n", "{{", mb)
    _repeat_to(root / "spec.yaml", "", "\n", mb)
    return {}


def big_spec(root: Path, size: int) -> dict[str, str]:
    unit = '    "/p{}": {{"get": {{"responses": {{"200": {{"description": "ok"}}}}}}}},\n'
    head = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {\n'
    path = root / "openapi.json"
    with path.open("w") as out:
        out.write(head)
        written, i = len(head), 0
        while written < size:
            line = unit.format(i)
            out.write(line)
            written, i = written + len(line), i + 1
        out.write('    "/end": {}\n}}\n')
    return {}


def big_cobertura(root: Path, size: int) -> dict[str, str]:
    _write(root / "app.py", "x = 1\n")
    report = root / "coverage.xml"
    head = (
        '<?xml version="1.0" ?>\n<coverage lines-valid="1" lines-covered="1" '
        'branches-valid="0" branches-covered="0">\n<sources><source>.</source></sources>\n'
        "<packages><package><classes>\n"
    )
    unit = '<class filename="f{}.py"><lines><line number="1" hits="1"/></lines></class>\n'
    with report.open("w") as out:
        out.write(head)
        written, i = len(head), 0
        while written < size:
            line = unit.format(i)
            out.write(line)
            written, i = written + len(line), i + 1
        out.write('<class filename="app.py"><lines><line number="1" hits="1"/></lines></class>\n')
        out.write("</classes></package></packages></coverage>\n")
    return {}


def big_coverage_json(root: Path, size: int) -> dict[str, str]:
    _write(root / "app.py", "x = 1\n")
    files = {}
    unit = {"executed_lines": list(range(1, 200)), "missing_lines": [], "excluded_lines": []}
    per = len(json.dumps(unit)) + 20
    for i in range(max(1, size // per)):
        files[f"f{i}.py"] = unit
    files["app.py"] = {"executed_lines": [1], "missing_lines": [], "excluded_lines": []}
    (root / "coverage.json").write_text(json.dumps({"meta": {"version": "7.4"}, "files": files}))
    return {}


def big_sarif(root: Path, size: int) -> dict[str, str]:
    _write(root / "app.py", "x = 1\n")
    result = {
        "ruleId": "r1",
        "level": "warning",
        "message": {"text": "a finding on an old line " * 4},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "old.py"},
                    "region": {"startLine": 1},
                }
            }
        ],
    }
    unit = json.dumps(result) + ",\n"
    head = '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "big"}}, "results": [\n'
    _repeat_to(root / "results.sarif", head, unit, size, json.dumps(result) + "]}]}\n")
    return {}


def big_junit(root: Path, size: int) -> dict[str, str]:
    source = root.parent / f"{root.name}-junit.xml"
    unit = '<testcase classname="t" name="ok"/>\n'
    fail = '<testcase classname="t" name="bad"><failure message="boom"/></testcase>\n'
    end = fail + "</testsuite></testsuites>\n"
    _repeat_to(source, "<testsuites><testsuite>\n", unit, size, end)
    script = f"import shutil, sys; shutil.copy({str(source)!r}, sys.argv[1]); sys.exit(1)\n"
    _write(root / "make_junit.py", script)
    return {}


def big_diff(root: Path, size: int) -> dict[str, str]:
    per = 8 << 20  # each file under the 10 MB text limit, so every line is read
    for i in range(max(1, size // per)):
        _repeat_to(root / f"gen/data{i}.txt", "", "an added line of text, nothing secret\n", per)
    return {}


def _policy(checks: str) -> str:
    return f"version: 1\nchecks:\n{checks}"


CASES = [
    Case(
        "yaml-bomb-spec (1 KB)",
        "refused < 1 s",
        spec_bomb,
        {".github/gatekeeper.yml": _policy("  openapi: {specs: [openapi.yaml]}\n")},
    ),
    Case(
        "yaml-bomb-compose (1 KB)",
        "refused < 1 s",
        compose_bomb,
        {".github/gatekeeper.yml": _policy("  env-vars: {}\n")},
    ),
    Case(
        "pr-body-60k-spaces",
        "< 1 s",
        task_spaces,
        {
            ".github/gatekeeper.yml": _policy(
                "  pr: {required_checklist: [tests], required_sections: [Testing]}\n"
            )
        },
    ),
    Case(
        "pattern-pumps (9 x 1 MB)",
        "linear",
        text_pumps,
        {
            ".github/gatekeeper.yml": _policy(
                "  env-vars: {}\n  security: {bandit: false, dependencies: false}\n"
                "  migrations: {roundtrip: 'off'}\n  openapi: {}\n"
            )
        },
    ),
    Case(
        "spec-json (SIZE)",
        "< 300 MB",
        big_spec,
        {".github/gatekeeper.yml": _policy("  openapi: {specs: [openapi.json]}\n")},
    ),
    Case(
        "coverage-xml (SIZE)",
        "< 300 MB",
        big_cobertura,
        {".github/gatekeeper.yml": _policy("  coverage: {report: coverage.xml}\n")},
    ),
    Case(
        "coverage-json (SIZE)",
        "< 300 MB",
        big_coverage_json,
        {".github/gatekeeper.yml": _policy("  coverage: {report: coverage.json}\n")},
    ),
    Case(
        "sarif (SIZE)",
        "< 300 MB",
        big_sarif,
        {".github/gatekeeper.yml": _policy("  sarif: {files: [results.sarif]}\n")},
    ),
    Case(
        "junit from a command (SIZE)",
        "< 300 MB",
        big_junit,
        {
            ".github/gatekeeper.yml": _policy(
                "  command:\n    - {name: t, run: "
                + json.dumps(f"{sys.executable} make_junit.py {{scratch}}/j.xml")
                + ", junit: '{scratch}/j.xml'}\n"
            )
        },
    ),
    Case(
        "diff of added lines (SIZE)",
        "< 300 MB",
        big_diff,
        {
            ".github/gatekeeper.yml": _policy(
                "  security: {bandit: false, dependencies: false}\n  env-vars: {}\n"
            )
        },
    ),
]


def run_case(case: Case, work: Path, size: int) -> tuple[str, float, int, str]:
    root = work / case.name.split(" ")[0]
    base = _repo(root, case.files_at_base[".github/gatekeeper.yml"])
    extra = case.build(root, size)
    # reports the CI would produce stay untracked; everything else is the PR's head
    for name in ("coverage.xml", "coverage.json", "results.sarif"):
        if (root / name).exists():
            (root / ".git/info/exclude").open("a").write(name + "\n")
    head = _commit(root)
    argv = [sys.executable, "-m", "gatekeeper", "run", "--base", base, "--head", head]
    argv += ["-f", f"json:{root.parent / (root.name + '.json')}"]
    for key, value in extra.items():
        argv += [key, value]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *argv],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    code, peak_kb = [*done.stdout.split(), "?", "0"][:2]
    report = root.parent / (root.name + ".json")
    answer = _answer(report) if report.exists() else done.stderr.strip().splitlines()[-1:]
    return f"exit {code}", elapsed, int(peak_kb) // 1024, str(answer)[:110]


def _answer(report: Path) -> str:
    data = json.loads(report.read_text())
    said = []
    for outcome in data["outcomes"]:
        rules = sorted({f["rule"] for f in outcome["findings"] if f["severity"] == "block"})
        note = outcome["error"] or ", ".join(rules) or outcome["status"]
        said.append(f"{outcome['check']}: {note}")
    return "; ".join(said)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200, help="size of the big inputs")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    args = parser.parse_args()
    size = args.size_mb << 20
    print(f"{'case':32} {'budget':>14} {'time':>8} {'peak RSS':>9}  result / answer")
    with tempfile.TemporaryDirectory(prefix="gk-adversarial-") as tmp:
        for case in CASES:
            if args.only and args.only not in case.name:
                continue
            label = case.name.replace("SIZE", f"{args.size_mb} MB")
            code, elapsed, peak_mb, answer = run_case(case, Path(tmp), size)
            print(
                f"{label:32} {case.budget:>14} {elapsed:7.2f}s {peak_mb:6d} MB  {code}: {answer}",
                flush=True,
            )


if __name__ == "__main__":
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    main()
