"""The lock files in requirements/ match pyproject.toml, pin everything and agree.

requirements/refresh regenerates them; a change to pyproject.toml's dependencies that is
not followed by a refresh fails here, naming the requirement the lock no longer meets.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ROOT / "requirements"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SELF = canonicalize_name(PROJECT["project"]["name"])
#: what the in-job action leaves to the job: the application's own ORM stack
JOB_BRINGS = {"alembic", "sqlalchemy", "psycopg", "psycopg-binary"}
#: where ci.txt installs, for evaluating the markers of a package's requirements: CI's
#: oldest Python, which needs the most backports (the image itself runs 3.13)
IMAGE_ENV = {"python_version": "3.11", "sys_platform": "linux", "platform_machine": "x86_64"}


@dataclass(frozen=True)
class Pin:
    version: str
    hashes: tuple[str, ...]
    marker: str


def read_lock(name: str) -> dict[str, Pin]:
    """name -> Pin for every entry of a requirements file written by requirements/refresh."""
    text = (LOCKS / name).read_text(encoding="utf-8")
    pins: dict[str, Pin] = {}
    for entry in re.split(r"\n(?=[^\s#])", text):
        logical = re.sub(r"\s*\\\n\s*", " ", entry.split("\n    #")[0]).strip()
        if not logical or logical.startswith("#"):
            continue
        head, *options = logical.split(" --")
        spec, _, marker = head.partition(";")
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", spec.strip())
        assert match, f"{name}: not pinned with ==: {head!r}"
        hashes = tuple(o.removeprefix("hash=") for o in options if o.startswith("hash=sha256:"))
        pins[canonicalize_name(match[1])] = Pin(match[2], hashes, marker.strip())
    return pins


def required(extras: list[str], extra_files: tuple[str, ...] = ()) -> list[Requirement]:
    """pyproject's dependencies plus the given extras (self-references followed)."""
    optional = PROJECT["project"]["optional-dependencies"]
    found = [Requirement(r) for r in PROJECT["project"]["dependencies"]]
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for text in optional[extra]:
            req = Requirement(text)
            if canonicalize_name(req.name) == SELF:
                todo.extend(req.extras)
            else:
                found.append(req)
    for name in extra_files:
        lines = (LOCKS / name).read_text(encoding="utf-8").splitlines()
        found += [Requirement(x) for x in lines if x.strip() and not x.startswith("#")]
    return found


LOCK_INPUTS = {
    "image.txt": (["all"], ()),
    "in-job.txt": ([], ()),
    "ci.txt": (["dev", "all"], ("build.in",)),
    "build.txt": ([], ("build.in",)),
}


@pytest.mark.parametrize("lock", sorted(LOCK_INPUTS))
def test_each_lock_meets_every_requirement_it_is_made_from(lock: str) -> None:
    pins = read_lock(lock)
    extras, files = LOCK_INPUTS[lock]
    if lock == "build.txt":  # what builds the package, not what it needs to run
        reqs = [Requirement(r) for r in PROJECT["build-system"]["requires"]]
        reqs += required([], files)[len(PROJECT["project"]["dependencies"]) :]
    else:
        reqs = required(extras, files)
    for req in reqs:
        name = canonicalize_name(req.name)
        assert name in pins, f"requirements/{lock} lacks {req} (run requirements/refresh)"
        assert req.specifier.contains(pins[name].version, prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name].version}, pyproject wants {req}"
            " (run requirements/refresh)"
        )


@pytest.mark.parametrize("lock", sorted(LOCK_INPUTS))
def test_every_entry_is_pinned_with_hashes_and_applies_where_it_should(lock: str) -> None:
    pins = read_lock(lock)
    assert SELF not in pins, "gatekeeper itself is installed from its wheel, not the lock"
    for name, pin in pins.items():
        assert pin.hashes, f"requirements/{lock}: {name} has no --hash"
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in pin.hashes), name
        if pin.marker:  # a marker must parse and mean something on some target
            Marker(pin.marker)


def test_shared_packages_have_one_version_everywhere() -> None:
    image, in_job, ci, build = (
        read_lock(n) for n in ("image.txt", "in-job.txt", "ci.txt", "build.txt")
    )
    for other, label in ((in_job, "in-job.txt"), (ci, "ci.txt")):
        differ = {
            n: (image[n].version, p.version)
            for n, p in other.items()
            if n in image and image[n].version != p.version
        }
        assert differ == {}, f"{label} and image.txt disagree: {differ}"
    differ = {
        n: (build[n].version, ci[n].version) for n in build if ci[n].version != build[n].version
    }
    assert differ == {}, f"ci.txt and build.txt disagree: {differ}"


def test_the_in_job_lock_leaves_the_orm_stack_to_the_job() -> None:
    in_job, image = read_lock("in-job.txt"), read_lock("image.txt")
    assert JOB_BRINGS & set(in_job) == set()
    assert {"alembic", "sqlalchemy", "psycopg"} <= set(image)


def test_the_ci_lock_is_closed_under_what_its_packages_require() -> None:
    """Each locked package's own requirements are locked too (read from the installed
    metadata; .ci/run installs exactly this lock, so there every entry is checked)."""
    pins = read_lock("ci.txt")
    checked = 0
    for name, pin in pins.items():
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if dist.version != pin.version:
            continue
        checked += 1
        for text in dist.requires or []:
            req = Requirement(text)
            env = {**IMAGE_ENV, "extra": ""}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            assert canonicalize_name(req.name) in pins, f"{name} needs {req}, not in ci.txt"
    assert checked >= 10, "the locked packages should be installed where the tests run"
