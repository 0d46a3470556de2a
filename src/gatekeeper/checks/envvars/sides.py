"""What the env-vars check keeps per side of the change, and which files it looks at."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from gatekeeper.checks.envvars import python_flaskconfig
from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_imports import RepoModules
from gatekeeper.checks.envvars.text_constants import Neighbours
from gatekeeper.checks.envvars.text_langs import BY_SUFFIX as TEXT_LANGS_SUFFIXES
from gatekeeper.checks.interface import CheckContext

#: test code: what it reads is set up by the tests themselves (``patch.dict(os.environ,
#: ...)``, ``t.Setenv``), not configuration whoever deploys the code must provide
TEST_FILES = (
    "**/tests/**",
    "**/test/**",
    "**/__tests__/**",
    # Swift packages' and .NET solutions' test targets (``Tests/AppTests``, ``App.Tests``)
    "**/Tests/**",
    "**/*.Tests/**",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/*_test.go",
    "**/*.test.*",
    "**/*.spec.*",
    # a compose stack named for the tests it starts (remark42's compose-e2e-test.yml passes
    # E2E_STAMP to the suite's container); the compose file the project ships is not one
    "**/*compose*[-_.]e2e.y*ml",
    "**/*compose*[-_.]e2e[-_.]*.y*ml",
    "**/*compose*[-_.]test.y*ml",
    "**/*compose*[-_.]tests.y*ml",
    "**/*compose*[-_.]testing.y*ml",
)
#: the folders of CI systems: what a script there reads (kellnr's
#: ``.github/scripts/release_notes_to_kac_json.py`` reads RELEASE_TAG, which its workflow
#: sets) is a CI-only variable, no setting of the product; a workflow's own ``vars.X`` and
#: ``secrets.X`` are still read (text_reads.workflow_reads): someone must set them
CI_FILES = (".github/**", ".gitlab/**", ".circleci/**", ".buildkite/**")
CI_READ_FILES = (".github/workflows/**",)
#: files read at base to learn whether a name is already read elsewhere, at most
MAX_ELSEWHERE = 200
#: names searched for at base in one run, at most (a typical change adds a handful)
MAX_SEARCHED = 64
#: the files searched at base for a name: those some scanner reads (git pathspecs)
SCANNED_FILES = (
    *(f"*{s}" for s in (".py", ".pyi", ".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts")),
    *(f"*{s}" for s in (".cts", ".vue", ".svelte", ".go", ".rb", ".java", ".kt", ".sh")),
    *("*.bash", "*.yml", "*.yaml", "*Dockerfile*", "*dockerfile*", "*.rs", "*.php"),
    *(f"*{s}" for s in TEXT_LANGS_SUFFIXES),
)

#: extension-less files (git pathspecs): a script whose shebang names a shell
#: (``packages/db/migrations/goose``, ``#!/bin/bash``) reads variables as a ``.sh`` file
#: does. Searched apart from ``SCANNED_FILES``, as an exclude pathspec narrows the whole
#: search; git skips binary files, and the scanner goes by the first line
EXTENSIONLESS_FILES = ("*", ":(exclude,glob)**/*.*")


def extensionless(path: str) -> bool:
    """A file whose name has no extension (a dotted folder above it does not count)."""
    return "." not in path.rsplit("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Located:
    path: str
    read: EnvRead


class Known:
    """Names already read at base (exactly, and upper-cased for case-insensitive reads)."""

    def __init__(self, reads: Iterable[EnvRead]) -> None:
        self.exact: set[str] = set()
        self.upper: set[str] = set()
        for read in reads:
            self.add(read.names)

    def add(self, names: Iterable[str]) -> None:
        for name in names:
            if name:
                self.exact.add(name)
                self.upper.add(name.upper())

    def has(self, read: EnvRead) -> bool:
        if read.case_insensitive:
            return any(n.upper() in self.upper for n in read.names)
        return any(n in self.exact for n in read.names)


class Side:
    """One side of the change: its files, and its Python modules for following imports."""

    def __init__(self, ctx: CheckContext, *, at_head: bool, shared: Side | None = None) -> None:
        changes, self.at_head = ctx.changes, at_head
        self.read = changes.text_at_head if at_head else changes.text_at_base
        listing = changes.head_paths if at_head else changes.base_paths
        touched = {p for f in changes for p in (f.path, f.old_path) if p}
        self.modules: RepoModules = RepoModules(
            self.read,
            lambda: set(listing(("**/*.py",))),
            shared=shared.modules if shared is not None else None,
            changed=touched,
        )
        containing = changes.head_files_containing if at_head else changes.base_files_containing
        other = (shared.neighbours, frozenset(touched)) if shared is not None else None
        self.neighbours: Neighbours = Neighbours(
            self.read, lambda: listing(("**",)), containing, other_side=other
        )
        self._containing = containing
        self._flask: python_flaskconfig.Classes | None = None

    def flask_classes(self) -> python_flaskconfig.Classes:
        """The config classes Flask reads from the environment under a prefix (asked of
        git once a side, when a Python file is scanned)."""
        if self._flask is None:
            calling = self._containing(["from_prefixed_env"], ["*.py"]) or []
            self._flask = python_flaskconfig.prefixed_classes(calling, self.read, self.modules.find)
        return self._flask
