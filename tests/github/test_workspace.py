"""workspace: files handed back to the workspace's owner, the runner's files kept honest."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gatekeeper.github.workspace import FileCommands, hand_back, open_runner_file
from tests.adversarial.untrusted import WORKSPACE_UID, needs_root, open_tmp

__all__ = ["open_tmp"]


def test_appended_lines_are_cut_and_a_replaced_file_emptied(tmp_path: Path) -> None:
    output, env_file, summary = (tmp_path / n for n in ("output", "env", "summary"))
    output.write_text("earlier=1\n", encoding="utf-8")
    env_file.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    guard = FileCommands(
        {"GITHUB_OUTPUT": str(output), "GITHUB_ENV": str(env_file),
         "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_PATH": str(tmp_path / "none")}
    )  # fmt: skip
    with output.open("a") as out:
        out.write("met=true\n")
    env_file.unlink()
    env_file.write_text("LD_PRELOAD=/tmp/evil.so\n", encoding="utf-8")  # a new file
    said: list[str] = []
    assert guard.restore(said.append) == [str(env_file), str(output)]
    assert output.read_text() == "earlier=1\n" and env_file.read_text() == ""
    assert summary.read_text() == "" and len(said) == 2


def test_a_link_in_place_of_a_runner_file_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep\n", encoding="utf-8")
    output = tmp_path / "output"
    output.touch()
    guard = FileCommands({"GITHUB_OUTPUT": str(output)})
    output.unlink()
    output.symlink_to(victim)
    said: list[str] = []
    assert guard.restore(said.append) == [str(output)]
    with pytest.raises(OSError):
        open_runner_file(str(output))
    assert victim.read_text() == "keep\n"


def test_a_runner_file_is_not_created_behind_a_linked_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "linked").symlink_to(real)
    with pytest.raises(OSError):
        open_runner_file(str(tmp_path / "linked" / "output"))
    assert not (real / "output").exists()
    with open_runner_file(str(real / "output")) as out:  # a plain folder: created
        out.write("x")
    assert (real / "output").read_text() == "x"


def test_hand_back_gives_new_files_to_the_owner_and_never_follows_links(open_tmp: Path) -> None:
    needs_root()
    workspace = open_tmp / "ws"
    outside = open_tmp / "outside"
    workspace.mkdir()
    outside.mkdir()
    (outside / "root-file").write_text("root's\n")
    os.chown(workspace, WORKSPACE_UID, WORKSPACE_UID)
    since = time.time() - 1
    (workspace / "reports").mkdir()
    (workspace / "reports" / "gk.sarif").write_text("{}")
    (workspace / ".gatekeeper").symlink_to(outside)  # the PR's link: not followed
    said: list[str] = []
    roots = [workspace / "reports", workspace / ".gatekeeper", workspace / ".gatekeeper" / "x"]
    changed = hand_back(workspace, roots, since, said.append)
    assert changed == 3  # reports, reports/gk.sarif, and the link itself
    assert (workspace / "reports" / "gk.sarif").stat().st_uid == WORKSPACE_UID
    assert (workspace / ".gatekeeper").lstat().st_uid == WORKSPACE_UID
    assert (outside / "root-file").stat().st_uid == 0 and outside.stat().st_uid == 0
    assert said == [f"gatekeeper: 3 file(s) the gate wrote were given to uid {WORKSPACE_UID}"]
    assert hand_back(open_tmp, roots, since, said.append) == 0  # root's own: nothing to do
