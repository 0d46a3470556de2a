"""Sequelize ``changeColumn`` judged against the column as the merged migrations made it.

``queryInterface.changeColumn("users", "name", { type: Sequelize.STRING(50) })`` carries
only the new definition. The old one is the last ``createTable``/``addColumn``/
``changeColumn`` of the column in the folder's merged migrations (read at base, so a pull
request cannot supply its own history). With both known, the change is judged as Laravel's
``->change()`` is (:mod:`.laravelcols`): a widening on PostgreSQL (a longer ``STRING``,
``TEXT``) is no finding, a wider integer is weighed by the table's size, a narrowing or a
change of family is an error. Without the old one, or for a type not read (``ENUM``,
``FLOAT``, a variable), the warning stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from gatekeeper.checks.migrations import hashsrc, laravelcols, nodescan
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.laravelcols import Column
from gatekeeper.model import Level

_Q = r"""[`'"]"""
_CREATE = re.compile(rf"\bcreateTable\s*\(\s*{_Q}(\w+){_Q}\s*,\s*\{{")
_ONE = re.compile(rf"\b(addColumn|changeColumn)\s*\(\s*{_Q}(\w+){_Q}\s*,\s*{_Q}(\w+){_Q}\s*,\s*")
_TYPE = re.compile(
    r"(?:Sequelize|DataTypes|Sequelize\.DataTypes)\.([A-Z]+)\b(?:\s*\(\s*([\d\s,]*)\))?"
    r"|^[`'\"]([A-Za-z]+)(?:\((\d+(?:\s*,\s*\d+)?)\))?[`'\"]"
)
_KIND = {"STRING": "string", "CHAR": "char", "TEXT": "text", "INTEGER": "integer",
         "BIGINT": "bigInteger", "SMALLINT": "smallInteger", "TINYINT": "tinyInteger",
         "MEDIUMINT": "mediumInteger", "DECIMAL": "decimal", "BOOLEAN": "boolean",
         "DATE": "dateTime", "DATEONLY": "date", "JSON": "json", "JSONB": "jsonb",
         "UUID": "uuid", "VARCHAR": "string", "INT": "integer"}  # fmt: skip
_DOWN = re.compile(r"^[ \t]*(?:async\s+)?down\s*(?:\(|:)", re.MULTILINE)
#: a definition read at most this long (a bound on what the head makes us scan)
_MAX = 4000


def column(definition: str) -> Column | None:
    """The column a Sequelize definition declares: ``{ type: X, allowNull: false }`` or a
    bare type; None for a type not read."""
    text = definition.strip()
    if text.startswith("{"):
        typed = re.search(r"\btype\s*:\s*", text)
        if typed is None:
            return None
        spelled = text[typed.end() :]
    else:
        spelled = text
    m = _TYPE.match(spelled.strip())
    if m is None:
        return None
    name, sizes_text = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    kind = _KIND.get((name or "").upper())
    if kind is None:
        return None
    sizes = tuple(int(n) for n in re.findall(r"\d+", sizes_text or "")) or None
    if kind == "string" and sizes is None:
        sizes = (255,)  # Sequelize's STRING is VARCHAR(255)
    if kind == "decimal" and sizes is not None and len(sizes) == 1:
        sizes = (sizes[0], 0)
    nullable = not re.search(r"\ballowNull\s*:\s*false\b", text)
    return Column(kind, sizes, nullable)


def columns_in(texts: Iterable[str]) -> dict[tuple[str, str], Column]:
    """(table, column) -> its last definition in ``texts`` (merged migrations, in apply
    order): ``createTable``'s entries, ``addColumn`` and ``changeColumn``."""
    out: dict[tuple[str, str], Column] = {}
    for text in texts:
        down = _DOWN.search(text)
        up = text[: down.start()] if down else text
        found: list[tuple[int, tuple[str, str], Column | None]] = []
        for m in _CREATE.finditer(up):
            body = _balanced(up, m.end() - 1)
            for name, value in _entries(body[1:-1]):
                found.append((m.start(), (m.group(1), name), column(value)))
        for m in _ONE.finditer(up):
            found.append((m.start(), (m.group(2), m.group(3)), column(_argument(up, m.end()))))
        for _, named, col in sorted(found, key=lambda f: f[0]):
            if col is None:
                out.pop(named, None)
            else:
                out[named] = col
    return out


def judged(
    hits: list[Hit], body: str, first: int, known: Mapping[tuple[str, str], Column], dialect: str
) -> list[Hit]:
    """``hits`` with the warning of each ``changeColumn`` of a column the merged
    migrations define replaced by the judgement of the change (none for a widening)."""
    calls: dict[tuple[int, str], Column | None] = {}
    for m in _ONE.finditer(body):
        if m.group(1) == "changeColumn":
            line = first + body.count("\n", 0, m.start())
            calls[(line, f"{m.group(2)}.{m.group(3)}")] = column(_argument(body, m.end()))
    out: list[Hit] = []
    for hit in hits:
        key = (hit.line, hit.evidence)
        if hit.rule != "change-column-type" or hit.level is not Level.WARNING or key not in calls:
            out.append(hit)
            continue
        table, name = hit.evidence.split(".", 1)
        old, new = known.get((table, name)), calls[key]
        found = None
        if old is not None and new is not None:
            new = Column(new.kind, new.sizes, old.nullable)
            found = laravelcols.retype_hits(table, name, hit.line, old, new, dialect,
                                            how="changeColumn",
                                            source="merged migrations define it")  # fmt: skip
        out += [hit] if found is None else found
    return out


def _argument(text: str, start: int) -> str:
    """The argument starting at ``start``: an object literal, or up to the next top-level
    comma or closing parenthesis."""
    rest = text[start : start + _MAX].lstrip()
    if rest.startswith("{"):
        return _balanced(rest, 0)
    return rest[: nodescan.expression_end(rest, 0)]


def _balanced(text: str, start: int) -> str:
    """The bracketed text opening at ``text[start]``, brackets included (to the end of
    what is read when it does not close); strings and comments are skipped."""
    end = nodescan.call_end(text, start + 1)
    return text[start : end + 1] if end is not None else text[start : start + _MAX]


def _entries(body: str) -> list[tuple[str, str]]:
    """``key: value`` pairs at the top level of an object literal's body."""
    out = []
    parts = hashsrc.arguments(body, quotes="\"'`")
    for part in parts:
        m = re.match(r"""\s*[`'"]?(\w+)[`'"]?\s*:\s*""", part, re.S)
        if m is not None:
            out.append((m.group(1), part[m.end() :].strip()))
    return out
