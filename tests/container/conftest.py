"""The built container image and a way to run it as GitHub's runner does.

The tests here need a Docker engine and the action's image. ``GATEKEEPER_IMAGE`` names
an image already built (``.ci/image`` builds one and ``.ci/run`` sets it); without it the
image is built from the Dockerfile once per session (``GATEKEEPER_BASE_IMAGE`` overrides
the base). Without an engine the tests skip with the reason, except under CI
(``CI=true``), where that is a failure: the image must never go untested silently.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.github.conftest import github, validators  # noqa: F401  (fixtures used here)

ROOT = Path(__file__).resolve().parents[2]
#: the uid GitHub's hosted runners own the workspace with: the container runs as root
RUNNER_UID = 1001
#: what docker build says when it cannot fetch the base image (no registry reachable)
_BASE_UNREACHABLE = re.compile(
    r"pull access denied|failed to resolve|manifest unknown|no such host|dial tcp|"
    r"connection refused|i/o timeout|TLS handshake timeout",
    re.IGNORECASE,
)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the container image must be tested under CI: {reason}")
    pytest.skip(reason)


def _engine_answers() -> str | None:
    """None when ``docker info`` answers, else why not."""
    if shutil.which("docker") is None:
        return "no docker client on PATH (bash .ci/image installs and starts an engine)"
    done = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        return f"no Docker engine answers: {done.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def image() -> str:
    """The tag of the action's image to test."""
    problem = _engine_answers()
    if problem:
        _unavailable(problem)
    tag = os.environ.get("GATEKEEPER_IMAGE", "")
    if tag:
        known = subprocess.run(
            ["docker", "image", "inspect", tag], capture_output=True, check=False, timeout=60
        )
        if known.returncode != 0:
            pytest.fail(f"GATEKEEPER_IMAGE={tag} is not an image the engine has")
        return tag
    tag = "gatekeeper:pytest"
    command = ["docker", "build", "--quiet", "--network", "host", "-t", tag]
    if os.environ.get("GATEKEEPER_BASE_IMAGE"):
        command += ["--build-arg", f"BASE_IMAGE={os.environ['GATEKEEPER_BASE_IMAGE']}"]
    built = subprocess.run(
        [*command, str(ROOT)], capture_output=True, text=True, check=False, timeout=1800
    )
    if built.returncode != 0:
        if _BASE_UNREACHABLE.search(built.stderr):
            # a developer's engine with no registry: not a defect of the image
            _unavailable(
                "the base image cannot be pulled here; build a local stand-in with "
                f"`bash .ci/image` and set GATEKEEPER_IMAGE ({built.stderr.strip()[-300:]})"
            )
        pytest.fail(f"docker build failed:\n{built.stderr[-3000:]}")
    return tag


@dataclass
class Job:
    """One step's run of the container: what it printed and the files it left."""

    code: int
    log: str
    summary: str
    outputs: dict[str, str]


def run_step(image: str, job_dir: Path, workspace: Path, env: Mapping[str, str]) -> Job:
    """Run the image the way the runner runs a Docker action, on the host's network.

    The runner mounts the workspace, the event folder and the file-commands folder,
    sets GITHUB_* (paths inside the container) and one INPUT_* per input, hyphens kept,
    and starts the entrypoint in /github/workspace. ``env`` adds or overrides variables.
    """
    workflow = job_dir / "workflow"
    commands = job_dir / "file_commands"
    commands.mkdir(parents=True, exist_ok=True)
    (commands / "step_summary").write_text("", encoding="utf-8")
    (commands / "set_output").write_text("", encoding="utf-8")
    base_env = {
        "GITHUB_WORKSPACE": "/github/workspace",
        "GITHUB_EVENT_PATH": "/github/workflow/event.json",
        "GITHUB_STEP_SUMMARY": "/github/file_commands/step_summary",
        "GITHUB_OUTPUT": "/github/file_commands/set_output",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_ACTIONS": "true",
        "CI": "true",
        "HOME": "/github/home",
        "INPUT_COMMENT": "true",
        "INPUT_CHECK-NAME": "gatekeeper",
        "INPUT_FORMATS": "terminal",
        "INPUT_FAIL-ON-ERROR": "true",
        "INPUT_WORKING-DIRECTORY": ".",
    }
    command = ["docker", "run", "--rm", "--network", "host", "--workdir", "/github/workspace"]
    for name, value in {**base_env, **env}.items():
        command += ["-e", f"{name}={value}"]
    for source, target in (
        (workspace, "/github/workspace"),
        (workflow, "/github/workflow"),
        (commands, "/github/file_commands"),
    ):
        command += ["-v", f"{source}:{target}"]
    done = subprocess.run(
        [*command, image], capture_output=True, text=True, check=False, timeout=600
    )
    text = (commands / "set_output").read_text(encoding="utf-8")
    found = re.findall(r"^([\w-]+)<<(ghadelimiter_\w+)\n(.*?)\n?\2$", text, re.S | re.M)
    outputs = {name: value for name, _, value in found}
    return Job(
        done.returncode,
        done.stdout + done.stderr,
        (commands / "step_summary").read_text(encoding="utf-8"),
        outputs,
    )


def write_event(job_dir: Path, number: int, base: str, head: str, login: str = "alice") -> None:
    """The pull_request event payload the runner mounts at /github/workflow/event.json."""
    workflow = job_dir / "workflow"
    workflow.mkdir(parents=True, exist_ok=True)
    event = {
        "pull_request": {
            "number": number,
            "title": "Change things",
            "body": "",
            "user": {"login": login, "type": "User"},
            "base": {"ref": "main", "sha": base},
            "head": {"ref": "agent/change", "sha": head},
        }
    }
    (workflow / "event.json").write_text(json.dumps(event), encoding="utf-8")


def hand_to_runner(path: Path) -> None:
    """Own the checkout as the runner's user, as on GitHub (the container runs as root)."""
    if os.geteuid() == 0:
        for entry in [path, *path.rglob("*")]:
            os.lchown(entry, RUNNER_UID, RUNNER_UID)
