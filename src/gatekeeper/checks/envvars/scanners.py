"""Every scanner of the env-vars check behind one call: ``(path, text, side) -> Scan``.

Python is read through its AST and the modules it imports, other languages by pattern,
some with the constants of neighbouring files; what each needs of its side of the change
it takes from the :class:`~.sides.Side`, so the check itself treats every file alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gatekeeper.checks.envvars import python_flaskconfig, text_reads
from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_reads import python_reads
from gatekeeper.checks.envvars.sides import Side


@dataclass(frozen=True, slots=True)
class Scan:
    """The reads found in one file, and why they may be incomplete."""

    reads: list[EnvRead]
    #: the rule of the note to give ("parsed-textually", "skipped-minified"), if any
    note: str | None = None


#: a file's path and text at one side of the change -> what it reads
Scanner = Callable[[str, str, Side], Scan]


def scanner_for(path: str, text: str) -> Scanner | None:
    """The scanner for a file, by its name and (for YAML and scripts) its content."""
    if path.endswith((".py", ".pyi")):
        return _python
    textual = text_reads.scanner_for(path, text)
    return None if textual is None else _by_pattern(textual)


def _python(path: str, text: str, side: Side) -> Scan:
    reads, parsed = python_reads(text, path, side.modules)
    if python_flaskconfig.may_hold_keys(text) and (classes := side.flask_classes()):
        reads = reads + python_flaskconfig.class_reads(text, path, classes)
    return Scan(reads, None if parsed else "parsed-textually")


def _by_pattern(scanner: text_reads.Scanner) -> Scanner:
    def scan(path: str, text: str, side: Side) -> Scan:
        if text_reads.is_minified(text):  # a generated bundle: its sources are reviewed
            return Scan([], "skipped-minified")
        return Scan(scanner(path, text, side.neighbours))

    return scan
