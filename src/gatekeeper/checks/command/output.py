"""Reading what a command left behind: the tail of its output and its JUnit XML report."""

from __future__ import annotations

import importlib
import os
import re
import xml.etree.ElementTree as StdET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatekeeper.checks.interface import CheckError

#: How much of a command's output a finding shows.
TAIL_LINES = 40
_TAIL_BYTES = 64 * 1024
_MAX_MESSAGE = 300
_SECRET_NAME = re.compile(
    r"TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION|(^|_)KEY($|_)|API_?KEY",
    re.IGNORECASE,
)
# shorter values would mask ordinary words all over the output
_MIN_SECRET_LEN = 6
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def redactions(env: Mapping[str, str], extra: Mapping[str, str] = {}) -> tuple[str, ...]:
    """Values of secret-looking environment variables, longest first, to mask in output."""
    values = {
        value
        for source in (env, extra)
        for name, value in source.items()
        if _SECRET_NAME.search(name) and len(value) >= _MIN_SECRET_LEN
    }
    return tuple(sorted(values, key=lambda v: (-len(v), v)))


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def output_tail(log: Path, secrets: Iterable[str], lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a command's output, secrets masked, colours stripped."""
    try:
        with log.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - _TAIL_BYTES))
            data = fh.read()
    except OSError:  # pragma: no cover - the log is ours, in the scratch directory
        return ""
    text = mask(_ANSI.sub("", data.decode("utf-8", "replace")), secrets)
    return "\n".join(text.rstrip().splitlines()[-lines:])


@dataclass(frozen=True, slots=True)
class FailedCase:
    """One failed or errored test case from a JUnit XML report."""

    test: str
    outcome: str  # "failed" or "errored"
    message: str
    path: str | None = None


def junit_failures(report: Path, root: Path, workdir: Path, *, label: str) -> list[FailedCase]:
    """The failed and errored test cases in a JUnit XML file, sorted by path and name.

    ``workdir`` is where the command ran (relative ``file`` attributes are relative to
    it); paths come back relative to the repository ``root``.
    """
    parser, refused = _xml_parser()
    errors: tuple[type[Exception], ...] = (StdET.ParseError, *refused)
    try:
        tree = parser.parse(str(report))
    except errors as exc:
        raise CheckError(f"{label}: not a readable JUnit XML report ({exc})") from exc
    except OSError as exc:
        raise CheckError(f"{label}: cannot read the JUnit report ({exc})") from exc
    top = tree.getroot()
    if top.tag not in ("testsuites", "testsuite"):
        raise CheckError(f"{label}: the root element is <{top.tag}>, not <testsuites>")
    cases: list[FailedCase] = []
    for case in top.iter("testcase"):
        for outcome, tag in (("failed", "failure"), ("errored", "error")):
            problem = case.find(tag)
            if problem is not None:
                cases.append(_case(case, problem, outcome, root, workdir))
                break
    return sorted(cases, key=lambda c: (c.path or "", c.test))


def _xml_parser() -> tuple[Any, tuple[type[Exception], ...]]:
    """defusedxml when installed (it refuses entity bombs and external entities), else the
    standard library, whose expat already refuses entity expansion bombs."""
    try:
        safe = importlib.import_module("defusedxml.ElementTree")
        refused = importlib.import_module("defusedxml").DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is installed wherever we test
        return StdET, ()
    return safe, (refused,)


def _case(
    case: StdET.Element, problem: StdET.Element, outcome: str, root: Path, workdir: Path
) -> FailedCase:
    classname = case.get("classname", "")
    name = case.get("name", "?")
    test = f"{classname}::{name}" if classname else name
    message = (problem.get("message") or problem.text or problem.get("type") or "").strip()
    first = message.splitlines()[0] if message else "(no message)"
    if len(first) > _MAX_MESSAGE:
        first = first[: _MAX_MESSAGE - 1] + "…"
    return FailedCase(test, outcome, first, _case_path(case.get("file"), classname, root, workdir))


def _case_path(file: str | None, classname: str, root: Path, workdir: Path) -> str | None:
    candidates: list[Path] = []
    if file:
        candidates.append(workdir / file)
    # pytest's default report has no file attribute: try the dotted classname as a module
    parts = [p for p in classname.split(".") if p]
    for end in range(len(parts), 0, -1):
        candidates.append(workdir.joinpath(*parts[:end]).with_suffix(".py"))
    for candidate in candidates:
        if candidate.is_file():
            try:
                return candidate.resolve().relative_to(root.resolve()).as_posix()
            except ValueError:
                return None
    return None
