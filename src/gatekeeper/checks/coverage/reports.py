"""Coverage reports, read into one model: per file, the measurable and the covered lines.

Formats: coverage.py JSON (format 3), Cobertura XML (streamed, entity expansion refused),
LCOV, and coverage.py's ``.coverage`` SQLite data file. Only the entries for the files
the caller wants are kept in memory; every other entry adds to the totals and is dropped.
"""

from __future__ import annotations

import json
import mmap
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Maps a report's own path for a file (and the report's source roots) to the repository
#: path whose details the caller wants, or None to count the file in the totals only.
Wanted = Callable[[str, Sequence[str]], "str | None"]


class ReportError(Exception):
    """A report that cannot be read; the message says which and why."""


@dataclass
class FileCoverage:
    """One source file as a report describes it (lines are 1-based)."""

    path: str
    statements: set[int] = field(default_factory=set)
    executed: set[int] = field(default_factory=set)
    #: line -> (branches there, branches taken), for lines that branch
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def missing(self) -> set[int]:
        """Measurable lines that never ran."""
        return self.statements - self.executed

    def merge(self, other: FileCoverage) -> None:
        """Combine with another report of the same file: a line covered in either is covered."""
        self.statements |= other.statements
        self.executed |= other.executed & other.statements
        for line, (total, taken) in other.branches.items():
            have = self.branches.get(line, (0, 0))
            self.branches[line] = (max(have[0], total), max(have[1], taken))


@dataclass
class Totals:
    """Whole-report counts, for the total percentage."""

    statements: int = 0
    covered: int = 0
    branches: int = 0
    branches_covered: int = 0

    def add(self, fc: FileCoverage) -> None:
        """Count one file."""
        self.statements += len(fc.statements)
        self.covered += len(fc.executed & fc.statements)
        self.branches += sum(total for total, _ in fc.branches.values())
        self.branches_covered += sum(taken for _, taken in fc.branches.values())

    @property
    def percent(self) -> float | None:
        """Covered share of statements and branches, as coverage.py counts it; None if empty."""
        whole = self.statements + self.branches
        if whole == 0:
            return None
        return 100.0 * (self.covered + self.branches_covered) / whole


@dataclass
class Report:
    """What was read from one or more reports."""

    sources: list[str] = field(default_factory=list)
    files: dict[str, FileCoverage] = field(default_factory=dict)
    totals: Totals = field(default_factory=Totals)
    all_paths: int = 0
    #: a few report paths, to show when nothing matches the changed files
    sample_paths: list[str] = field(default_factory=list)
    #: Cobertura's <source> folders of the report being read
    roots: list[str] = field(default_factory=list)

    def take(self, fc: FileCoverage, wanted: Wanted) -> None:
        """Count ``fc`` in the totals; keep its details when the caller wants them."""
        self.totals.add(fc)
        self.all_paths += 1
        if len(self.sample_paths) < 5:
            self.sample_paths.append(fc.path)
        key = wanted(fc.path, self.roots)
        if key is None:
            return
        fc.path = key
        if key in self.files:
            self.files[key].merge(fc)
        else:
            self.files[key] = fc


def read_report(
    path: Path,
    wanted: Wanted,
    report: Report | None = None,
    sources: Callable[[str], str | None] | None = None,
) -> Report:
    """Read one report file (format from its content) into ``report``."""
    report = report or Report()
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError as exc:
        raise ReportError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    report.sources.append(str(path))
    report.roots = []
    if head.startswith(b"SQLite format 3"):
        _read_sqlite(path, wanted, report, sources)
    elif head.lstrip().startswith(b"{"):
        _read_json(path, wanted, report)
    elif head.lstrip().startswith(b"<"):
        _read_cobertura(path, wanted, report)
    elif re.match(rb"\s*(TN:|SF:)", head):
        _read_lcov(path, wanted, report)
    elif not head.strip():
        raise ReportError(f"{path}: the report is empty")
    else:
        raise ReportError(
            f"{path}: not a coverage report gatekeeper reads (coverage.py JSON,"
            " Cobertura XML, LCOV or a .coverage data file)"
        )
    return report


#: coverage.py JSON is read whole (about three times its size in memory); larger
#: reports are refused with a pointer to the formats that are streamed
MAX_JSON_BYTES = 64 * 1024 * 1024


def _read_json(path: Path, wanted: Wanted, report: Report) -> None:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise ReportError(
            f"{path}: {size:,} bytes is over the {MAX_JSON_BYTES:,}-byte limit for a JSON "
            "report (read whole); write Cobertura XML (`coverage xml`) or LCOV instead, "
            "which are read as a stream"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"{path}: not a coverage.py JSON report ({type(exc).__name__}: {exc})"
            " — generate it with `coverage json`"
        ) from None
    for name, entry in files.items():
        fc = FileCoverage(name)
        fc.executed = set(entry.get("executed_lines", ()))
        fc.statements = fc.executed | set(entry.get("missing_lines", ()))
        fc.statements -= set(entry.get("excluded_lines", ()))
        if "executed_branches" in entry or "missing_branches" in entry:
            per_line: dict[int, list[int]] = {}
            for src, _ in entry.get("executed_branches", ()):
                per_line.setdefault(src, [0, 0])[0] += 1
                per_line[src][1] += 1
            for src, _ in entry.get("missing_branches", ()):
                per_line.setdefault(src, [0, 0])[0] += 1
            fc.branches = {line: (t, c) for line, (t, c) in per_line.items()}
        report.take(fc, wanted)


_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


class _CoberturaHandler:
    """Expat callbacks: keep <source> folders, build one FileCoverage per <class>."""

    def __init__(self, wanted: Wanted, report: Report) -> None:
        self.wanted, self.report = wanted, report
        self.current: FileCoverage | None = None
        self.in_methods = 0
        self.text: list[str] | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "line" and self.current is not None and not self.in_methods:
            self._line(self.current, attrs)
        elif tag == "class":
            self.current = FileCoverage(attrs.get("filename", ""))
        elif tag == "methods":
            self.in_methods += 1
        elif tag == "source":
            self.text = []

    @staticmethod
    def _line(fc: FileCoverage, attrs: dict[str, str]) -> None:
        try:
            number, hits = int(attrs.get("number", "0")), int(attrs.get("hits", "0"))
        except ValueError:
            return
        fc.statements.add(number)
        if hits > 0:
            fc.executed.add(number)
        cond = _CONDITION.search(attrs.get("condition-coverage", ""))
        if attrs.get("branch") == "true" and cond:
            fc.branches[number] = (int(cond.group(2)), int(cond.group(1)))

    def end(self, tag: str) -> None:
        if tag == "class" and self.current is not None:
            self.report.take(self.current, self.wanted)
            self.current = None
        elif tag == "methods":
            self.in_methods -= 1
        elif tag == "source" and self.text is not None:
            self.report.roots.append("".join(self.text).strip())
            self.text = None

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)


def _refuse_entities(*_: object) -> None:
    raise ReportError("the XML declares entities, which gatekeeper refuses to expand")


def _read_cobertura(path: Path, wanted: Wanted, report: Report) -> None:
    """Cobertura XML: the fast path when the root carries the totals, else a full stream."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_end = data.find(b"<packages")
        header = bytes(data[: header_end if header_end >= 0 else min(len(data), 65536)])
        if b"<!ENTITY" in header or (b"<!DOCTYPE" in header and b"[" in header):
            raise ReportError(
                f"{path}: the XML declares entities, which gatekeeper refuses to expand"
            )
        totals = _root_totals(header)
        tail = bytes(data[max(0, len(data) - 256) :]).rstrip()
        if totals is None or header_end < 0 or not tail.endswith(b"</coverage>"):
            _stream_cobertura(path, wanted, report)  # exact, slower, and says what is malformed
            return
        _header_sources(header, path, report)
        _wanted_classes(data, header_end, wanted, report, path)
        report.totals.statements += totals[0]
        report.totals.covered += totals[1]
        report.totals.branches += totals[2]
        report.totals.branches_covered += totals[3]


_ROOT = re.compile(rb"<coverage\b[^>]*>", re.S)
# a name starts where a word starts: "aaaa…" without "=" made each position rescan it
_ATTR = re.compile(rb'(?<![\w-])([\w-]+)="([^"]*)"')
_SOURCE = re.compile(rb"<source>([^<]*)</source>")
_CLASS = re.compile(rb'<class\b[^>]*?\bfilename="([^"]*)"')


def _root_totals(header: bytes) -> tuple[int, int, int, int] | None:
    root = _ROOT.search(header)
    if not root:
        return None
    attrs = dict(_ATTR.findall(root.group(0)))
    try:
        return (
            int(attrs[b"lines-valid"]),
            int(attrs[b"lines-covered"]),
            int(attrs.get(b"branches-valid", b"0")),
            int(attrs.get(b"branches-covered", b"0")),
        )
    except (KeyError, ValueError):
        return None


def _header_sources(header: bytes, path: Path, report: Report) -> None:
    from xml.sax.saxutils import unescape

    for m in _SOURCE.finditer(header):
        report.roots.append(unescape(m.group(1).decode("utf-8", "replace")).strip())


def _wanted_classes(
    data: mmap.mmap, start: int, wanted: Wanted, report: Report, path: Path
) -> None:
    # Only the classes of wanted files are parsed; the others are skipped at regex speed,
    # since the root's attributes already give the totals.
    from xml.sax.saxutils import unescape

    for m in _CLASS.finditer(data, start):
        name = unescape(m.group(1).decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
        report.all_paths += 1
        if len(report.sample_paths) < 5:
            report.sample_paths.append(name)
        if wanted(name, report.roots) is None:
            continue
        end = data.find(b"</class>", m.start())
        if end < 0:
            raise ReportError(f"{path}: malformed XML (class {name} is never closed)")
        _take_block(bytes(data[m.start() : end]), name, wanted, report)


_LINE = re.compile(rb"<line\b([^>]*)>")


def _take_block(block: bytes, name: str, wanted: Wanted, report: Report) -> None:
    # a class's own <lines> follow its <methods>, whose per-method lines repeat them
    methods_end = block.rfind(b"</methods>")
    fc = FileCoverage(name)
    for m in _LINE.finditer(block, max(0, methods_end)):
        attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(m.group(1))}
        _CoberturaHandler._line(fc, attrs)
    key = wanted(name, report.roots)
    if key is None:
        return
    fc.path = key
    if key in report.files:
        report.files[key].merge(fc)
    else:
        report.files[key] = fc


def _stream_cobertura(path: Path, wanted: Wanted, report: Report) -> None:
    # expat directly: streaming, no tree kept, and entity declarations refused outright
    # (no "billion laughs", no external entities), which the stdlib parsers do not offer
    from xml.parsers import expat

    handler = _CoberturaHandler(wanted, report)
    parser = expat.ParserCreate()
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.data
    parser.EntityDeclHandler = _refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except expat.ExpatError as exc:
        raise ReportError(
            f"{path}: malformed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})"
        ) from None
    except ReportError as exc:
        raise ReportError(f"{path}: {exc}") from None


def _read_lcov(path: Path, wanted: Wanted, report: Report) -> None:
    fc: FileCoverage | None = None
    branch_sets: dict[int, list[int]] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for raw in handle:
            key, _, value = raw.strip().partition(":")
            if key == "SF":
                fc, branch_sets = FileCoverage(value), {}
            elif fc is None:
                continue
            elif key == "DA":
                parts = value.split(",")
                if len(parts) >= 2 and parts[0].isdigit():
                    fc.statements.add(int(parts[0]))
                    if parts[1].strip() not in ("0", "-"):
                        fc.executed.add(int(parts[0]))
            elif key == "BRDA":
                parts = value.split(",")
                if len(parts) == 4 and parts[0].isdigit():
                    counts = branch_sets.setdefault(int(parts[0]), [0, 0])
                    counts[0] += 1
                    counts[1] += parts[3] not in ("-", "0")
            elif key == "end_of_record":
                fc.branches = {line: (t, c) for line, (t, c) in branch_sets.items()}
                report.take(fc, wanted)
                fc = None
            # other records (TN, FN, FNDA, LF, LH, BRF, BRH, unknown ones) carry nothing we need


def _read_sqlite(
    path: Path, wanted: Wanted, report: Report, sources: Callable[[str], str | None] | None
) -> None:
    from coverage import CoverageData
    from coverage.exceptions import CoverageException
    from coverage.parser import PythonParser

    data = CoverageData(basename=str(path))
    try:
        data.read()
        measured = sorted(data.measured_files())
    except (CoverageException, OSError) as exc:
        raise ReportError(f"{path}: not a readable .coverage data file ({exc})") from None
    for name in measured:
        # statements come from the source at head: the data file only records what ran
        key = wanted(name, ())
        text = sources(key) if sources and key else None
        fc = FileCoverage(name)
        executed = set(data.lines(name) or ())
        if text is not None:
            parser = PythonParser(text=text)
            try:
                parser.parse_source()
            except Exception:
                continue
            fc.statements = set(parser.statements)
            fc.executed = executed & fc.statements
        else:
            fc.statements = fc.executed = executed
        report.take(fc, wanted)
