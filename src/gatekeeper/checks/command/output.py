"""Reading what a command left behind: the tail of its output and its JUnit XML report."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

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
    it); paths come back relative to the repository ``root``. The file is streamed: no
    tree is built and each message keeps its first few kilobytes only, so a report of
    any size is read in bounded memory; entity declarations are refused outright.
    """
    from xml.parsers import expat

    reader = _JunitReader(label)
    parser = expat.ParserCreate()
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.data
    parser.EntityDeclHandler = _refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with report.open("rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        reason = f"{expat.ErrorString(exc.code)}, line {exc.lineno}"
        raise CheckError(f"{label}: not a readable JUnit XML report ({reason})") from None
    except _EntitiesRefused:
        reason = "it declares entities, which gatekeeper refuses to expand"
        raise CheckError(f"{label}: not a readable JUnit XML report ({reason})") from None
    except OSError as exc:
        raise CheckError(f"{label}: cannot read the JUnit report ({exc})") from exc
    if reader.root is None:
        raise CheckError(f"{label}: not a readable JUnit XML report (no root element)")
    cases = [
        FailedCase(test, outcome, _first_line(message), _case_path(file, cls, root, workdir))
        for test, outcome, message, file, cls in reader.failed
    ]
    return sorted(cases, key=lambda c: (c.path or "", c.test))


class _EntitiesRefused(Exception):
    """An entity declaration: no "billion laughs", no external entities."""


def _refuse_entities(*_: object) -> None:
    raise _EntitiesRefused


#: how much of a failure's text is kept (only its first line is shown)
_KEEP_TEXT = 4096


class _JunitReader:
    """expat handlers: the failed and errored test cases, nothing else kept."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.root: str | None = None
        self.failed: list[tuple[str, str, str, str | None, str]] = []
        self.case: dict[str, str] | None = None
        self.problem: tuple[str, dict[str, str]] | None = None  # failure wins over error
        self.text: list[str] | None = None
        self.kept = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.root is None:
            self.root = tag
            if tag not in ("testsuites", "testsuite"):
                raise CheckError(f"{self.label}: the root element is <{tag}>, not <testsuites>")
        if tag == "testcase":
            self.case, self.problem, self.text = attrs, None, None
        elif self.case is not None and tag in ("failure", "error") and self._wins(tag):
            self.problem = ("failed" if tag == "failure" else "errored", attrs)
            self.text, self.kept = [], 0

    def _wins(self, tag: str) -> bool:
        """A case's first problem is kept, except that a failure replaces an error."""
        return self.problem is None or (tag == "failure" and self.problem[0] == "errored")

    def data(self, text: str) -> None:
        if self.text is not None and self.kept < _KEEP_TEXT:
            self.text.append(text[: _KEEP_TEXT - self.kept])
            self.kept += len(text)

    def end(self, tag: str) -> None:
        if tag in ("failure", "error") and self.text is not None and self.problem is not None:
            self.problem[1].setdefault("#text", "".join(self.text))
            self.text = None
        elif tag == "testcase" and self.case is not None:
            if self.problem is not None:
                self._record(self.case, *self.problem)
            self.case = self.problem = self.text = None

    def _record(self, case: dict[str, str], outcome: str, problem: dict[str, str]) -> None:
        classname, name = case.get("classname", ""), case.get("name", "?")
        test = f"{classname}::{name}" if classname else name
        message = problem.get("message") or problem.get("#text") or problem.get("type") or ""
        self.failed.append((test, outcome, message.strip(), case.get("file"), classname))


def _first_line(message: str) -> str:
    first = message.splitlines()[0] if message else "(no message)"
    if len(first) > _MAX_MESSAGE:
        first = first[: _MAX_MESSAGE - 1] + "…"
    return first


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
