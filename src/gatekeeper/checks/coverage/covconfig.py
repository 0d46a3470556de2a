"""coverage.py's own configuration at a commit: which files it leaves out of a report.

A file coverage.py was told not to measure (``[run] omit``, outside ``source`` or
``include``, ``[report] omit``) is missing from the report on purpose, so it must not
count as code no test imported. The configuration is read at the base commit: a pull
request that widens ``omit`` would otherwise take its own new module out of the count.

coverage.py reads the first of these files that configures it; so does this module, with
coverage.py's own parser (the files are copied to the check's scratch folder first, since
its parser reads files by name). The patterns match as coverage.py matches them: a
pattern that does not start with a wildcard is relative to where the tests ran, taken to
be the repository's root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: (file, is coverage.py's own file) in the order coverage.py tries them; a file of its
#: own counts when it exists, another tool's only when it holds a coverage section
FILES: tuple[tuple[str, bool], ...] = (
    (".coveragerc", True),
    (".coveragerc.toml", True),
    ("setup.cfg", False),
    ("tox.ini", False),
    ("pyproject.toml", False),
)
#: where the tests are taken to have run; patterns are anchored here
_ROOT = "/__repository__"


class ConfigUnreadable(Exception):
    """The configuration file cannot be read; the message names it."""


@dataclass(frozen=True)
class Scope:
    """What coverage.py measures, as its configuration says."""

    #: the configuration file read (None: none configures coverage.py)
    file: str | None = None
    omit: tuple[str, ...] = ()
    #: groups of patterns (``[run]``'s, ``[report]``'s): a file must match one of each
    include: tuple[tuple[str, ...], ...] = ()
    source: tuple[str, ...] = ()
    #: regexes of lines left out of the measurement (``[report] exclude_lines``)
    exclude: tuple[str, ...] = ()

    def measures(self, path: str) -> bool:
        """Whether coverage.py, so configured, measures the repository file ``path``."""
        full = f"{_ROOT}/{path}"
        if self.source and not any(_in_source(path, s) for s in self.source):
            return False
        if any(not _matches(group, full) for group in self.include):
            return False
        return not (self.omit and _matches(self.omit, full))

    @property
    def exclude_regex(self) -> str | None:
        """The excluded-line regexes as one, as coverage.py's parser takes them."""
        return "|".join(f"(?:{x})" for x in self.exclude) or None

    def settings(self) -> tuple[object, ...]:
        """The settings that decide what is measured (for comparing two commits)."""
        return (self.omit, self.include, self.source, self.exclude)


def _in_source(path: str, entry: str) -> bool:
    """``source`` holds folders or importable package names; either may contain ``path``."""
    entry = entry.replace("\\", "/").strip()
    folder = posixpath.normpath(entry) if entry else "."
    if folder in (".", "") or path.startswith(folder + "/"):
        return True
    package = entry.replace(".", "/").strip("/")
    if not package:
        return False
    return f"/{package}/" in f"/{path}" or f"/{path}".endswith(f"/{package}.py")


def _matches(patterns: Sequence[str], full: str) -> bool:
    from coverage.files import GlobMatcher

    prepped: list[str] = []
    for p in patterns:
        prepped.append(p)
        if not p.startswith(("*", "?")):
            prepped.append(posixpath.normpath(posixpath.join(_ROOT, p.replace("\\", "/"))))
    try:
        return GlobMatcher(prepped).match(full)
    except Exception:  # a pattern coverage.py itself refuses ("***") measures nothing
        return False


def read_scope(read: Callable[[str], str | None], scratch: Path) -> Scope:
    """The scope the first configuration file that configures coverage.py gives.

    ``read`` gives a file's text at the commit wanted (None when absent); ``scratch`` is
    a folder of the caller's to copy it into.
    """
    from coverage.config import CoverageConfig

    scratch.mkdir(parents=True, exist_ok=True)
    for name, ours in FILES:
        text = read(name)
        if text is None:
            continue
        copy = scratch / name
        copy.write_text(text, encoding="utf-8")
        config = CoverageConfig()
        try:
            used = config.from_file(str(copy), warn=lambda _: None, our_file=ours)
        except Exception as exc:  # coverage.py's ConfigError, or a TOML/INI parser's
            why = re.sub(r"\s+", " ", str(exc).replace(str(copy), name)).strip()
            raise ConfigUnreadable(f"{name}: {why}") from None
        if used:
            return Scope(
                name,
                omit=(*config.run_omit, *(config.report_omit or ())),
                include=tuple(
                    tuple(group)
                    for group in (
                        None if config.source else config.run_include,
                        config.report_include,
                    )
                    if group
                ),
                source=(*(config.source or ()), *(config.source_pkgs or ())),
                exclude=(*config.exclude_list, *getattr(config, "exclude_also", ())),
            )
    return default_scope()


def default_scope() -> Scope:
    """What coverage.py measures with no configuration: every file it is shown."""
    from coverage.config import CoverageConfig

    return Scope(exclude=tuple(CoverageConfig().exclude_list))
