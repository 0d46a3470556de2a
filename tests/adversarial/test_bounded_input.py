"""No input stalls the gate or exhausts its memory.

YAML alias bombs are refused with a finding that names the file; texts that made a
pattern super-linear run through the whole gate in a child process whose timeout is a
hang guard only (the inputs are sized so that the old quadratic code would need hours);
inputs past what the gate reads whole are refused with what to do instead, and the
ones it streams (a diff, a JUnit report) stay within a memory budget measured by the
operating system. No assertion here is about wall-clock speed: bench/bench_adversarial.py
prints the times.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.changes.changeset import ChangeSet
from gatekeeper.checks.openapi import load as spec_load
from gatekeeper.checks.sarif import parser as sarif_parser
from gatekeeper.model import Status
from tests.adversarial.conftest import Attack, AttackFactory, assert_blocked, text_of

#: generous: a hang guard on a loaded two-core machine, never a speed assertion
HANG_GUARD = 600


def _bomb(levels: int = 9) -> str:
    lines = ["x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _cli(case: Attack, tmp_path: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    """``gatekeeper run`` on the attack in a child process (a hang cannot stall the suite)."""
    report = tmp_path / "report.json"
    argv = ["run", "--base", case.base, "--head", case.head, "-f", f"json:{report}", *extra]
    done = subprocess.run(
        [sys.executable, "-m", "gatekeeper", *argv],
        cwd=case.repo.root,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
    return done.returncode, data, done.stdout + done.stderr


def _findings(data: dict[str, object]) -> list[dict[str, object]]:
    outcomes = data.get("outcomes", [])
    assert isinstance(outcomes, list)
    return [f for o in outcomes for f in o["findings"]]


def assert_env_reads_survive(case: Attack, tmp_path: Path, *names: str) -> None:
    """The whole gate on ``case`` blocks, its env-vars check did not error on the pumped
    files, and each of ``names`` (variables the PR really reads) is still reported."""
    code, data, out = _cli(case, tmp_path)
    assert code == 1, out
    outcomes = {o["check"]: o for o in data["outcomes"]}  # type: ignore[union-attr]
    assert outcomes["env-vars"]["status"] != "error", outcomes["env-vars"]
    messages = [str(f["message"]) for f in _findings(data)]
    for name in names:
        assert any(m.startswith(f"{name} is read here") for m in messages), messages


# --- YAML alias bombs -------------------------------------------------------------------


def test_a_billion_laughs_spec_is_refused_with_a_finding_naming_it(
    attack: AttackFactory, tmp_path: Path
) -> None:
    spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n" + _bomb() + "paths: {}\n"
    assert len(spec) < 1024
    policy = "version: 1\nchecks:\n  openapi: {specs: [openapi.yaml]}\n"
    case = attack(policy, {"README.md": "a\n"}, {"openapi.yaml": spec})
    code, data, out = _cli(case, tmp_path)
    assert code == 1, out
    (refused,) = [f for f in _findings(data) if f["rule"] == "openapi/spec-unreadable"]
    assert refused["path"] == "openapi.yaml" and refused["severity"] == "block"
    assert "aliases expand it by" in str(refused["message"])


def test_an_anchor_inside_itself_is_refused(attack: AttackFactory) -> None:
    spec = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: &p {x: *p}\n"
    policy = "version: 1\nchecks:\n  openapi: {specs: [openapi.yaml]}\n"
    verdict = attack(policy, {"README.md": "a\n"}, {"openapi.yaml": spec}).judge()
    assert_blocked(verdict, "openapi/spec-unreadable")
    assert "refers to itself" in text_of(verdict)


def test_a_compose_file_bomb_makes_env_vars_fail_closed(
    attack: AttackFactory, tmp_path: Path
) -> None:
    compose = _bomb() + "services:\n  web: {image: x, environment: {A: '1'}, x: *a8}\n"
    case = attack("version: 1\nchecks:\n  env-vars: {}\n", {}, {"docker-compose.yml": compose})
    code, data, out = _cli(case, tmp_path)
    assert code == 1, out
    outcomes = data["outcomes"]
    assert isinstance(outcomes, list)
    (envvars,) = [o for o in outcomes if o["check"] == "env-vars"]
    assert envvars["status"] == Status.ERROR.value
    assert str(envvars["error"]).startswith("docker-compose.yml:1: its aliases expand it by")


# --- patterns over PR text ---------------------------------------------------------------

MB = 1 << 20
#: each made a pattern quadratic or worse before; a megabyte or more of each
PUMPS = {
    "run.sh": "#!/bin/sh\n" + " x[" * (MB // 3),
    "docker-compose.yml": "services: {}\n# " + "${a:-" * (MB // 5),
    ".github/workflows/ci.yml": "on: push\n# " + "${{" * (MB // 3),
    "Dockerfile": "FROM x\n" + "\n" * MB,
    "token.txt": "t = " + "eyJ-" * (MB // 4),
    "prod.env": "A=x" + " " * MB + "y\n",
    "alembic/versions/a1.py": "revision: " * (MB // 10),
    "db/1_x.up.sql": "SELECT 1;\n" + "{{" * (MB // 2),
    "k8s/deploy.yaml": "containers:\n" + "\n" * MB,
}


def test_texts_that_pumped_the_patterns_pass_through_the_gate(
    attack: AttackFactory, tmp_path: Path
) -> None:
    policy = (
        "version: 1\nchecks:\n  env-vars: {}\n"
        "  security: {bandit: false, dependencies: false}\n"
        "  migrations: {roundtrip: 'off'}\n  openapi: {}\n"
        "  pr: {required_checklist: [tests], required_sections: [Testing]}\n"
    )
    case = attack(policy, {"README.md": "a\n"}, PUMPS)
    event = tmp_path / "event.json"
    body = "- [ ] " + " " * MB + "x\n# a" + " " * MB + "b\n" + "#" * 6 + " " * MB + "#\n"
    event.write_text(json.dumps({"pull_request": {"number": 1, "title": "t", "body": body}}))
    code, data, out = _cli(case, tmp_path, "--pr-event", str(event))
    assert code == 1, out
    rules = {f["rule"] for f in _findings(data)}
    assert {"pr/unticked-checklist-item", "security/env-file-committed"} <= rules, rules


# --- inputs too large to read whole --------------------------------------------------------


def test_a_spec_over_the_limit_is_refused_before_it_is_read(
    attack: AttackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gatekeeper.checks.openapi import check

    # the loader's check_size refuses; the check's discovery sniffs within the same limit
    for module in (spec_load, check):
        monkeypatch.setattr(module, "MAX_SPEC_BYTES", 1000)
    big = '{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "x": "'
    big += "y" * 5000 + '"}\n'
    policy = "version: 1\nchecks:\n  openapi: {}\n"
    case = attack(policy, {"README.md": "a\n"}, {"openapi.json": big})
    real = ChangeSet.bytes_at_head

    def never_the_spec(self: ChangeSet, path: str) -> bytes | None:
        assert path != "openapi.json", "the oversized spec was read whole"
        return real(self, path)

    monkeypatch.setattr(ChangeSet, "bytes_at_head", never_the_spec)
    verdict = case.judge()
    assert_blocked(verdict, "openapi/spec-unreadable")
    assert "openapi.json is 0 MB, over the 0 MB limit" in text_of(verdict)


def test_a_sarif_log_over_the_limit_fails_closed_saying_what_to_do(
    attack: AttackFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif_parser, "MAX_SARIF_BYTES", 1000)
    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": []}]}
    case = attack("version: 1\nchecks:\n  sarif: {files: [r.sarif]}\n", {}, {"a.py": "x = 1\n"})
    (case.repo.root / "r.sarif").write_text(json.dumps(log) + " " * 2000)
    verdict = case.judge()
    (outcome,) = [o for o in verdict.outcomes if o.check == "sarif"]
    assert not verdict.met and outcome.status is Status.ERROR
    assert "over the 1,000-byte limit" in outcome.error and "changed files" in outcome.error


def _peak_rss_mb(case: Attack, tmp_path: Path, *extra: str) -> tuple[int, int, str]:
    """Exit code and peak resident memory (MB) of ``gatekeeper run`` in a child."""
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.stderr.write(done.stdout + done.stderr)\n"
    )
    argv = [sys.executable, "-m", "gatekeeper", "run", "--base", case.base, "--head", case.head]
    done = subprocess.run(
        [sys.executable, "-c", measure, *argv, *extra],
        cwd=case.repo.root,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    code, peak_kb = done.stdout.split()
    return int(code), int(peak_kb) // 1024, done.stderr


def test_a_diff_of_120_mb_is_read_in_bounded_memory(attack: AttackFactory, tmp_path: Path) -> None:
    line = "an added line of text in a generated file, nothing to see here\n"
    files = {f"gen/data{i}.txt": line * ((9 * MB) // len(line)) for i in range(13)}
    case = attack("version: 1\nchecks:\n  pr: {max_changed_lines: 100}\n", {}, files)
    code, peak, out = _peak_rss_mb(case, tmp_path)
    assert code == 1 and "pr/too-many-changed-lines" in out, out
    assert peak < 300, f"peak resident memory {peak} MB on a 120 MB diff"


def test_a_junit_report_of_100_mb_is_streamed(attack: AttackFactory, tmp_path: Path) -> None:
    source = tmp_path / "big.xml"
    case_xml = '<testcase classname="t" name="ok" time="0.001"/>\n'
    with source.open("w") as out:
        out.write("<testsuites><testsuite>\n")
        for _ in range(100):
            out.write(case_xml * (MB // len(case_xml)))
        out.write('<testcase classname="t" name="bad"><failure message="boom"/></testcase>\n')
        out.write("</testsuite></testsuites>\n")
    script = f"import shutil, sys; shutil.copy({str(source)!r}, sys.argv[1]); sys.exit(1)\n"
    run = json.dumps(f"{sys.executable} make.py {{scratch}}/j.xml")
    item = f"{{name: t, run: {run}, junit: '{{scratch}}/j.xml'}}"
    policy = f"version: 1\nchecks:\n  command:\n    - {item}\n"
    case = attack(policy, {"make.py": script}, {"README.md": "b\n"})
    code, peak, out = _peak_rss_mb(case, tmp_path)
    assert code == 1 and "command/test-failed" in out and "boom" in out, out
    assert peak < 300, f"peak resident memory {peak} MB on a 100 MB JUnit report"
