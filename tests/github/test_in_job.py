"""The in-job composite action (in-job/action.yml and install.sh).

Its step scripts are run for real with bash: the inputs must reach ``gatekeeper action``
as the runner passes them to the container, and the token must not linger elsewhere in
the environment. The install's overlay (gatekeeper's packages first, then the job's) is
checked offline on two throwaway environments. The end-to-end test runs a gatekeeper that
in-job/install.sh installed (``.ci/run`` installs one and sets GATEKEEPER_IN_JOB; it
skips without one, and fails under CI) on an Alembic round trip that needs the job's
alembic and SQLAlchemy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import GitRepo
from tests.github.fakegithub import TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
CONTAINER = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
IN_JOB = yaml.safe_load((ROOT / "in-job" / "action.yml").read_text(encoding="utf-8"))


def test_same_inputs_and_outputs_as_the_container_action_plus_python() -> None:
    assert IN_JOB["runs"]["using"] == "composite"
    inputs = dict(IN_JOB["inputs"])
    python = inputs.pop("python")
    assert python["default"] == "" and python["required"] is False
    assert inputs == CONTAINER["inputs"], "same names, defaults and descriptions"
    assert {k: v["description"] for k, v in IN_JOB["outputs"].items()} == {
        k: v["description"] for k, v in CONTAINER["outputs"].items()
    }
    for name, spec in IN_JOB["outputs"].items():
        assert spec["value"] == f"${{{{ steps.gate.outputs.{name} }}}}"


def _step(step_id: str) -> dict[str, object]:
    (step,) = [s for s in IN_JOB["runs"]["steps"] if s.get("id") == step_id]
    assert step["shell"] == "bash"
    return step


def _expand(value: str, inputs: dict[str, str]) -> str:
    """What the runner substitutes for ``${{ inputs.x }}`` and ``${{ steps.install... }}``."""
    for name, given in inputs.items():
        value = value.replace(f"${{{{ inputs.{name} }}}}", given)
    return value


def test_the_gate_step_passes_every_input_as_INPUT_and_the_token_only_there(
    tmp_path: Path,
) -> None:
    step = _step("gate")
    given = {name: f"value of {name} $(not run) 'q' \"dq\"" for name in IN_JOB["inputs"]}
    given["token"] = TOKEN
    dump = tmp_path / "env.json"
    fake = tmp_path / "gatekeeper"
    fake.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        f"json.dump({{'argv': sys.argv[1:], 'env': dict(os.environ)}}, open({str(dump)!r}, 'w'))\n",
        encoding="utf-8",
    )
    fake.chmod(0o755)
    env = {"PATH": os.environ["PATH"]}
    for key, value in step["env"].items():  # type: ignore[union-attr]
        env[key] = _expand(str(value), given)
    env["GK_BIN"] = str(fake)
    subprocess.run(["bash", "-c", step["run"]], env=env, check=True, timeout=60)  # type: ignore[list-item]
    seen = json.loads(dump.read_text(encoding="utf-8"))
    assert seen["argv"] == ["action"]
    for name in CONTAINER["inputs"]:
        assert seen["env"][f"INPUT_{name.upper()}"] == given[name], name
    holding = sorted(k for k, v in seen["env"].items() if TOKEN in v)
    assert holding == ["INPUT_TOKEN"]


def _venv(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    found = subprocess.run(
        [
            str(path / "bin" / "python"),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip())


def test_the_overlay_puts_gatekeepers_packages_first_and_the_jobs_after(tmp_path: Path) -> None:
    job_site = _venv(tmp_path / "job")
    ours_site = _venv(tmp_path / "gk")
    (job_site / "shared_pkg.py").write_text("WHO = 'job'\n", encoding="utf-8")
    (ours_site / "shared_pkg.py").write_text("WHO = 'gatekeeper'\n", encoding="utf-8")
    (job_site / "job_orm.py").write_text("WHO = 'job'\n", encoding="utf-8")
    app = tmp_path / "app-src"  # an editable install of the application: a .pth in the job
    app.mkdir()
    (app / "the_app.py").write_text("WHO = 'app'\n", encoding="utf-8")
    (job_site / "__editable__.the_app.pth").write_text(f"{app}\n", encoding="utf-8")
    env = {
        **os.environ,
        "GK_PYTHON": str(tmp_path / "job" / "bin" / "python"),
        "GK_VENV": str(tmp_path / "gk"),
        "GK_LINK_ONLY": "1",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
    }
    done = subprocess.run(
        ["bash", str(ROOT / "in-job" / "install.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == f"{tmp_path}/gk/bin/gatekeeper"
    assert (tmp_path / "out").read_text(
        encoding="utf-8"
    ) == f"gatekeeper={tmp_path}/gk/bin/gatekeeper\n"
    probe = "import shared_pkg, job_orm, the_app; print(shared_pkg.WHO, job_orm.WHO, the_app.WHO)"
    ran = subprocess.run(
        [str(tmp_path / "gk" / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ran.stdout.split() == ["gatekeeper", "job", "app"]


def test_install_refuses_a_python_older_than_311(tmp_path: Path) -> None:
    old = tmp_path / "python"
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    done = subprocess.run(
        ["bash", str(ROOT / "in-job" / "install.sh")],
        env={**os.environ, "GK_PYTHON": str(old), "GK_VENV": str(tmp_path / "v")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "needs Python 3.11 or newer" in done.stderr and not (tmp_path / "v").exists()


ALEMBIC_HEAD = """import sqlalchemy as sa
from alembic import op
revision = "a1"
down_revision = None
def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table("audit", sa.Column("id", sa.Integer, primary_key=True))
def downgrade():
    op.drop_table("users")
"""


@pytest.mark.in_job
def test_an_in_job_install_round_trips_alembic_with_the_jobs_packages(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    gatekeeper = os.environ.get("GATEKEEPER_IN_JOB", "")
    if not gatekeeper:
        reason = "set GATEKEEPER_IN_JOB to a gatekeeper installed by in-job/install.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the in-job install must be tested under CI: {reason}")
        pytest.skip(reason)
    own = subprocess.run(
        [str(Path(gatekeeper).parent / "python"), "-c", "import alembic; print(alembic.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    venv = str(Path(gatekeeper).parent.parent)
    assert not own.stdout.startswith(venv), "alembic must come from the job, not gatekeeper's lock"
    base = git_repo.commit({".github/gatekeeper.yml": "version: 1\nchecks:\n  migrations: {}\n"})
    head = git_repo.commit({"alembic/versions/a1_users.py": ALEMBIC_HEAD}, "add users")
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"pull_request": {"number": 8, "base": {"sha": base}, "head": {"sha": head}}}),
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": github.url,
        "GITHUB_WORKSPACE": str(git_repo.root),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "INPUT_TOKEN": TOKEN,
        "INPUT_COMMENT": "false",
    }
    done = subprocess.run(
        [gatekeeper, "action"],
        env=env,
        cwd=git_repo.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (run,) = github.check_runs.values()
    titles = {a["title"]: a["message"] for a in run["annotations"]}
    assert "migrations/roundtrip-failed" in titles, titles
    assert "audit" in titles["migrations/roundtrip-failed"]
