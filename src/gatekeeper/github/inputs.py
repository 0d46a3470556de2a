"""The action's inputs: what ``action.yml`` declares, read from ``INPUT_<NAME>`` (the
runner keeps hyphens in the names) and checked before anything runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from gatekeeper.errors import UsageError

#: every input action.yml declares, with its default when the runner passes none
INPUTS: Mapping[str, str] = {
    "policy": "",
    "base": "",
    "head": "",
    "token": "",
    "policy-token": "",
    "comment": "true",
    "check-name": "gatekeeper",
    "formats": "terminal",
    "sarif-file": "",
    "fail-on-error": "true",
    "working-directory": ".",
    "jobs": "",
    "base-coverage-artifact": "",
}


@dataclass(frozen=True)
class Inputs:
    """The action's inputs, parsed and checked."""

    policy: str
    base: str
    head: str
    token: str
    comment: bool
    check_name: str
    formats: tuple[str, ...]
    sarif_file: str
    fail_on_error: bool
    working_directory: str
    jobs: int | None
    base_coverage_artifact: str = ""
    #: reads central policies (github: in extends) when set; else ``token`` does
    policy_token: str = ""


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """Parse ``INPUT_*`` variables; a malformed value is a :class:`UsageError`."""
    raw = {
        name: env.get(f"INPUT_{name.upper()}", default).strip() for name, default in INPUTS.items()
    }
    from gatekeeper.report import FORMATS

    formats = tuple(f for f in raw["formats"].replace(",", " ").split() if f)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise UsageError(
            f"input formats: unknown format {', '.join(unknown)}; "
            f"use some of {', '.join(sorted(FORMATS))}"
        )
    jobs = raw["jobs"]
    if jobs and (not jobs.isdigit() or int(jobs) < 1):
        raise UsageError(f"input jobs: {jobs!r} is not a positive whole number")
    return Inputs(
        policy=raw["policy"],
        base=raw["base"],
        head=raw["head"],
        token=raw["token"],
        comment=_flag("comment", raw["comment"]),
        check_name=raw["check-name"] or "gatekeeper",
        formats=formats,
        sarif_file=raw["sarif-file"],
        fail_on_error=_flag("fail-on-error", raw["fail-on-error"]),
        working_directory=raw["working-directory"] or ".",
        jobs=int(jobs) if jobs else None,
        base_coverage_artifact=raw["base-coverage-artifact"],
        policy_token=raw["policy-token"],
    )


_TRUE = ("true", "yes", "1", "on")
FALSE = ("false", "no", "0", "off")


def _flag(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in (*FALSE, ""):
        return False
    raise UsageError(f"input {name}: {value!r} is not true or false")
