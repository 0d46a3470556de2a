"""The command check with real processes: python -c, a real pytest with JUnit, real ruff SARIF."""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gatekeeper.checks.command.check import CommandCheck
from gatekeeper.checks.interface import CheckError
from gatekeeper.model import Finding
from gatekeeper.testing import changeset, context

PY = shlex.quote(sys.executable)


def run(
    root: Path,
    items: list[dict[str, Any]],
    *,
    base: Mapping[str, str] | None = None,
    head: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> tuple[list[Finding], str]:
    """Write ``head`` into ``root`` and run the command check on base -> head."""
    head = dict(head or {"app.py": "x = 1\n"})
    for rel, text in head.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    ctx = context(
        changeset(base or {}, head, root=root),
        {"items": items},
        scratch=root.parent / "scratch",
        timeout=timeout,
    )
    check = CommandCheck()
    assert check.applies(ctx)
    return list(check.run(ctx)), ctx.summary


def py(code: str) -> str:
    return f"{PY} -c {shlex.quote(code)}"


def test_a_passing_command_gives_no_finding(tmp_path: Path) -> None:
    findings, summary = run(tmp_path / "repo", [{"name": "ok", "run": py("print('fine')")}])
    assert findings == []
    assert summary == "ok: exit 0"


def test_a_failing_command_reports_its_status_and_the_last_40_lines(tmp_path: Path) -> None:
    code = "import sys\nfor i in range(100): print('line', i)\nsys.exit(3)"
    findings, _ = run(tmp_path / "repo", [{"name": "lint", "run": py(code)}])
    assert [f.rule for f in findings] == ["failed"]
    message = findings[0].message
    assert message.startswith("`lint` (`")
    assert "exited with status 3; last output:\nline 60\n" in message
    assert "line 59\n" not in message and message.endswith("line 99")
    assert findings[0].location is None


def test_secret_looking_env_values_are_never_echoed(tmp_path: Path, monkeypatch: Any) -> None:
    # a secret the workflow hands its tests on purpose (GitHub's own token never arrives:
    # see tests/adversarial/test_token_isolation.py)
    monkeypatch.setenv("SERVICE_TOKEN", "ghp_from_the_runner_123")
    code = (
        "import os, sys\n"
        "print(os.environ['SERVICE_TOKEN'], os.environ['DB_PASSWORD'], 'ok')\n"
        "sys.exit(1)"
    )
    item = {"name": "leak", "run": py(code), "env": {"DB_PASSWORD": "hunter2-secret"}}
    findings, _ = run(tmp_path / "repo", [item])
    assert "ghp_from_the_runner_123" not in findings[0].message
    assert "hunter2-secret" not in findings[0].message
    assert "*** *** ok" in findings[0].message


def test_shell_true_runs_through_the_shell(tmp_path: Path) -> None:
    item = {"name": "pipe", "run": "echo hello | tr a-z A-Z; exit 4", "shell": True}
    findings, _ = run(tmp_path / "repo", [item])
    assert [f.rule for f in findings] == ["failed"]
    assert findings[0].message.endswith("last output:\nHELLO")


def test_a_silent_failure_says_there_was_no_output(tmp_path: Path) -> None:
    findings, _ = run(tmp_path / "repo", [{"name": "quiet", "run": py("raise SystemExit(2)")}])
    assert findings[0].message.endswith("exited with status 2; last output: (no output)")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"run": "no-such-program-xyz --flag"}, "`no-such-program-xyz` was not found"),
        ({"run": "no-such-program-xyz", "shell": True}, "the shell could not find the program"),
        ({"run": "echo 'unbalanced"}, "cannot split `run`"),
        ({"run": "echo hi", "cwd": "missing/dir"}, "directory .*missing/dir does not exist"),
        ({"run": "./app.py"}, "`./app.py` is not executable"),
        ({"run": "  "}, "`run` is empty"),
    ],
)
def test_commands_that_cannot_run_fail_closed(
    tmp_path: Path, item: dict[str, Any], message: str
) -> None:
    with pytest.raises(CheckError, match=message):
        run(tmp_path / "repo", [{"name": "broken", **item}])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")  # a zombie is dead, merely not yet reaped


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild.pid"
    code = (
        "import subprocess, sys, time\n"
        "p = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    findings, summary = run(tmp_path / "repo", [{"name": "hang", "run": py(code), "timeout": 1}])
    assert [f.rule for f in findings] == ["timed-out"]
    expected = "`hang` was killed after 1 s (its time limit); last output:\nstarted"
    assert findings[0].message == expected
    assert summary == "hang: killed"
    grandchild = int(pidfile.read_text())
    deadline = time.monotonic() + 60  # a wait, not a speed limit: it ends once it is gone
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_the_check_budget_caps_a_longer_command_timeout(tmp_path: Path) -> None:
    item = {"name": "slow", "run": py("import time; time.sleep(30)"), "timeout": 600}
    findings, _ = run(tmp_path / "repo", [item], timeout=1.0)
    assert [f.rule for f in findings] == ["timed-out"]
    assert "killed after 1 s" in findings[0].message
    assert findings[0].message.endswith("(no output)")


def test_does_not_apply_to_an_empty_change(tmp_path: Path) -> None:
    ctx = context(changeset({}, {}), {"items": [{"name": "x", "run": "true"}]})
    assert not CommandCheck().applies(ctx)


PROJECT_TESTS = """\
import pytest

def test_ok():
    assert True

def test_broken():
    assert 1 + 1 == 3, "arithmetic is off"

@pytest.fixture
def boom():
    raise RuntimeError("fixture exploded")

def test_errors(boom):
    pass

class TestGroup:
    def test_in_class(self):
        assert False
"""


def test_real_pytest_junit_gives_one_finding_per_failed_test(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    item = {
        "name": "tests",
        "run": f"{PY} -m pytest -q -p no:cacheprovider --junitxml={{scratch}}/junit.xml tests",
        "junit": "{scratch}/junit.xml",
    }
    findings, summary = run(root, [item], head={"tests/test_calc.py": PROJECT_TESTS})
    got = sorted((f.rule, f.location.path if f.location else None, f.message) for f in findings)
    assert got == [
        (
            "test-failed",
            "tests/test_calc.py",
            "tests: test `tests.test_calc.TestGroup::test_in_class` failed: assert False",
        ),
        (
            "test-failed",
            "tests/test_calc.py",
            "tests: test `tests.test_calc::test_broken` failed: AssertionError: arithmetic is off",
        ),
        (
            "test-failed",
            "tests/test_calc.py",
            "tests: test `tests.test_calc::test_errors` errored: failed on setup with "
            '"RuntimeError: fixture exploded"',
        ),
    ]
    assert summary == "tests: exit 1"
    # the same problem keeps its fingerprint however the tests move around
    assert len({f.fingerprint for f in findings}) == 3


def _junit_writer(path: str, body: str, status: int) -> str:
    return py(f"import sys; open({path!r}, 'w').write({body!r}); sys.exit({status})")


def test_a_non_zero_exit_without_failed_tests_is_still_a_failure(tmp_path: Path) -> None:
    xml = '<testsuite name="s"><testcase classname="a" name="t"/></testsuite>'
    item = {"name": "cov", "run": _junit_writer("out.xml", xml, 2), "junit": "out.xml"}
    findings, _ = run(tmp_path / "repo", [item])
    assert [f.rule for f in findings] == ["failed"]


def test_junit_file_attribute_and_cwd(tmp_path: Path) -> None:
    xml = (
        '<testsuites><testsuite name="s">'
        '<testcase classname="suite" name="adds" file="spec/calc_spec.rb">'
        '<failure message="expected 3">trace</failure></testcase>'
        '<testcase name="bare"><error type="Crash"/></testcase>'
        '<testcase classname="far" name="away" file="../../outside.py"><failure/></testcase>'
        "</testsuite></testsuites>"
    )
    root = tmp_path / "repo"
    (tmp_path / "outside.py").write_text("x\n")
    item = {"name": "rspec", "run": _junit_writer("r.xml", xml, 1), "junit": "r.xml", "cwd": "web"}
    head = {"web/spec/calc_spec.rb": "it\n", "web/app.rb": "x\n"}
    findings, _ = run(root, [item], head=head)
    got = sorted((f.location.path if f.location else "", f.message) for f in findings)
    assert got == [
        ("", "rspec: test `bare` errored: Crash"),
        ("", "rspec: test `far::away` failed: (no message)"),
        ("web/spec/calc_spec.rb", "rspec: test `suite::adds` failed: expected 3"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<testsuite><testcase", "not a readable JUnit XML report"),
        ("<html><body/></html>", "the root element is <html>, not <testsuites>"),
        (
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            "<testsuite><testcase name='&b;'/></testsuite>",
            "not a readable JUnit XML report",
        ),
    ],
)
def test_unreadable_junit_fails_closed(tmp_path: Path, content: str, message: str) -> None:
    item = {"name": "t", "run": _junit_writer("j.xml", content, 1), "junit": "j.xml"}
    with pytest.raises(CheckError, match=message):
        run(tmp_path / "repo", [item])


def test_a_report_not_written_by_a_passing_command_fails_closed(tmp_path: Path) -> None:
    item = {"name": "t", "run": py("pass"), "junit": "never.xml"}
    with pytest.raises(CheckError, match="exited 0 but did not write its JUnit XML report"):
        run(tmp_path / "repo", [item])
    item = {"name": "s", "run": py("pass"), "sarif": "never.sarif"}
    with pytest.raises(CheckError, match="exited 0 but did not write its SARIF report"):
        run(tmp_path / "repo2", [item])


def test_a_stale_report_from_an_earlier_run_is_not_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    stale = '<testsuite><testcase name="old"><failure/></testcase></testsuite>'
    (root / "j.xml").write_text(stale)
    item = {"name": "t", "run": py("raise SystemExit(1)"), "junit": "j.xml"}
    findings, _ = run(root, [item])
    assert [f.rule for f in findings] == ["failed"]


def test_real_ruff_sarif_keeps_only_results_on_added_lines(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    base = {"pkg/mod.py": "import os\n\nVALUE = 1\n"}
    head = {"pkg/mod.py": "import os\nimport sys\n\nVALUE = 1\n"}
    item = {
        "name": "ruff",
        "run": f"{PY} -m ruff check --isolated --output-format sarif -o {{scratch}}/r.sarif .",
        "sarif": "{scratch}/r.sarif",
    }
    findings, summary = run(root, [item], base=base, head=head)
    # ruff exits 1 (both imports are unused) but only the added line counts
    assert [(f.rule, str(f.location), f.message) for f in findings] == [
        ("ruff-f401", "pkg/mod.py:2", "ruff F401: `sys` imported but unused")
    ]
    assert findings[0].remedy == "See https://docs.astral.sh/ruff/rules/unused-import"
    assert summary == "ruff: exit 1"


def test_relative_sarif_uris_are_relative_to_the_command_cwd(tmp_path: Path) -> None:
    sarif = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "eslint"}},
                "results": [
                    {
                        "ruleId": "no-eval",
                        "level": "error",
                        "message": {"text": "eval is evil"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "src/app.js"},
                                    "region": {"startLine": 1},
                                }
                            }
                        ],
                    }
                ],
            }
        ],
    }
    code = f"import json; json.dump({sarif!r}, open('lint.sarif', 'w')); raise SystemExit(1)"
    item = {"name": "eslint", "run": py(code), "cwd": "web", "sarif": "lint.sarif"}
    findings, _ = run(tmp_path / "repo", [item], head={"web/src/app.js": "eval(x)\n"})
    assert [(f.rule, str(f.location)) for f in findings] == [("eslint-no-eval", "web/src/app.js:1")]


def test_a_linter_that_crashes_fails_even_with_a_sarif_report(tmp_path: Path) -> None:
    empty = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "lint"}}, "results": []}]}
    code = f"import json; json.dump({empty!r}, open('l.sarif', 'w')); raise SystemExit(2)"
    findings, _ = run(tmp_path / "repo", [{"name": "lint", "run": py(code), "sarif": "l.sarif"}])
    assert [f.rule for f in findings] == ["failed"]
    # exit 1 means "found problems": the report decides, and it has none on new lines
    code = code.replace("SystemExit(2)", "SystemExit(1)")
    findings, _ = run(tmp_path / "repo2", [{"name": "lint", "run": py(code), "sarif": "l.sarif"}])
    assert findings == []


def test_a_fractional_time_limit_is_shown_as_such(tmp_path: Path) -> None:
    item = {"name": "nap", "run": py("import time; time.sleep(20)"), "timeout": 0.5}
    findings, _ = run(tmp_path / "repo", [item])
    assert "killed after 0.5 s" in findings[0].message
