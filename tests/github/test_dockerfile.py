"""The container action's Dockerfile: its shape, read without an engine.

The image itself is built and run by tests/container (``.ci/image`` builds it in CI).
"""

from __future__ import annotations

import re
from pathlib import Path

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


#: Python 3.13 or newer on Debian 13 (trixie): the security check parses a repository with
#: the image's Python, and 3.11 cannot read 3.12 syntax (docs/releasing.md)
PINNED_BASE = re.compile(r"python:3\.1[3-9]-slim-trixie@sha256:[0-9a-f]{64}")


def test_dockerfile_shape() -> None:
    steps = instructions()
    words = [w for w, _, _ in steps]
    assert words[0] == "ARG"
    name, _, default = steps[0][1].partition("=")
    assert name == "BASE_IMAGE" and PINNED_BASE.fullmatch(default), "the base is pinned by digest"
    froms = [a for w, a, _ in steps if w == "FROM"]
    assert froms == ["${BASE_IMAGE} AS wheel", "${BASE_IMAGE}"], "both stages on the pinned base"
    assert "USER" not in words
    assert ("ENTRYPOINT", '["gatekeeper", "action"]') in [(w, a) for w, a, _ in steps]
    runs = " ".join(a for w, a, _ in steps if w == "RUN")
    assert "git config --system --add safe.directory '*'" in runs
    assert re.search(r"apt-get install [^&]*\bgit\b[^&]*\bpostgresql\b", runs)
    assert "rm -rf /var/lib/apt/lists/*" in runs
    assert "create_main_cluster = false" in runs, "no default PostgreSQL cluster"
    paths = " ".join(a for w, a, _ in steps if w in ("RUN", "ENV"))
    majors = set(re.findall(r"/usr/lib/postgresql/(\d+)/bin", paths))
    assert len(majors) == 1, f"the build checks the PostgreSQL on PATH, one major: {majors}"
    assert ("ARG", "DEBIAN_FRONTEND=noninteractive") in [(w, a) for w, a, _ in steps]
    undocumented = [f"{w} {a}" for w, a, commented in steps if not commented]
    assert undocumented == [], "every layer says why it is there"


def test_every_pip_install_checks_hashes_or_installs_only_the_built_wheel() -> None:
    """No pip step may resolve or download anything the lock files do not pin by hash."""
    installs = [
        part.strip()
        for w, a, _ in instructions()
        if w == "RUN"
        for part in a.split("&&")
        if re.search(r"\bpip (install|wheel)\b", part)
    ]
    assert installs, "the Dockerfile installs gatekeeper with pip"
    for command in installs:
        if "--require-hashes" in command:
            assert "--no-deps -r /tmp/" in command, command
        else:
            assert "--no-deps" in command and "-r " not in command, command
            assert re.search(r"(/dist/\*\.whl|--no-build-isolation .* /opt/gatekeeper)$", command)
    copied = [a.split()[0] for w, a, _ in instructions() if w == "COPY" and "requirements/" in a]
    assert sorted(copied) == ["requirements/build.txt", "requirements/image.txt"]


def test_action_yml_runs_this_dockerfile() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"] == {"using": "docker", "image": "Dockerfile"}
    assert set(action["branding"]) == {"icon", "color"}
