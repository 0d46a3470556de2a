"""Elixir Ecto migrations: found by their folder and module, read for what rollback does.

An Ecto migration is a file ``priv/<repo>/migrations/<timestamp>_<name>.exs`` defining a
module that says ``use Ecto.Migration``; Ecto records it by the timestamp, never by the
module's name. Its ``def change`` is reversed by Ecto command by command; ``def up``
with ``def down`` say each way themselves. Ecto's documented rules for ``change``
(``Ecto.Migration``, "Reversible commands" and ``Ecto.Migration.Runner``), the ones read
here as irreversible (rollback raises ``Ecto.MigrationError``):

- ``execute/1``: one SQL string or function, nothing to run on the way down
  (``execute(up, down)`` with two arguments is reversible);
- ``remove :col`` without its type (``remove :col, :string`` carries enough to re-add it);
- ``modify :col, type`` without ``from:`` (the old type is unknown);
- ``drop table(...)`` and ``drop_if_exists table(...)``: the table's columns are not
  given, so nothing can recreate it (a dropped index is recreated from its columns);
- ``drop constraint(...)``: its check expression is not known to the runner.

Elixir is read line by line, by indentation, as ``mix format`` lays it out; nothing is
run, so there is no round trip. What the up side does to the database is read by
:mod:`.ectoops`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import hashsrc, sqltext
from gatekeeper.checks.migrations.habit import Downs, newest_without
from gatekeeper.model import Finding

_NAME = re.compile(r"^(\d+)_[^/]*\.exs$")
_USE = re.compile(r"^\s*use\s+Ecto\.Migration\b", re.MULTILINE)
_DEF = re.compile(r"^(\s*)(defp?)\s+(\w+[!?]?)\s*(?:\([^)]*\))?\s+do\s*$")
_ONE_LINE_DEF = re.compile(r"^(\s*)(defp?)\s+(\w+[!?]?)\s*(?:\([^)]*\))?\s*,\s*do:\s*(.*)$")
#: a module attribute that takes the migration out of Ecto's transaction
_NO_TRANSACTION = re.compile(r"^\s*@disable_ddl_transaction\s+true\b", re.MULTILINE)


def may_be_migration(path: str) -> bool:
    """An ``.exs`` file named ``<digits>_<name>`` in a ``priv/.../migrations`` folder."""
    parts = path.split("/")
    return (
        _NAME.match(parts[-1]) is not None
        and len(parts) >= 3
        and parts[-2] == "migrations"
        and "priv" in parts[:-2]
    )


def is_migration(path: str, text: str | None) -> bool:
    """A migration-named file whose module says ``use Ecto.Migration``."""
    return text is not None and may_be_migration(path) and _USE.search(text) is not None


def version(path: str) -> str:
    """The timestamp in the file's name (Ecto's version of the migration)."""
    m = _NAME.match(posixpath.basename(path))
    return m.group(1) if m else posixpath.basename(path)


@dataclass(frozen=True)
class Method:
    """One ``def``/``defp`` of the module: its name, first line and body lines (numbered,
    comments removed)."""

    name: str
    line: int
    body: tuple[tuple[int, str], ...]
    private: bool = False


def code(line: str) -> str:
    """``line`` without its comment (a ``#`` outside a string, not ``#{`` interpolation)."""
    return hashsrc.code(line, interpolation=True)


def methods(source: str) -> dict[str, Method]:
    """The module's functions by name (the first of each name), by indentation; a
    heredoc's lines are kept as they are."""
    lines = source.splitlines()
    found: dict[str, Method] = {}
    index = 0
    while index < len(lines):
        one = _ONE_LINE_DEF.match(lines[index])
        if one is not None:
            name = one.group(3)
            line = ((index + 1, one.group(1) + "  " + code(one.group(4))),)
            found.setdefault(name, Method(name, index + 1, line, one.group(2) == "defp"))
            index += 1
            continue
        m = _DEF.match(code(lines[index]))
        if m is None:
            index += 1
            continue
        indent, kind, name, start = m.group(1), m.group(2), m.group(3), index
        body: list[tuple[int, str]] = []
        index += 1
        heredoc = False
        while index < len(lines) and (heredoc or lines[index].rstrip() != f"{indent}end"):
            text = lines[index]
            body.append((index + 1, text if heredoc else code(text)))
            if text.count('"""') % 2 == 1:
                heredoc = not heredoc
            index += 1
        found.setdefault(name, Method(name, start + 1, tuple(body), kind == "defp"))
        index += 1
    return found


def transactional(source: str) -> bool:
    """False when the module sets ``@disable_ddl_transaction true``."""
    return _NO_TRANSACTION.search(source) is None


def is_empty(method: Method) -> bool:
    """A body with no code but ``:ok`` or ``nil``."""
    return all(t.strip() in ("", ":ok", "nil") for _, t in method.body)


# --- reversibility ----------------------------------------------------------------------

_EXECUTE = re.compile(r"^\s*execute\b\s*\(?\s*(.*)$", re.DOTALL)
_REMOVE = re.compile(r"^\s*remove(?:_if_exists)?\b\s*\(?\s*(.*)$", re.DOTALL)
_MODIFY = re.compile(r"^\s*modify\b\s*\(?\s*(.*)$", re.DOTALL)
_DROP_TABLE = re.compile(r"^\s*drop(?:_if_exists)?\s*\(?\s*table\s*\(")
_DROP_CONSTRAINT = re.compile(r"^\s*drop(?:_if_exists)?\s*\(?\s*constraint\s*\(")


def irreversible_calls(change: Method) -> list[tuple[int, str]]:
    """(line, what) of each command of ``change`` that Ecto cannot reverse (the module
    docstring lists Ecto's rules)."""
    out: list[tuple[int, str]] = []
    for number, whole in statements(change):
        if (m := _EXECUTE.match(whole)) is not None:
            if len(arguments(unwrap(m.group(1)))) < 2:
                out.append((number, "execute/1"))
        elif (m := _REMOVE.match(whole)) is not None:
            if len(arguments(unwrap(m.group(1)))) < 2:
                out.append((number, "remove without a type"))
        elif (m := _MODIFY.match(whole)) is not None:
            if not re.search(r"\bfrom:", m.group(1)):
                out.append((number, "modify without from:"))
        elif _DROP_TABLE.match(whole):
            out.append((number, "drop table"))
        elif _DROP_CONSTRAINT.match(whole):
            out.append((number, "drop constraint"))
    return out


def unwrap(args: str) -> str:
    """The arguments of a call whose opening bracket was consumed: the closing one off
    (when the text closes more brackets than it opens), stripped."""
    args = args.strip()
    return args[:-1] if args.endswith(")") and _depth(args) < 0 else args


#: a line that leaves its call open: a trailing comma, operator or opening bracket
_CONTINUED = re.compile(r"(?:,|\\|[(\[{]|->|=|\|>)\s*$")
_CALL_LINES = 200


def statements(method: Method) -> list[tuple[int, str]]:
    """(first line, whole text) of each statement of ``method``: a call with the lines
    it continues on (open brackets, a trailing comma, a heredoc, an ``fn`` up to its
    ``end``), joined by newlines."""
    out: list[tuple[int, str]] = []
    body = method.body
    index = 0
    while index < len(body):
        number, line = body[index]
        if not line.strip():
            index += 1
            continue
        lines = [line]
        depth, heredoc, fns = _depth(line), line.count('"""') % 2 == 1, _fns(line, 0)
        index += 1
        while index < len(body) and len(lines) < _CALL_LINES:
            if not heredoc and depth <= 0 and fns <= 0 and not _CONTINUED.search(lines[-1]):
                break
            text = body[index][1]
            lines.append(text)
            if text.count('"""') % 2 == 1:
                heredoc = not heredoc
                if not heredoc:  # what follows the closing quotes: ``""")``
                    depth += _depth(text.rsplit('"""', 1)[1])
            elif not heredoc:
                depth += _depth(text)
                fns += _fns(text, fns)
            index += 1
        out.append((number, "\n".join(lines)))
    return out


def _depth(text: str) -> int:
    """How many brackets a line opens and leaves open (strings not read)."""
    bare = re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", text)
    return sum(bare.count(c) for c in "([{") - sum(bare.count(c) for c in ")]}")


def _fns(text: str, inside: int) -> int:
    """``fn`` blocks a line opens minus the ``end`` it closes; inside an ``fn``
    (``inside`` > 0) a ``do`` block opened counts too, so its ``end`` closes it. A ``do``
    block outside any ``fn`` (``alter table(:t) do``) is no continuation: its lines are
    statements of their own."""
    bare = re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'", "", text)
    opened = len(re.findall(r"\bfn\b", bare))
    if inside > 0 or opened:
        opened += len(re.findall(r"\bdo\s*$", bare))
        return opened - len(re.findall(r"\bend\b", bare))
    return 0


#: ``fn`` and ``end`` as words (not ``fnord``, ``ends_at``, ``backend``)
_KEYWORD = re.compile(r"(?<![\w.:])(?:fn|end)(?![\w?!:])")
_OPENING = frozenset({"fn"})


def arguments(text: str) -> list[str]:
    """``text`` split at the commas outside brackets, strings and ``fn ... end``."""
    return [a for a in hashsrc.arguments(text, _KEYWORD, _OPENING, "fe") if a]


def check(
    check: BaseCheck, path: str, text: str, habit: Downs, *, irreversible: str | None = None
) -> list[Finding]:
    """``def up`` without ``def down`` (missing-down, weighed by the folder's habit), and
    what Ecto cannot reverse in ``def change`` (down-incomplete). ``irreversible``: the
    reason of an honoured ``gatekeeper:irreversible`` marker, which turns both into the
    author's declaration."""
    found = methods(text)
    out: list[Finding] = []
    if "up" in found and "down" not in found and "change" not in found:
        out.append(check.finding(
            "missing-down",
            f"Ecto migration {path} has def up and no def down: rollback raises "
            "Ecto.MigrationError, so the deploy cannot be undone by mix ecto.rollback.",
            path=path, line=found["up"].line, evidence=path,
        ))  # fmt: skip
        out = habit.weigh(out)
    change = found.get("change")
    calls = irreversible_calls(change) if change is not None else []
    if calls:
        listed = "; ".join(f"{name} (line {line})" for line, name in calls)
        out.append(check.finding(
            "down-incomplete",
            f"def change of {path} runs what Ecto cannot reverse: {listed}; rollback raises "
            "Ecto.MigrationError (give remove its type, modify its from:, execute its down "
            "SQL, or write def up and def down).",
            path=path, line=calls[0][0], evidence=listed,
        ))  # fmt: skip
    if out and irreversible:
        line = sqltext.irreversible_line(text) or 1
        return [
            check.finding(
                "irreversible",
                f"Declared irreversible: {irreversible}",
                path=path,
                line=line,
                evidence=irreversible,
            )
        ]
    return out


def _works(text: str) -> bool | None:
    """Whether a merged migration can be rolled back; None when it does nothing."""
    found = methods(text)
    if "change" in found:
        return None if is_empty(found["change"]) else not irreversible_calls(found["change"])
    up = found.get("up")
    if up is None or is_empty(up):
        return None
    down = found.get("down")
    return down is not None and not is_empty(down)


def downs(changes: ChangeSet, folder: str, own: str) -> Downs:
    """How the folder's merged Ecto migrations stand (working downs, without, the newest in
    a row without, as SQL and PHP folders count them: habit.py), ``own`` left out. Read at
    base, once per run."""

    def read_all() -> dict[str, bool]:
        out: dict[str, bool] = {}
        for p in sorted(changes.base_paths((f"{folder}/*.exs",))):
            if posixpath.dirname(p) != folder or not may_be_migration(p):
                continue
            works = _works(changes.text_at_base(p) or "")
            if works is not None:
                out[p] = works
        return out

    found: dict[str, bool] = changes.fact(f"ecto-downs:{folder}", read_all)
    verdicts = [ok for path, ok in found.items() if path != own]
    return Downs(
        working=sum(verdicts),
        without=len(verdicts) - sum(verdicts),
        newest_without=newest_without(verdicts),
    )


# --- history ----------------------------------------------------------------------------

_MODULE = re.compile(r"^\s*defmodule\s+[\w.]+\s+do\s*$")


def same_code(before: str, after: str) -> bool:
    """Two texts that run the same: only comments, blank lines, indentation, the
    module's name or its documentation differ (Ecto records a migration by its version,
    not its module; ``@moduledoc`` and ``@doc`` texts are compiled into docs, never run)."""
    return code_lines(without_docs(before)) == code_lines(without_docs(after))


#: a documentation attribute that opens a heredoc (``~S`` does not interpolate)
_DOC_OPEN = re.compile(r'^\s*@(?:moduledoc|doc)\s+(~[sS])?"""\s*$')
#: a documentation attribute on one line: ``false`` or a plain string, no ``#`` in it
_DOC_LINE = re.compile(r'^\s*@(?:moduledoc|doc)\s+(?:false|"(?:[^"\\#\n]|\\.)*")\s*$')


def without_docs(text: str) -> str:
    """``text`` without its ``@moduledoc``/``@doc`` attributes. A heredoc is left out only
    when the line that closes it holds nothing but the quotes (code could follow them)
    and, unless it is a ``~S`` sigil, it interpolates nothing: ``#{...}`` runs at compile
    time, so such a doc stays code."""
    lines = text.splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _DOC_LINE.match(line):
            index += 1
            continue
        opened = _DOC_OPEN.match(line)
        if opened is not None:
            # Elixir ends the heredoc at the first line that starts with the quotes
            end = next(
                (j for j in range(index + 1, len(lines)) if lines[j].lstrip().startswith('"""')),
                None,
            )
            raw = opened.group(1) == "~S"
            quiet = end is not None and (raw or not any("#{" in t for t in lines[index:end]))
            if end is not None and quiet and lines[end].strip() == '"""':
                index = end + 1
                continue
        out.append(line)
        index += 1
    return "\n".join(out)


def code_lines(text: str) -> list[str]:
    """The lines of code of ``text``, comments and the module line left out, each with
    its spaces normalised."""
    out = []
    for line in text.splitlines():
        bare = code(line).strip()
        if bare and not _MODULE.match(bare):
            out.append(" ".join(bare.split()))
    return out
