"""MySQL/MariaDB statements that rebuild a whole table: ``table-rebuild``.

``ALTER TABLE t CONVERT TO CHARACTER SET ...`` re-encodes every text column: MySQL copies
the table (it cannot do it in place) and writes wait until the copy ends. ``ALTER TABLE t
ENGINE=...`` rebuilds it too (a copy under lock when the engine changes). Both are weighed
by the table's size, like the other locks (:mod:`.tables`). Changing only the table's
default character set (``ALTER TABLE t CHARACTER SET x``) touches no existing column: a
warning. ``ALTER DATABASE ... CHARACTER SET`` changes a default for new tables only.
A statement asking for ``ALGORITHM=INPLACE, LOCK=NONE`` or ``ALGORITHM=INSTANT`` is
refused by MySQL rather than run under a lock, so it is not reported.
"""

from __future__ import annotations

import re
from typing import Any

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, strip_comments
from gatekeeper.model import Level

_NAME = r"(?:[`\"]?[\w$]+[`\"]?\.)?[`\"]?([\w$]+)[`\"]?"
_ALTER_TABLE = re.compile(
    rf"^\s*ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+{_NAME}\s+(.*)$", re.I | re.S
)
_CONVERT = re.compile(r"\bCONVERT\s+TO\s+(?:CHARACTER\s+SET|CHARSET)\b", re.I)
_ALTER_DATABASE = re.compile(
    r"^\s*ALTER\s+(?:DATABASE|SCHEMA)\b[^;]*?\b(?:CHARACTER\s+SET|CHARSET|COLLATE)\b", re.I | re.S
)
_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(\w+)", re.I)
_LOCK = re.compile(r"\bLOCK\s*=?\s*(\w+)", re.I)


def _online(text: str) -> bool:
    found = _ALGORITHM.search(text), _LOCK.search(text)
    algorithm, lock = (m.group(1).upper() if m else "" for m in found)
    return algorithm == "INSTANT" or (algorithm == "INPLACE" and lock == "NONE")


def rebuilt(table: str, what: str, stmt: Statement) -> Hit:
    """The ``table-rebuild`` hit for ``table``, weighed by its size."""
    msg = (
        f"{what} rebuilds table {table}: MySQL copies every row while writes wait; run it "
        "with an online schema change tool such as gh-ost or pt-online-schema-change."
    )
    return Hit("table-rebuild", msg, stmt.line, table, table=(table,), sized=True)


def command(stmt: Statement) -> list[Hit] | None:
    """Hits for an ALTER sqlglot could not model (it falls back to a command); None when
    the statement is none of those this module knows."""
    text = strip_comments(stmt.text)
    if _ALTER_DATABASE.match(text):
        return []  # a default for tables created later: nothing is rewritten
    m = _ALTER_TABLE.match(text)
    if m is None or not _CONVERT.search(m.group(2)):
        return None
    if _online(m.group(2)):
        return []
    return [rebuilt(m.group(1), "CONVERT TO CHARACTER SET", stmt)]


def options(alter: Any, table: str, stmt: Statement) -> list[Hit]:
    """Hits for a parsed ALTER TABLE's table options (``ENGINE=``, ``CHARACTER SET``)."""
    from sqlglot import exp

    if _online(strip_comments(stmt.text)):
        return []
    out: list[Hit] = []
    for option in alter.args.get("options") or ():
        if isinstance(option, exp.EngineProperty):
            out.append(rebuilt(table, "ENGINE=", stmt))
        elif isinstance(option, exp.CharacterSetProperty):
            msg = (
                f"Changes the default character set of {table}: existing columns keep "
                "theirs (CONVERT TO CHARACTER SET would re-encode them, rebuilding the table)."
            )
            out.append(Hit("table-rebuild", msg, stmt.line, table, level=Level.WARNING))
    return out
