"""The container action's Dockerfile: its shape, and its install steps in a fresh venv.

Docker cannot run here, so the slow test replays the Dockerfile's ``COPY`` and
``pip install`` steps in a new virtual environment and runs the installed entry point.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str, bool]]:
    """(instruction, arguments, commented) with continuation lines joined.

    A comment covers the instructions that follow it up to the next blank line.
    """
    out: list[tuple[str, str, bool]] = []
    commented, pending = False, ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and stripped.startswith("#"):
            commented = True
            continue
        if not stripped and not pending:
            commented = False
            continue
        pending += stripped.removesuffix("\\").strip() + " "
        if stripped.endswith("\\"):
            continue
        word, _, args = pending.strip().partition(" ")
        out.append((word.upper(), args.strip(), commented))
        pending = ""
    return out


def test_dockerfile_shape() -> None:
    steps = instructions()
    words = [w for w, _, _ in steps]
    assert words[0] == "FROM" and re.match(r"python:3\.1[1-3]-slim", steps[0][1])
    assert "USER" not in words
    assert ("ENTRYPOINT", '["gatekeeper", "action"]') in [(w, a) for w, a, _ in steps]
    runs = " ".join(a for w, a, _ in steps if w == "RUN")
    assert "git config --system --add safe.directory '*'" in runs
    assert re.search(r"apt-get install [^&]*\bgit\b[^&]*\bpostgresql\b", runs)
    assert "rm -rf /var/lib/apt/lists/*" in runs
    undocumented = [f"{w} {a}" for w, a, commented in steps if not commented]
    assert undocumented == [], "every layer says why it is there"


def test_action_yml_runs_this_dockerfile() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(action["branding"]) == {"icon", "color"}


@pytest.mark.slow
def test_dockerfile_install_steps_in_a_fresh_venv(tmp_path: Path) -> None:
    """COPY and ``pip install`` exactly as the Dockerfile does, then run the entry point."""
    image = tmp_path / "image"
    for word, args, _ in instructions():
        if word == "COPY":
            *sources, dest = args.split()
            for src in sources:
                target = image / dest.lstrip("/")
                target = target / Path(src).name if dest.endswith("/") else target
                target.parent.mkdir(parents=True, exist_ok=True)
                (shutil.copytree if (ROOT / src).is_dir() else shutil.copy)(ROOT / src, target)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / "bin"
    pip_lines = [
        a for w, a in ((w, a) for w, a, _ in instructions()) if w == "RUN" and "pip install" in a
    ]
    assert pip_lines
    for line in pip_lines:
        command = line.split("&&")[0].strip().replace("/opt/", f"{image}/opt/")
        command = command.replace("pip install", f"{bindir}/python -m pip install -q", 1)
        done = subprocess.run(
            command, check=False, shell=True, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-3000:]
    env = {
        "PATH": f"{bindir}:{os.environ.get('PATH', '')}",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "missing.json"),
    }
    ran = subprocess.run(
        [str(bindir / "gatekeeper"), "action"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 2, ran.stderr
    assert "cannot read the event file" in ran.stdout
    shown = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import gatekeeper.github.action, "
            "importlib.metadata as m, json; print(json.dumps(sorted("
            "e.name for e in m.entry_points(group='gatekeeper.checks'))))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "gate" in json.loads(shown.stdout)
