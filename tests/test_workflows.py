"""The repository's own workflows and the release script: parsed and held to the habits of
well-kept Actions: third-party actions pinned by commit, least-privilege permissions,
no expression expanded inside a shell script, and scripts that bash can parse.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = [ROOT / "action.yml", ROOT / "in-job" / "action.yml"]
sys.path.insert(0, str(ROOT / ".github" / "scripts"))
import release_pin  # noqa: E402

#: every write permission a job may hold, and why; anything else is read-only or absent
WRITES_ALLOWED = {
    ("gatekeeper.yml", "*"): {"checks", "pull-requests", "statuses"},  # the verdict itself
    ("release.yml", "image"): {"packages", "id-token", "attestations"},  # push, attest
    ("release.yml", "pypi"): {"id-token"},  # trusted publishing
    ("release.yml", "release"): {"contents"},  # release commit, tags, GitHub release
}
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name} is not a YAML mapping"
    return data


def jobs(path: Path) -> dict[str, dict[str, Any]]:
    return load(path)["jobs"]


def steps(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """(job id, step) for a workflow; ("runs", step) for an action's composite steps."""
    data = load(path)
    if "jobs" in data:
        return [(job, step) for job, spec in data["jobs"].items() for step in spec["steps"]]
    return [("runs", step) for step in data["runs"].get("steps", [])]


def test_the_workflows_are_the_ones_expected() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "gatekeeper.yml", "release.yml"]


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_shape(path: Path) -> None:
    data = load(path)
    assert True in data or "on" in data, "a trigger"  # YAML 1.1 reads a bare `on` as True
    assert "permissions" in data, "top-level permissions, so nothing inherits the defaults"
    for job, spec in data["jobs"].items():
        assert spec["runs-on"] == "ubuntu-latest", job
        assert isinstance(spec.get("timeout-minutes"), int), f"{job}: a timeout"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: p.parent.name + "/" + p.name)
def test_every_action_used_is_local_or_pinned_by_commit(path: Path) -> None:
    lines = [
        line.strip().removeprefix("- ").removeprefix("uses:").strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.match(r"^\s*(- )?uses:", line)
    ]
    for used in lines:
        assert used.startswith("./") or PINNED.match(used), f"{path.name}: {used}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_permissions_are_least_privilege(path: Path) -> None:
    data = load(path)
    top = data["permissions"]
    assert top in ({}, {"contents": "read"}) or path.name == "gatekeeper.yml", top
    for job, spec in data["jobs"].items():
        granted = spec.get("permissions", top) or {}
        assert isinstance(granted, dict), f"{path.name}:{job}: permissions as a mapping"
        writes = {k for k, v in granted.items() if v == "write"}
        allowed = WRITES_ALLOWED.get((path.name, job), WRITES_ALLOWED.get((path.name, "*"), set()))
        assert writes <= allowed, f"{path.name}:{job} writes {sorted(writes - allowed)}"
        uses = " ".join(str(s.get("uses", "")) for s in spec["steps"])
        if "id-token" in writes:  # OIDC only where something consumes it
            assert "gh-action-pypi-publish" in uses or "attest-build-provenance" in uses, job


def test_the_gate_workflow_holds_exactly_what_the_action_documents() -> None:
    data = load(ROOT / ".github" / "workflows" / "gatekeeper.yml")
    assert data["permissions"] == {
        "checks": "write",
        "pull-requests": "write",
        "contents": "read",
        "statuses": "write",
    }


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: p.parent.name + "/" + p.name)
def test_no_expression_is_expanded_inside_a_script(path: Path) -> None:
    """``${{ }}`` in ``run:`` is pasted into the script before it runs: an injection when the
    value comes from an event. Values reach scripts through ``env:`` instead."""
    for job, step in steps(path):
        if "run" in step:
            assert "${{" not in step["run"], f"{path.name}:{job}: {step.get('name', step['run'])}"


@pytest.mark.parametrize("path", [*WORKFLOWS, *ACTIONS], ids=lambda p: p.parent.name + "/" + p.name)
def test_every_script_parses_as_bash(path: Path) -> None:
    bash = shutil.which("bash")
    assert bash
    for job, step in steps(path):
        if "run" in step:
            done = subprocess.run(
                [bash, "-n"], input=step["run"], capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, f"{path.name}:{job}: {done.stderr}"


def test_checkouts_keep_no_credentials_unless_the_job_pushes() -> None:
    for path in WORKFLOWS:
        for job, step in steps(path):
            if str(step.get("uses", "")).startswith("actions/checkout@") and path.name != (
                "gatekeeper.yml"  # the gate may fetch a PR's head from a private repository
            ):
                keeps = (step.get("with") or {}).get("persist-credentials", True)
                assert keeps is False or (path.name, job) == ("release.yml", "release"), job


def test_the_release_builds_both_platforms_and_publishes_after_the_smoke_test() -> None:
    release = jobs(ROOT / ".github" / "workflows" / "release.yml")
    (build,) = [s for s in release["image"]["steps"] if s.get("id") == "build"]
    assert build["with"]["platforms"] == "linux/amd64,linux/arm64"
    assert build["with"]["push"] is True
    assert release["pypi"]["needs"] == ["dist", "smoke"]
    assert release["pypi"]["environment"]["name"] == "pypi"
    assert set(release["release"]["needs"]) >= {"image", "pypi"}
    script = " ".join(s.get("run", "") for s in release["release"]["steps"])
    assert "release_pin.py" in script and 'git tag -f "$major"' in script
    on = load(ROOT / ".github" / "workflows" / "release.yml")[True]
    assert on == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}


# --- the release script ------------------------------------------------------------------

DIGEST = "sha256:" + "ab" * 32


def _release_tree(tmp_path: Path, version: str) -> tuple[Path, Path]:
    root = tmp_path / "repo"
    (root / "in-job").mkdir(parents=True)
    shutil.copy(ROOT / "action.yml", root / "action.yml")
    (root / "CHANGELOG.md").write_text(
        f"# Changelog\n\n## [Unreleased]\n\n## [{version}] - 2026-12-01\n\n### Added\n- x\n\n"
        "## [0.0.1] - 2026-01-01\n- old\n",
        encoding="utf-8",
    )
    wheel = tmp_path / f"dod_gatekeeper-{version}-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    return root, wheel


def test_the_release_pins_the_image_by_digest_and_the_wheel_by_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, wheel = _release_tree(tmp_path, "1.2.3")
    argv = ["--version", "1.2.3", "--image", "ghcr.io/acme/gatekeeper", "--digest", DIGEST]
    assert release_pin.main([*argv, "--wheel", str(wheel)], root=root) == 0
    action = load(root / "action.yml")
    assert action["runs"] == {
        "using": "docker",
        "image": f"docker://ghcr.io/acme/gatekeeper@{DIGEST}",
    }
    assert load(ROOT / "action.yml")["inputs"] == action["inputs"]
    pin = (root / "in-job" / "gatekeeper.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert (
        pin
        == f"dod-gatekeeper==1.2.3 --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}"
    )
    assert capsys.readouterr().out == "### Added\n- x\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--digest": "sha256:short"}, "not an image digest"),
        ({"--image": "ghcr.io/Acme/gatekeeper"}, "not a lowercase ghcr.io image name"),
        ({"--version": "1.2.4"}, "is not dod-gatekeeper 1.2.4's wheel"),
    ],
)
def test_the_release_refuses_what_it_cannot_pin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict[str, str], message: str
) -> None:
    root, wheel = _release_tree(tmp_path, "1.2.3")
    args = {"--version": "1.2.3", "--image": "ghcr.io/acme/gatekeeper", "--digest": DIGEST}
    args.update(change)
    argv = [x for kv in args.items() for x in kv] + ["--wheel", str(wheel)]
    assert release_pin.main(argv, root=root) == 1
    assert message in capsys.readouterr().err


def test_the_release_needs_a_changelog_section_and_a_dockerfile_image(tmp_path: Path) -> None:
    with pytest.raises(release_pin.ReleaseError, match=r"no '## \[9.9.9\]' section"):
        release_pin.notes("# Changelog\n\n## [1.0.0]\n- x\n", "9.9.9")
    pinned = release_pin.pin_image(
        "runs:\n  using: docker\n  image: Dockerfile\n", "ghcr.io/a/b", DIGEST
    )
    with pytest.raises(release_pin.ReleaseError, match="exactly one 'image: Dockerfile'"):
        release_pin.pin_image(pinned, "ghcr.io/a/b", DIGEST)  # a release commit is not re-pinned
