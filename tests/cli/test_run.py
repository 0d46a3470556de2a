"""``gatekeeper run`` end to end on real git repositories: exit codes, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gatekeeper.cli import cli
from tests.conftest import GitRepo

POLICY = """\
version: 1
checks:
  gate: {}
  cochange:
    - {when: ["src/**/*.py"], require: ["tests/**"], message: "Code changes need tests"}
"""


def invoke(repo: GitRepo, *args: str) -> Result:
    return CliRunner().invoke(cli, ["run", "--repo", str(repo.root), *args], catch_exceptions=False)


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit(
        {
            ".github/gatekeeper.yml": POLICY,
            "src/app.py": "x = 1\n",
            "tests/test_app.py": "def test(): pass\n",
        },
        "base",
    )
    git_repo.git("checkout", "-q", "-b", "feature")
    return git_repo


def test_blocked_change_exits_1_and_writes_every_format(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit({"src/app.py": "x = 2\n"})
    out = tmp_path / "out"
    result = invoke(
        repo,
        "--base",
        "main",
        "-f",
        "terminal",
        "-f",
        f"json:{out}/r.json",
        "-f",
        f"sarif:{out}/r.sarif",
        "-f",
        f"markdown:{out}/r.md",
        "-f",
        f"junit:{out}/r.xml",
    )
    assert result.exit_code == 1, result.output
    assert "Definition of Done: not met" in result.output
    report = json.loads((out / "r.json").read_text())
    assert report["schema"] == "gatekeeper.report/v1" and report["met"] is False
    rules = [f["rule"] for o in report["outcomes"] for f in o["findings"]]
    assert rules == ["cochange/missing-cochange"]
    assert json.loads((out / "r.sarif").read_text())["version"] == "2.1.0"
    assert (out / "r.md").read_text().startswith("## ")
    assert (out / "r.xml").read_text().startswith("<?xml")
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left


def test_met_change_exits_0(repo: GitRepo) -> None:
    repo.commit({"src/app.py": "x = 2\n", "tests/test_app.py": "def test(): assert True\n"})
    result = invoke(repo, "--base", "main")
    assert result.exit_code == 0, result.output
    assert "Definition of Done: met" in result.output


def test_policy_is_read_at_base_and_its_change_needs_approval(repo: GitRepo) -> None:
    repo.commit({"src/app.py": "x = 2\n", ".github/gatekeeper.yml": "version: 1\nchecks: {}\n"})
    result = invoke(repo, "--base", "main", "-f", "json")
    assert result.exit_code == 1
    rules = sorted(f["rule"] for o in json.loads(result.stdout)["outcomes"] for f in o["findings"])
    assert rules == ["cochange/missing-cochange", "gate/policy-changed"]


def test_policy_from_head_is_an_explicit_choice(repo: GitRepo) -> None:
    repo.commit({"src/app.py": "x = 2\n", ".github/gatekeeper.yml": "version: 1\nchecks: {}\n"})
    assert invoke(repo, "--base", "main", "--policy-from", "head").exit_code == 0


def test_empty_diff_is_met(repo: GitRepo) -> None:
    result = invoke(repo, "--base", "main")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("version: 1\nchecks: [\n", "not valid YAML"),
        ("version: 1\nchekcs: {}\n", "did you mean 'checks'"),
        ("version: 1\nextends: [nope]\n", "nope"),
        ("version: 1\nchecks:\n  cochange: {items: 3}\n", "checks.cochange"),
    ],
)
def test_bad_policy_exits_2_with_file_and_line(
    git_repo: GitRepo, policy: str, message: str
) -> None:
    git_repo.commit({".github/gatekeeper.yml": policy, "a.txt": "a\n"}, "base")
    git_repo.commit({"a.txt": "b\n"})
    result = CliRunner().invoke(cli, ["run", "--repo", str(git_repo.root), "--base", "HEAD~1"])
    assert result.exit_code == 2
    assert message in result.output
    assert ".github/gatekeeper.yml" in result.output
    assert "Traceback" not in result.output


def test_unknown_base_exits_2_naming_it(repo: GitRepo) -> None:
    result = CliRunner().invoke(cli, ["run", "--repo", str(repo.root), "--base", "no-such-ref"])
    assert result.exit_code == 2 and "no-such-ref" in result.output


def test_bad_formats_exit_2(repo: GitRepo) -> None:
    assert "unknown format 'yaml'" in invoke_err(repo, "-f", "yaml")
    assert "only one --format" in invoke_err(repo, "-f", "json", "-f", "terminal")
    assert "give a file" in invoke_err(repo, "-f", "json:")


def invoke_err(repo: GitRepo, *args: str) -> str:
    result = CliRunner().invoke(cli, ["run", "--repo", str(repo.root), "--base", "main", *args])
    assert result.exit_code == 2
    return result.output


def test_plugin_that_raises_on_import_blocks_and_is_named(git_repo: GitRepo) -> None:
    policy = "version: 1\nplugins: [checks/broken.py]\nchecks:\n  gate: {}\n"
    git_repo.commit(
        {
            ".github/gatekeeper.yml": policy,
            "checks/broken.py": "raise RuntimeError('oops')\n",
            "a.txt": "a\n",
        },
        "base",
    )
    git_repo.commit({"a.txt": "b\n"})
    result = CliRunner().invoke(cli, ["run", "--repo", str(git_repo.root), "--base", "HEAD~1"])
    assert "checks/broken.py" in result.output and "oops" in result.output


def test_agent_pr_from_event_gets_the_agent_tier(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit(
        {".github/gatekeeper.yml": "version: 1\nextends: [agents]\nchecks: {pr: {}}\n"}, "policy"
    )
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "feature")
    repo.git("checkout", "-q", "-b", "copilot/fix")
    repo.commit({"src/app.py": "x = 3\n", "tests/test_app.py": "def test(): pass  # x\n"})
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": 7,
                    "title": "fix",
                    "body": "",
                    "user": {"login": "Copilot", "type": "Bot"},
                    "head": {"ref": "copilot/fix", "sha": "h"},
                    "base": {"ref": "main", "sha": "b"},
                    "labels": [{"name": "ai"}],
                }
            }
        )
    )
    result = invoke(repo, "--base", "main", "--pr-event", str(event), "-f", "json")
    report = json.loads(result.stdout)
    assert report["pr"]["agent"]
    pr_outcome = next(o for o in report["outcomes"] if o["check"] == "pr")
    assert {f["severity"] for f in pr_outcome["findings"]} == {"block"}
    assert result.exit_code == 1


def test_baseline_marks_previous_findings_pre_existing(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit({"src/app.py": "x = 2\n"})
    first = tmp_path / "first.json"
    assert invoke(repo, "--base", "main", "-f", f"json:{first}").exit_code == 1
    result = invoke(repo, "--base", "main", "--baseline", str(first), "-f", "json")
    assert result.exit_code == 0
    finding = json.loads(result.stdout)["outcomes"][0]["findings"][0]
    assert finding["pre_existing"] is True


def test_awkward_files_do_not_crash_the_gate(git_repo: GitRepo) -> None:
    policy = (
        "version: 1\nextends: [recommended]\nchecks:\n  cochange:\n"
        "    - {when: ['**/*.py'], require: ['tests/**']}\n"
    )
    git_repo.commit(
        {
            ".github/gatekeeper.yml": policy,
            "old name.py": "import os\nA = 1\n",
            "gone.py": "x = 1\n",
            "docs/ünï códe.md": "hello\n",
        },
        "base",
    )
    big = git_repo.root / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    git_repo.commit(
        {
            "old name.py": None,
            "new näme.py": "import os\nA = 1\nB = 2\n",
            "gone.py": None,
            "blob.dat": b"\x00\x01\x02",
            "latin1.txt": b"caf\xe9\n",
            "docs/ünï códe.md": "hello again\n",
        }
    )
    result = CliRunner().invoke(
        cli, ["run", "--repo", str(git_repo.root), "--base", "HEAD~1", "-f", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert all(o["status"] != "error" for o in report["outcomes"]), report


def test_same_inputs_give_byte_identical_reports(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit({"src/app.py": "x = 2\n"})
    outputs = []
    for run_no in range(2):
        folder = tmp_path / str(run_no)
        invoke(
            repo,
            "--base",
            "main",
            "-f",
            f"json:{folder}/r.json",
            "-f",
            f"markdown:{folder}/r.md",
            "-f",
            f"sarif:{folder}/r.sarif",
        )
        outputs.append([(folder / name).read_bytes() for name in ("r.json", "r.md", "r.sarif")])
    assert outputs[0] == outputs[1]


def test_plugin_failure_outcome_has_a_valid_check_id(git_repo: GitRepo) -> None:
    policy = "version: 1\nplugins: [checks/broken.py]\nchecks:\n  gate: {}\n"
    git_repo.commit(
        {
            ".github/gatekeeper.yml": policy,
            "checks/broken.py": "raise RuntimeError('oops')\n",
            "a.txt": "a\n",
        },
        "base",
    )
    git_repo.commit({"a.txt": "b\n"})
    result = CliRunner().invoke(
        cli, ["run", "--repo", str(git_repo.root), "--base", "HEAD~1", "-f", "json"]
    )
    assert result.exit_code == 1
    outcome = next(o for o in json.loads(result.stdout)["outcomes"] if o["status"] == "error")
    assert outcome["check"] == "local-checks-broken-py"
    assert "checks/broken.py" in outcome["error"]


def test_a_report_to_a_pipe_or_device_is_written_in_place(tmp_path: Path) -> None:
    import os
    import threading

    from gatekeeper.cli.common import write_atomically

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    write_atomically(fifo, '{"met": true}\n')
    reader.join(5)
    assert received == ['{"met": true}\n']
    assert not fifo.is_file()  # still a pipe: never renamed over


def test_reports_in_files_only_leave_one_verdict_line_on_stderr(
    repo: GitRepo, tmp_path: Path
) -> None:
    repo.commit({"src/app.py": "x = 2\n"})
    report = tmp_path / "r.json"
    result = invoke(repo, "--base", "main", "-f", f"json:{report}")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Definition of Done: not met (1 blocking); reports: json to {report}"
    ]
    assert json.loads(report.read_text())["met"] is False


def test_json_on_stdout_keeps_stdout_pure_and_says_the_verdict_on_stderr(
    repo: GitRepo,
) -> None:
    repo.commit({"src/app.py": "x = 2\n", "tests/test_app.py": "def test(): assert 1\n"})
    result = invoke(repo, "--base", "main", "-f", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["met"] is True
    assert result.stderr == "Definition of Done: met\n"


def test_a_terminal_report_on_screen_needs_no_extra_line(repo: GitRepo, tmp_path: Path) -> None:
    repo.commit({"src/app.py": "x = 2\n"})
    result = invoke(repo, "--base", "main", "-f", "terminal", "-f", f"json:{tmp_path}/r.json")
    assert "Definition of Done: not met" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("html", "unknown format 'html' (known: json, junit, markdown, sarif, terminal)"),
        ("json:{tmp}", "is a folder; name a file in it"),
        ("json:{tmp}/file.txt/r.json", "file.txt is a file, not a folder"),
    ],
)
def test_every_format_is_checked_before_any_work(
    repo: GitRepo, tmp_path: Path, spec: str, message: str
) -> None:
    (tmp_path / "file.txt").write_text("x")
    # the base does not exist: had the gate started, that would be the error
    args = ["--base", "no-such-ref", "-f", "sarif:ok.sarif", "-f", spec.format(tmp=tmp_path)]
    result = CliRunner().invoke(cli, ["run", "--repo", str(repo.root), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "no-such-ref" not in result.output


def test_two_formats_may_not_write_one_file(repo: GitRepo, tmp_path: Path) -> None:
    out = invoke_err(
        repo, "-f", f"json:{tmp_path}/r", "-f", f"sarif:{tmp_path}/../{tmp_path.name}/r"
    )
    assert "write the same file" in out
