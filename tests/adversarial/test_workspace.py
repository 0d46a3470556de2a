"""What the action leaves in the workspace and the runner's files (docs/security.md).

The container action runs as root in a workspace the runner's user owns. Afterwards
nothing in that workspace may belong to root (a later step could not replace it), no
link the PR committed may have been written through, and nothing the PR's code wrote
into the runner's file commands (``GITHUB_OUTPUT``...) may stand beside the gate's own.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from gatekeeper.github.action import run_action
from tests.adversarial.untrusted import (
    WORKSPACE_UID,
    action_env,
    chown_tree,
    needs_root,
    open_tmp,
    write_event,
)
from tests.conftest import GitRepo
from tests.github.conftest import github, validators
from tests.github.fakegithub import TOKEN, FakeGitHub

__all__ = ["github", "open_tmp", "validators"]  # fixtures, imported for pytest to find

WORKFLOW = ".github/workflows/gatekeeper.yml"


def _policy(output: Path) -> str:
    # the PR's own command: a file in the checkout, and a forged step output
    forge = f"echo made > made-by-the-pr.txt; printf 'met=true\\\\n' >> {output}"
    return (
        "version: 1\nchecks:\n  gate: {severity: block}\n  command:\n"
        f'    - {{name: forge, run: "{forge}", shell: true}}\n'
    )


def _outputs(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"^([\w-]+)<<(ghadelimiter_\w+)\n(.*?)\n?\2$", text, re.S | re.M)
    plain = re.findall(r"^([\w-]+)=(.*)$", text, re.M)
    return [(n, v) for n, _, v in blocks] + plain


def test_the_workspace_stays_its_owners_and_pr_code_cannot_forge_outputs(
    open_tmp: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs_root()
    out = open_tmp / "runner"
    out.mkdir()
    output = out / "output"
    origin = GitRepo(open_tmp / "origin")
    base = origin.commit(
        {".github/gatekeeper.yml": _policy(output), WORKFLOW: "on: push\n"}, "base"
    )
    origin.git("checkout", "-q", "-b", "attack")
    head = origin.commit({WORKFLOW: "on: [push, pull_request]\n"}, "loosen CI")
    origin.git("update-ref", "refs/pull/9/head", head)
    origin.git("checkout", "-q", "main")
    # the runner checked out base alone, shallow: the gate fetches the head into .git
    workspace = open_tmp / "ws"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "-b", "main", f"file://{origin.root}",
         str(workspace)],
        check=True,
    )  # fmt: skip
    # and the checkout holds a link the PR made where the gate writes its report
    victim = open_tmp / "victim.txt"
    victim.write_text("do not touch\n", encoding="utf-8")
    os.symlink(victim, workspace / "gatekeeper-report.json")
    chown_tree(workspace, WORKSPACE_UID)
    output.touch()
    os.chown(output, WORKSPACE_UID, WORKSPACE_UID)  # the runner's file, the runner's user
    event = write_event(out / "event.json", base, head)
    sarif = {"INPUT_SARIF-FILE": "reports/gk.sarif"}
    env = action_env(workspace, event, github.url, TOKEN, out, **sarif)
    for name in ("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"):
        monkeypatch.setenv(name, env[name])
    log = io.StringIO()
    code = run_action(env, stdout=log, sleep=lambda s: None)
    said = log.getvalue()
    assert code == 1, said  # the workflow change blocks
    assert "fetched the head commit" in said
    # the PR's command ran as the workspace's owner, and its forged output is gone
    assert (workspace / "made-by-the-pr.txt").stat().st_uid == WORKSPACE_UID
    assert ("met", "false") in _outputs(output) and ("met", "true") not in _outputs(output)
    assert "wrote to output; it was removed" in said
    # the link was replaced, not written through
    assert victim.read_text(encoding="utf-8") == "do not touch\n"
    report = workspace / "gatekeeper-report.json"
    assert report.is_file() and not report.is_symlink()
    # nothing in the workspace is root's: reports, their folder, the fetched git objects
    for folder, dirs, files in os.walk(workspace):
        for name in (".", *dirs, *files):
            path = Path(folder, name)
            assert path.lstat().st_uid == WORKSPACE_UID, f"{path} belongs to root"
    assert (workspace / "reports" / "gk.sarif").is_file()
