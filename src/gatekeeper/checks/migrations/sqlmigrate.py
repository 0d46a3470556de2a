"""rubenv/sql-migrate's SQL files: one file per migration, ``-- +migrate Up`` and
``-- +migrate Down`` sections (convoy's ``sql/<unix time>.sql``).

The file is known by its directives, not by its folder (``sql/`` names no migrations).
What the runner does with it, as its parser reads the file line by line:

- a section runs in a transaction unless its directive line carries the option
  ``notransaction`` (``-- +migrate Up notransaction``), spelled so: options are compared
  as written, so ``NOTRANSACTION`` leaves the transaction on;
- a statement ends on a line whose last word (before a ``--`` comment) ends in ``;``;
  between ``-- +migrate StatementBegin`` and ``-- +migrate StatementEnd`` those ends do not
  count, and the block is sent whole (a function, a ``DO`` block). The parser knows no
  quotes: a function body left outside such a block is cut at its first ``;`` line and
  reaches the database broken, which the round trip shows by sending the same pieces;
- other lines starting ``-- `` are dropped, directive lines too.

The format outlives the library: goalert a0c680eca8 dropped rubenv/sql-migrate for a
reader of its own that keeps the directives but splits with a splitter that knows dollar
quotes, and then imported River's functions without StatementBegin blocks (ceb3f44dca).
So the runner's cuts are applied only where rubenv/sql-migrate may be the runner: the Go
module the files sit in requires it (at base or at head), or no Go module holds them
(the ``sql-migrate`` command). In a Go module that requires it on neither side, the
project reads the files itself and statements are split as SQL (:mod:`.sqltext`).
"""

from __future__ import annotations

import posixpath
import re

from gatekeeper.changes import ChangeSet

#: the directive prefix the runner parses (exactly so: ``--+migrate`` is a plain comment)
_PREFIX = "-- +migrate "
#: the Up directive, as the file is recognised by (a little looser than the runner)
UP = re.compile(r"^--\s*\+migrate\s+Up\b", re.MULTILINE)
#: the section markers, whole lines (for :data:`static.SECTIONS`)
UP_LINE = re.compile(r"^--\s*\+migrate\s+Up\b.*$", re.MULTILINE)
DOWN_LINE = re.compile(r"^--\s*\+migrate\s+Down\b.*$", re.MULTILINE)
_VERSION = re.compile(r"^\d+")


def is_migration(text: str | None) -> bool:
    """True when ``text`` holds an Up directive at the start of a line."""
    return text is not None and UP.search(text) is not None


def version(name: str) -> str:
    """The version sql-migrate orders a file by: its leading digits (``1767658336`` of
    ``1767658336.sql``), else the name without ``.sql``."""
    stem = name[:-4] if name.endswith(".sql") else name
    found = _VERSION.match(stem)
    return found.group() if found else stem


def _directive(line: str) -> list[str]:
    """The words of a runner directive line ([] for any other line)."""
    return line[len(_PREFIX) :].split() if line.startswith(_PREFIX) else []


def up_in_transaction(text: str) -> bool:
    """Whether the runner wraps the Up section in a transaction: no ``notransaction``
    option on the Up directive it reads first."""
    for line in text.splitlines():
        words = _directive(line)
        if words and words[0] == "Up":
            return "notransaction" not in words[1:]
    return True


def _ends_statement(line: str) -> bool:
    """The runner's test: the last word before a word starting ``--`` ends in ``;``."""
    last = ""
    for word in line.split():
        if word.startswith("--"):
            break
        last = word
    return last.endswith(";")


def pieces(side: str, first_line: int = 1) -> list[tuple[str, int, bool]]:
    """The statements the runner sends for one section's text, in order: (text, the line
    it starts on, whether a StatementBegin/End block made it). A line the runner drops
    stays as a blank one, so lines keep their numbers. Text after the last end is
    returned too: the runner refuses such a file, and the round trip sends it as written."""
    out: list[tuple[str, int, bool]] = []
    buf: list[str] = []
    block, ended = False, False
    for line in side.split("\n"):
        words = _directive(line)
        if words and words[0] == "StatementBegin":
            block = True
        elif words and words[0] == "StatementEnd":
            ended, block = block, False
        buf.append("" if line.startswith("-- ") else line)
        if (not block and _ends_statement(line)) or ended:
            _flush(out, buf, first_line, ended)
            first_line += len(buf)
            buf, ended = [], False
    _flush(out, buf, first_line, False)
    return out


def _flush(out: list[tuple[str, int, bool]], buf: list[str], first: int, block: bool) -> None:
    """Append the statement ``buf`` holds (its lines from ``first``), if it holds one."""
    for offset, line in enumerate(buf):
        if line.strip():
            out.append(("\n".join(buf[offset:]).strip(), first + offset, block))
            return


#: rubenv/sql-migrate named in a go.mod (a require line or block)
_REQUIRED = re.compile(r"^[ \t]*(?:require\s+)?github\.com/rubenv/sql-migrate\s", re.MULTILINE)


def runner_cuts(changes: ChangeSet, path: str) -> bool:
    """Whether rubenv/sql-migrate may run the file at ``path`` (module docstring): its
    cuts then apply. The nearest go.mod above the file, read at base and at head."""
    folder = posixpath.dirname(path)
    while True:
        mod = posixpath.join(folder, "go.mod") if folder else "go.mod"
        texts = [changes.text_at_base(mod), changes.text_at_head(mod)]
        if any(t is not None for t in texts):
            return any(t is not None and _REQUIRED.search(t) for t in texts)
        if not folder:
            return True  # no Go module: the sql-migrate command runs the files
        folder = posixpath.dirname(folder)
