"""Python files no test imported: missing from the report, so nothing of them was counted.

coverage.py lists only the files the tests imported (unless ``source`` says otherwise),
so a pull request that adds a module and no test for it leaves that module out of the
report, and diff coverage never sees its lines. Here such a file's changed statements
count as measurable and not run, when

- it is a changed, text ``.py`` file with added lines, and not test code, a migration
  revision or a project's tooling (``setup.py``, ``noxfile.py``...),
- the report measures Python code in its *area*: the nearest folder above it that holds
  a Python project's metadata at base (``pyproject.toml``, ``setup.py``, ``setup.cfg``:
  one package of a monorepo), else its top-level folder (the root for a root-level
  file) — a folder whose tests this report never ran says nothing about its files,
- coverage.py's configuration at base measures it (not omitted, inside ``source``), and
- it has statements among its changed lines (a docstring-only ``__init__.py`` has none).

Only Python has this rule: other languages' reports are matched line by line as before.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.coverage.covconfig import (
    FILES,
    ConfigUnreadable,
    Scope,
    default_scope,
    read_scope,
)
from gatekeeper.checks.coverage.diffcov import FileDiff, statement_lines
from gatekeeper.checks.coverage.paths import PathMapper
from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.model import Finding

#: test code: not measured by its own run, and never "untested"
TEST_FILES = (
    "**/tests/**",
    "**/test/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
)
#: migration revisions: the migrations check proves them by a round trip, and test
#: suites that build their schema from the models never import them
MIGRATION_FILES = ("**/migrations/**", "**/alembic/**")
#: tooling beside a project's code that tests never import (by file name)
TOOL_FILES = ("setup.py", "noxfile.py", "fabfile.py", "tasks.py", "manage.py")
#: files that make a folder a Python project of its own
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def area_of(path: str, projects: Iterable[str]) -> str:
    """The folder whose measurement speaks for ``path``: its nearest enclosing project
    folder, else its top-level folder ("" for a file at the root)."""
    parts = path.split("/")[:-1]
    owners = set(projects)
    for i in range(len(parts), 0, -1):
        folder = "/".join(parts[:i])
        if folder in owners:
            return folder
    return parts[0] if parts else ""


def in_area(path: str, area: str) -> bool:
    """Whether ``path`` lies in ``area`` (the root area holds the root's own files)."""
    return path.startswith(area + "/") if area else "/" not in path


def candidates(
    changes: ChangeSet, paths: Sequence[str] = (), exclude: Sequence[str] = ()
) -> list[str]:
    """Changed Python files that could be missing from the report for want of a test."""
    out = []
    for f in changes:
        if f.status is FileStatus.DELETED or not f.is_text or not f.added:
            continue
        if not f.path.endswith(".py") or posixpath.basename(f.path) in TOOL_FILES:
            continue
        if match_any(f.path, (*TEST_FILES, *MIGRATION_FILES)) or match_any(f.path, exclude):
            continue
        if paths and not match_any(f.path, paths):
            continue
        out.append(f.path)
    return sorted(out)


@dataclass
class Probe:
    """The report reader's ``wanted`` callable: the path mapper's answer, while noting
    which of the candidates' areas hold a Python file the report lists."""

    mapper: PathMapper
    #: candidate -> its area
    areas: dict[str, str]
    #: the Python files at head in those areas, to place report paths of unchanged files
    known: set[str]
    measured: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._pending = set(self.areas.values())

    def __call__(self, report_path: str, roots: Sequence[str] = ()) -> str | None:
        """The mapper's repository path for ``report_path`` (None: totals only)."""
        key = self.mapper(report_path, roots)
        if self._pending and report_path.endswith(".py"):
            where = key or self.mapper.locate(report_path, roots, self.known)
            if where is not None:
                found = {a for a in self._pending if in_area(where, a)}
                self.measured |= found
                self._pending -= found
        return key


def probe(changes: ChangeSet, mapper: PathMapper, files: list[str]) -> Probe:
    """A probe for ``files``, with their areas as the base commit draws them."""
    projects = {p.rsplit("/", 1)[0] for p in changes.base_paths(PROJECT_FILES) if "/" in p}
    areas = {p: area_of(p, projects) for p in files}
    known = {
        p for p in changes.head_paths(("*.py",)) if any(in_area(p, a) for a in set(areas.values()))
    }
    return Probe(mapper, areas, known)


def diffs(changes: ChangeSet, found: Probe, listed: Iterable[str], scope: Scope) -> list[FileDiff]:
    """A diff for each candidate the report leaves out although it measures its area and
    coverage.py's configuration measures the file: its changed statements, none run."""
    from coverage.parser import PythonParser

    out = []
    have = set(listed)
    for path, area in sorted(found.areas.items()):
        if path in have or area not in found.measured or not scope.measures(path):
            continue
        text = changes.text_at_head(path)
        if not text:
            continue
        parser = PythonParser(text=text, exclude=scope.exclude_regex)
        try:
            parser.parse_source()
        except Exception:  # not Python coverage.py could run (a template, Python 2)
            continue
        statements = set(parser.statements)
        measurable = statement_lines(path, text, changes.added_lines(path), statements)
        measurable &= statements
        if measurable:
            out.append(FileDiff(path, measurable=measurable, unimported=True))
    return out


def touches_configuration(changes: ChangeSet) -> bool:
    """Whether the change edits a file coverage.py may read its configuration from."""
    return any(changes.get(name) is not None for name, _ in FILES)


def configuration(check: BaseCheck, ctx: CheckContext) -> tuple[Scope, list[Finding]]:
    """What coverage.py measures by the base commit's configuration, and warnings about
    it: unreadable at base, or changed by the pull request (which a later pull request
    would then be judged by)."""
    notes: list[Finding] = []
    names = [n for n, _ in FILES]
    try:
        scope = read_scope(ctx.changes.text_at_base, ctx.scratch / "coverage-config" / "base")
    except ConfigUnreadable as exc:
        scope = default_scope()  # unknown omissions: every file counts (fails closed)
        notes.append(
            check.finding(
                "config-unreadable",
                f"coverage.py's configuration at base cannot be read ({exc}), so which files"
                " it omits is unknown: every changed Python file missing from the report counts"
                " as never run.",
                path=str(exc).split(":", 1)[0],
                evidence="base",
            )
        )
    changed = [f.path for f in ctx.changes if f.path in names]  # coverage.py reads the root's
    if changed:
        try:
            head = read_scope(ctx.changes.text_at_head, ctx.scratch / "coverage-config" / "head")
            differs = head.settings() != scope.settings()
        except ConfigUnreadable:
            differs = True
        if differs:
            notes.append(
                check.finding(
                    "config-changed",
                    f"This pull request changes what coverage.py measures ({', '.join(changed)})."
                    " Files missing from the report are judged by the base commit's"
                    " configuration, so a new omit takes effect only once merged.",
                    path=changed[0],
                    evidence=", ".join(changed),
                )
            )
    return scope, notes
