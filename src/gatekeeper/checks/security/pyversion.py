"""Which Python a file needs when the gate's own Python cannot parse it.

Bandit parses with the interpreter the gate runs on. A file written for a newer Python
(``class Box[T]:``, ``except A, B:``) is a syntax error there, and the gate fails closed
(``security/python-unparseable``). That is right, but the fix (run the gate on the
project's Python) is only obvious when the message says which Python the file needs and
which one the repository declares; this module finds both.

One newer syntax is only spelling: Python 3.14 reads ``except A, B:`` as ``except (A,
B):``. A file whose only new syntax is that is scanned as if bracketed
(:func:`parenthesized`), so a project on 3.14 is not blocked for a comma.

Recognition looks at the failing line and the parser's message, and only claims a version
newer than the running one: an error the running Python should parse is a plain error.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

_DEF_WITH_BRACKETS = re.compile(r"^\s*(?:async\s+def|def|class)\s+\w+\s*\[([^\]]*)\]")
_TYPE_ALIAS = re.compile(r"^\s*type\s+\w+\s*(?:\[[^\]]*\])?\s*=")
_BARE_EXCEPT_LIST = re.compile(r"^\s*except\*?\s+[^(\s][^:]*,[^:]*:")
_TEMPLATE_STRING = re.compile(r"(?<![\w.'\"])(?:[tT][rR]?|[rR][tT])['\"]")


@dataclass(frozen=True, slots=True)
class NewerSyntax:
    """Syntax the failing line uses, and the first Python that accepts it."""

    version: tuple[int, int]
    what: str

    @property
    def python(self) -> str:
        """``3.12``: the version as people write it."""
        return f"{self.version[0]}.{self.version[1]}"


def _type_params(line: str, msg: str) -> NewerSyntax | None:
    found = _DEF_WITH_BRACKETS.match(line)
    if found is None:
        return None
    if "=" in found.group(1):  # a type parameter with a default
        return NewerSyntax((3, 13), "a type parameter with a default (PEP 696)")
    return NewerSyntax((3, 12), "type parameters (PEP 695)")


def _type_alias(line: str, msg: str) -> NewerSyntax | None:
    hit = _TYPE_ALIAS.match(line)
    return NewerSyntax((3, 12), "a `type` alias statement (PEP 695)") if hit else None


def _except_list(line: str, msg: str) -> NewerSyntax | None:
    # Python 3.14 accepts `except A, B:` only without `as`; with `as` it is an error there too
    if "must be parenthesized" not in msg or not _BARE_EXCEPT_LIST.match(line):
        return None
    if re.search(r"\bas\s+\w+\s*:", line):
        return None
    return NewerSyntax(
        (3, 14), "an `except` naming several exceptions without parentheses (PEP 758)"
    )


def _fstring(line: str, msg: str) -> NewerSyntax | None:
    # before 3.12 an f-string may not reuse its quote, hold a backslash or a comment inside {}
    if not msg.startswith("f-string"):
        return None
    return NewerSyntax((3, 12), "an f-string that reuses its quotes or holds a backslash (PEP 701)")


def _template_string(line: str, msg: str) -> NewerSyntax | None:
    hit = _TEMPLATE_STRING.search(line)
    return NewerSyntax((3, 14), "a template string, t'...' (PEP 750)") if hit else None


_RECOGNISERS: tuple[Callable[[str, str], NewerSyntax | None], ...] = (
    _except_list,
    _type_params,
    _type_alias,
    _fstring,
    _template_string,
)


def newer_syntax(line: str, msg: str, running: tuple[int, int] | None = None) -> NewerSyntax | None:
    """The newer syntax ``line`` uses, when the parser's ``msg`` fits it and ``running``
    (default: this interpreter) is older than the version that accepts it."""
    now = running or (sys.version_info.major, sys.version_info.minor)
    for recognise in _RECOGNISERS:
        found = recognise(line, msg)
        if found is not None and found.version > now:
            return found
    return None


#: the head and the exception list of a PEP 758 ``except`` line, up to its colon
_EXCEPT_HEAD = re.compile(r"^(\s*except\*?\s+)([^(\s][^:]*?)(\s*:)")
#: how many lines of one file are rewritten at most: one parse per line
MAX_REWRITTEN = 200


def parenthesized(data: bytes, running: tuple[int, int] | None = None) -> bytes | None:
    """``data`` with every PEP 758 ``except A, B:`` written ``except (A, B):``, which means
    the same, when that is all that keeps the running Python from parsing it; else None.

    Python 3.14 reads the two forms alike, so scanning the rewritten text finds what a
    scan on 3.14 would, line for line (only columns after the bracket move by one). Any
    other syntax error, or a file that is not UTF-8, gives None: the file stays
    unparseable and the gate fails closed on it."""
    try:
        lines = data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None
    changed = False
    for _ in range(MAX_REWRITTEN + 1):
        text = "".join(lines)
        try:
            ast.parse(text)
        except SyntaxError as exc:
            number = exc.lineno or 0
            line = lines[number - 1] if 0 < number <= len(lines) else ""
            newer = newer_syntax(line, exc.msg or "", running)
            head = _EXCEPT_HEAD.match(line)
            if newer is None or newer.version != (3, 14) or head is None:
                return None
            if "," not in head.group(2):
                return None
            lines[number - 1] = _EXCEPT_HEAD.sub(r"\1(\2)\3", line, count=1)
            changed = True
            continue
        except ValueError:
            return None
        return text.encode("utf-8") if changed else None
    return None


def declared_python(path: str, read: Callable[[str], str | None]) -> str | None:
    """The Python the project declares for ``path``, with where it says so, or None.

    The nearest ``pyproject.toml`` up from the file (``[project] requires-python``, else
    Poetry's ``python`` dependency), else the nearest ``.python-version``; ``read`` gives
    a file's text at head (None when absent).
    """
    folders = [str(p) for p in PurePosixPath(path).parents]
    for folder in folders:
        where = "pyproject.toml" if folder == "." else f"{folder}/pyproject.toml"
        found = _from_pyproject(read(where))
        if found is not None:
            return f"{found[1]} ({found[0]} in {where})"
    for folder in folders:
        where = ".python-version" if folder == "." else f"{folder}/.python-version"
        lines = (read(where) or "").split()
        if lines:
            return f"{lines[0]} (in {where})"
    return None


def _from_pyproject(text: str | None) -> tuple[str, str] | None:
    """(key, value) of the Python a pyproject.toml declares, or None."""
    if not text:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None  # a file that does not parse declares nothing
    project, tool = data.get("project"), data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    candidates = (
        ("requires-python", project.get("requires-python") if isinstance(project, dict) else None),
        ("Poetry's python", deps.get("python") if isinstance(deps, dict) else None),
    )
    for key, value in candidates:
        if isinstance(value, str) and value.strip():
            return key, value.strip()
    return None


def advice(
    path: str, data: bytes, exc: SyntaxError, read: Callable[[str], str | None] | None
) -> str:
    """The end of the unparseable message for ``path``: which Python to run the gate on.

    ``data`` is the file bandit could not parse, ``exc`` the parser's error; ``read``
    (a file's text at head) finds the Python the repository declares.
    """
    lines = data.decode("utf-8", "replace").splitlines()
    line = lines[exc.lineno - 1] if exc.lineno and 0 < exc.lineno <= len(lines) else ""
    newer = newer_syntax(line, exc.msg or "")
    declared = declared_python(path, read) if read is not None else None
    says = f"the repository declares Python {declared}" if declared else ""
    if newer is None:
        return (
            f"if it needs a newer Python ({says}), run gatekeeper on that version."
            if says
            else "if it needs a newer Python, run gatekeeper on that version."
        )
    return (
        f"line {exc.lineno} uses {newer.what}, new in Python {newer.python}"
        + (f"; {says}" if says else "")
        + f". Run gatekeeper on Python {newer.python} or newer (the project's own) to scan it."
    )
