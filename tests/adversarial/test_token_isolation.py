"""The token never reaches the pull request's code (docs/security.md).

The PR's code runs in the migrations round trip (it imports its Alembic revisions), in
the ``command`` check (what the policy names, in its checkout) and in the openapi check's
generators (tests/adversarial/test_generated_api.py). Each case below plants a probe
in the first two: a command script and a migration module that read their own
environment, their parent's ``/proc/<pid>/environ`` and every other one they can see,
and try the parent's memory, then write everything they found where the test searches it
for the token.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.plugins import discover
from gatekeeper.sandbox import Limits, Refused, forbidden, run_untrusted
from gatekeeper.sandbox.guard import register_secret
from tests.adversarial.conftest import AttackFactory, assert_blocked, text_of
from tests.adversarial.untrusted import (
    WORKSPACE_UID,
    action_env,
    chown_tree,
    needs_root,
    open_tmp,
    probe_revision,
    probe_script,
    python_for,
    read_probe,
    start_action,
    wait_for,
    write_event,
)
from tests.conftest import GitRepo
from tests.github.conftest import validators
from tests.github.fakegithub import FakeGitHub
from tests.github.ghspec import SpecValidator

__all__ = ["open_tmp", "validators"]  # fixtures, imported so that pytest finds them here

POLICY = """\
version: 1
checks:
  command:
    - {name: probe, run: "%s probe.py"}
  migrations: {roundtrip: sqlite, safety: false}
"""
BASE = {"README.md": "a project\n"}
#: a second revision whose downgrade does nothing: the static review must still see it
EMPTY_DOWN = (
    "import sqlalchemy as sa\nfrom alembic import op\nrevision = 'p2'\ndown_revision = 'p1'\n"
    "def upgrade():\n    op.create_table('u', sa.Column('id', sa.Integer, primary_key=True))\n"
    "def downgrade():\n    pass\n"
)


def _head(probes: Path, wait_for: Path | None = None, *, scan_all: bool = False) -> dict[str, str]:
    return {
        "probe.py": probe_script(probes / "command.json", wait_for, scan_all=scan_all),
        "alembic/versions/p1.py": probe_revision(probes / "migration.json", scan_all=scan_all),
    }


def _token() -> str:
    # unique per test: a probe reads every process it may, other tests' included
    return "ghs_" + secrets.token_hex(18)


def test_pr_code_gets_no_credential_in_its_environment(
    attack: AttackFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token()
    for name in ("INPUT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "ACTIONS_RUNTIME_TOKEN"):
        monkeypatch.setenv(name, token)
    # the same value under a name no list knows: caught by value (the action registers it)
    monkeypatch.setenv("DEPLOY_COPY", f"key={token}")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "output"))
    register_secret(token)
    probes = tmp_path / "probes"
    case = attack(POLICY % sys.executable, BASE, _head(probes))
    verdict = case.judge()
    for name in ("command.json", "migration.json"):
        found = read_probe(probes / name)
        environ, read = found["environ"], found["read"]
        assert isinstance(environ, dict) and isinstance(read, dict)
        assert "PATH" in environ and read["/proc/self/environ"]
        assert "GITHUB_OUTPUT" not in environ  # nor the way to forge the gate's outputs
        assert token not in json.dumps(environ) + read["/proc/self/environ"], name
        # (here the gate is this test process, whose own children, git among them, inherit
        # the token the test put in its environment; the action never has it there, see
        # test_pr_code_run_by_the_action_finds_no_token)
    assert token not in text_of(verdict)


def test_pull_request_target_runs_none_of_the_pr_code(
    attack: AttackFactory, tmp_path: Path
) -> None:
    probes = tmp_path / "probes"
    head = {**_head(probes), "alembic/versions/p2.py": EMPTY_DOWN}
    case = attack(POLICY % sys.executable, BASE, head)
    verdict = case.judge(safe=True)
    assert not probes.exists(), "pull_request_target ran the PR's code"
    # static checks only: the empty downgrade is still found, and the report says why the
    # round trip and the command did not run
    assert_blocked(verdict, "migrations/empty-down")
    assert "command" not in {o.check for o in verdict.outcomes}
    notes = "\n".join(verdict.notes)
    assert "the command check is off" in notes
    assert "the migrations check runs with roundtrip: off (static checks only)" in notes
    # the same change outside safe mode does run both probes: the case above could fail
    case.judge()
    assert (probes / "command.json").is_file() and (probes / "migration.json").is_file()


def test_safe_mode_refuses_pr_code_even_from_a_check_that_forgot_to_say(tmp_path: Path) -> None:
    with forbidden("pull_request_target never runs the PR's code"), pytest.raises(Refused):
        run_untrusted(
            ["true"],
            checkout=tmp_path,
            cwd=tmp_path,
            env={"PATH": os.environ["PATH"]},
            limits=Limits(30),
            output=tmp_path / "out.log",
        )
    ran = run_untrusted(
        ["true"],
        checkout=tmp_path,
        cwd=tmp_path,
        env={"PATH": os.environ["PATH"]},
        limits=Limits(30),
        output=tmp_path / "out.log",
    )
    assert ran.returncode == 0


def _imports_sandbox(package: Path) -> bool:
    for path in package.rglob("*.py") if package.is_dir() else [package]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n.startswith("gatekeeper.sandbox") for n in names):
                return True
    return False


def test_every_check_that_runs_pr_code_declares_it() -> None:
    # safe mode reads the declaration, so a check that runs PR code without saying so
    # would run under pull_request_target
    declared, running = set(), set()
    for check_id, cls in discover().classes().items():
        module = Path(sys.modules[cls.__module__].__file__ or "")
        package = module.parent if module.parent.name == check_id.replace("-", "") else module
        if getattr(cls, "executes_pr_code", False):
            declared.add(check_id)
        if _imports_sandbox(package):
            running.add(check_id)
    assert running == declared == {"command", "migrations", "openapi"}


def test_pr_code_run_by_the_action_finds_no_token(
    open_tmp: Path, validators: list[SpecValidator]
) -> None:
    needs_root()
    runnable = python_for(WORKSPACE_UID)
    if runnable is None:
        pytest.skip("no Python interpreter the workspace's owner may run")
    python, pythonpath = runnable
    token = _token()
    probes, out = open_tmp / "probes", open_tmp / "out"
    probes.mkdir(mode=0o777)
    os.chmod(probes, 0o777)
    out.mkdir()
    repo = GitRepo(open_tmp / "ws")
    base = repo.commit({".github/gatekeeper.yml": POLICY % python, **BASE}, "base")
    head = repo.commit(_head(probes, wait_for=probes / "go", scan_all=True), "the attack")
    chown_tree(repo.root, WORKSPACE_UID)
    event = write_event(out / "event.json", base, head)
    canary = "canary-" + secrets.token_hex(8)
    # a process of the workspace's owner: the probes must be able to read its environ,
    # which shows that reading /proc works and the gate is out of reach for a reason
    sibling = subprocess.Popen(
        ["sleep", "600"], env={"GK_CANARY": canary}, user=WORKSPACE_UID, group=WORKSPACE_UID
    )
    github = FakeGitHub(validators, token=token).start()
    log = out / "action.log"
    try:
        env = action_env(repo.root, event, github.url, token, out, PYTHONPATH=pythonpath)
        action = start_action(python, env, repo.root, log)
        wait_for(probes / "command.json", action, log)
        # the running gate, read as root: the token is not in its environment or arguments
        for part in ("environ", "cmdline"):
            seen = Path(f"/proc/{action.pid}/{part}").read_bytes()
            assert token.encode() not in seen and b"INPUT_TOKEN" not in seen, part
        assert canary.encode() in Path(f"/proc/{sibling.pid}/environ").read_bytes()
        (probes / "go").touch()
        assert action.wait(timeout=600) == 0, log.read_text()
    finally:
        sibling.kill()
        sibling.wait()
        github.stop()
    assert github.rejections == []
    for name in ("command.json", "migration.json"):
        found = read_probe(probes / name)
        assert found["uid"] == WORKSPACE_UID, f"{name} ran as uid {found['uid']}"
        assert any(canary in text for text in found["read"].values()), "reading /proc failed"
        assert f"/proc/{found['ppid']}/environ" in found["refused"]
        assert found["parent_mem_opened"] is False
        assert token not in json.dumps(found), f"{name} found the token"
    (run,) = github.check_runs.values()
    assert run["conclusion"] == "success" and run["head_sha"] == head
    published = json.dumps([github.check_runs, github.comments])
    written = [(out / n).read_text() for n in ("output", "summary.md")]
    report = (repo.root / "gatekeeper-report.json").read_text()
    lines = [x for x in log.read_text().splitlines() if not x.startswith("::add-mask::")]
    for text in (published, report, *written, *lines):
        assert token not in text
