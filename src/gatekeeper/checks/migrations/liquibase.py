"""Liquibase changelogs, read as data: XML, YAML, JSON and formatted SQL.

A changelog is a list of changesets, each known by its ``id`` and ``author``; Liquibase
runs each changeset once and stores a checksum of its changes, so a changeset is the unit
a pull request adds (new changesets in a file) or rewrites (an edited merged one). A
master changelog that only ``include``s others is glue, not a migration. XML is parsed
with defusedxml, DTDs refused (no entity can expand); nothing of the project is run.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

SUFFIXES = (".xml", ".yaml", ".yml", ".json", ".sql")
#: the root element, after the prolog, comments and a DOCTYPE (kept: it is refused later)
_XML_ROOT = re.compile(
    r"\A\ufeff?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>\s*)*"
    r"<(?:\w+:)?databaseChangeLog\b",
    re.DOTALL,
)
_DATA_ROOT = re.compile(r"""^[\s{]*["']?databaseChangeLog["']?\s*:""", re.MULTILINE)
_FORMATTED = re.compile(r"^\s*--\s*liquibase\s+formatted\s+sql\b", re.IGNORECASE | re.MULTILINE)
_CHANGESET = re.compile(r"^\s*--\s*changeset\s+(?P<author>[^:\s]+):(?P<id>\S+)(?P<rest>.*)$",
                        re.IGNORECASE)  # fmt: skip
_ROLLBACK = re.compile(r"^\s*--\s*rollback\b ?(?P<sql>.*)$", re.IGNORECASE)
_SQL_ATTR = re.compile(r"(\w+):(\S+)")
#: elements of a changeset that are not changes (they do not run, nor enter the checksum)
_NOT_CHANGES = frozenset({"comment", "preConditions", "precondition", "rollback",
                          "validCheckSum", "tagDatabase", "empty", "output"})  # fmt: skip
_INCLUDES = frozenset({"include", "includeAll", "property", "preConditions", "changeLogId"})


class ChangelogError(ValueError):
    """A changelog that cannot be read (malformed, or refused: a DTD, an entity)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a changeset: its type (``dropColumn``), attributes, nested column
    names, the SQL it carries (``sql``) and where it starts."""

    kind: str
    attrs: Mapping[str, str]
    line: int
    columns: tuple[Mapping[str, str], ...] = ()
    sql: str = ""
    sql_line: int = 0


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """One changeset: identity, changes, rollback and how Liquibase runs it."""

    id: str
    author: str
    line: int
    end_line: int
    changes: tuple[Change, ...]
    #: None: no rollback written; "": an empty one; else its content (canonical)
    rollback: str | None
    rollback_line: int
    #: the databases it runs on (its ``dbms`` attribute and ``dbms`` preconditions)
    dbms: tuple[str, ...]
    in_transaction: bool
    #: ``runOnChange``/``runAlways`` or a ``validCheckSum``: an edit is expected
    edits_allowed: bool
    #: what Liquibase checksums: the changes, canonical (an edit changes it)
    fingerprint: str

    @property
    def key(self) -> tuple[str, str]:
        """How Liquibase knows the changeset (with the file's logical path)."""
        return (self.id, self.author)


@dataclass(frozen=True, slots=True)
class Changelog:
    """The changesets of one file, and how many other changelogs it includes."""

    changesets: tuple[ChangeSet, ...] = ()
    includes: int = 0
    logical_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def may_be_changelog(path: str, text: str | None) -> bool:
    """A file whose text says it is a Liquibase changelog (root or formatted-SQL header)."""
    if text is None or not path.endswith(SUFFIXES):
        return False
    head = text[:4096]
    if path.endswith(".xml"):
        return _XML_ROOT.match(text[:65536]) is not None
    if path.endswith(".sql"):
        return _FORMATTED.search(head) is not None
    return _DATA_ROOT.search(head) is not None


def is_migration(path: str, text: str | None) -> bool:
    """A changelog with at least one changeset (a master that only includes is glue).
    One that cannot be parsed counts: it is reported, never skipped."""
    if not may_be_changelog(path, text):
        return False
    assert text is not None
    try:
        return bool(parse(path, text).changesets)
    except ChangelogError:
        return True


def parse(path: str, text: str) -> Changelog:
    """The changelog ``text`` of ``path`` holds; ChangelogError when it cannot be read."""
    if path.endswith(".xml"):
        return _parse_xml(text)
    if path.endswith(".sql"):
        return _parse_formatted(text)
    try:
        data = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "lineno", None) or (mark.line + 1 if mark is not None else None)
        raise ChangelogError(f"not valid {'JSON' if path.endswith('.json') else 'YAML'}: "
                             f"{str(exc).splitlines()[0]}", line) from exc  # fmt: skip
    return _parse_data(text, data)


# --- XML -----------------------------------------------------------------------------------


class _Lines(ET.TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[int, int] = {}
        #: the line each element ends on (its closing tag)
        self.ends: dict[int, int] = {}
        self.parser: Any = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element

    def end(self, tag: str) -> ET.Element:
        element = super().end(tag)
        self.ends[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_xml(text: str) -> Changelog:
    builder = _Lines()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as exc:
        raise ChangelogError(f"refused: {type(exc).__name__} (DTDs and entities are not "
                             "read, so nothing can expand)") from exc  # fmt: skip
    except ET.ParseError as exc:
        raise ChangelogError(f"not well-formed XML: {exc}", exc.position[0]) from exc
    if _local(root.tag) != "databaseChangeLog":
        raise ChangelogError(f"the root element is <{_local(root.tag)}>, not <databaseChangeLog>")
    lines = builder.lines
    sets, includes = [], 0
    children = list(root)
    for child in children:
        kind = _local(child.tag)
        if kind in ("include", "includeAll"):
            includes += 1
        elif kind == "changeSet":
            sets.append(_xml_changeset(child, lines, builder.ends.get(id(child), lines[id(child)])))
    return Changelog(tuple(sets), includes, root.get("logicalFilePath", ""))


def _xml_changeset(cs: ET.Element, lines: dict[int, int], end: int) -> ChangeSet:
    changes, rollback, rollback_line, dbms = [], None, 0, _dbms(cs.get("dbms", ""))
    for child in cs:
        kind = _local(child.tag)
        if kind == "rollback":
            inner = " ".join((child.text or "").split()) + "".join(map(_canonical, child))
            if child.get("changeSetId"):
                inner += f"@{child.get('changeSetId')}"
            rollback = (rollback or "") + inner
            rollback_line = lines[id(child)]
        elif kind == "preConditions":
            dbms += tuple(
                d for e in child.iter() if _local(e.tag) == "dbms" for d in _dbms(e.get("type", ""))
            )
        elif kind not in _NOT_CHANGES:
            changes.append(_xml_change(child, lines))
    return ChangeSet(
        id=cs.get("id", ""),
        author=cs.get("author", ""),
        line=lines[id(cs)],
        end_line=end,
        changes=tuple(changes),
        rollback=None if rollback is None else rollback.strip(),
        rollback_line=rollback_line,
        dbms=dbms,
        in_transaction=cs.get("runInTransaction", "true").lower() != "false",
        edits_allowed=_flag(cs.get("runOnChange"))
        or _flag(cs.get("runAlways"))
        or any(_local(c.tag) == "validCheckSum" for c in cs),
        fingerprint="\n".join(_canonical(c) for c in cs if _local(c.tag) not in _NOT_CHANGES),
    )


def _xml_change(element: ET.Element, lines: dict[int, int]) -> Change:
    attrs = dict(element.attrib)
    where = [" ".join("".join(w.itertext()).split()) for w in element if _local(w.tag) == "where"]
    if where and "where" not in attrs:
        attrs["where"] = where[0]  # an update's or a delete's rows (YAML/JSON: a key)
    columns = tuple(
        {**_text_value(c), **c.attrib, **_constraints(c)}
        for c in element.iter()
        if _local(c.tag) == "column"
    )
    sql, sql_line = "", 0
    if _local(element.tag) in ("sql", "createProcedure", "createView"):
        sql = "".join(element.itertext())
        sql_line = lines[id(element)]
    return Change(_local(element.tag), attrs, lines[id(element)], columns, sql,
                  sql_line)  # fmt: skip


def _text_value(column: ET.Element) -> dict[str, str]:
    """A column's text, which Liquibase reads as its ``value`` when no attribute gives one."""
    text = (column.text or "").strip()
    return {"value": text} if text else {}


def _constraints(column: ET.Element) -> dict[str, str]:
    found = [c for c in column if _local(c.tag) == "constraints"]
    return {f"constraints.{k}": v for c in found for k, v in c.attrib.items()}


def _canonical(element: ET.Element) -> str:
    """The element as Liquibase would checksum it: tag, sorted attributes, text with
    whitespace collapsed, children in order (comments and formatting do not count)."""
    attrs = " ".join(f"{k}={v!r}" for k, v in sorted(element.attrib.items()))
    body = " ".join((element.text or "").split())
    inner = "".join(_canonical(c) + " ".join((c.tail or "").split()) for c in element)
    return f"{_local(element.tag)}[{attrs}]({body}{inner})"


def _dbms(value: str) -> tuple[str, ...]:
    return tuple(d.strip().lower() for d in value.split(",") if d.strip())


def _flag(value: object) -> bool:
    return str(value).strip().lower() == "true"


# --- YAML and JSON -------------------------------------------------------------------------


def _parse_data(text: str, data: object) -> Changelog:
    if not isinstance(data, dict) or not isinstance(data.get("databaseChangeLog"), list):
        raise ChangelogError("no databaseChangeLog list at the top")
    sets, includes, at = [], 0, 0
    for entry in data["databaseChangeLog"]:
        if not isinstance(entry, dict):
            continue
        if "include" in entry or "includeAll" in entry:
            includes += 1
        cs = entry.get("changeSet")
        if isinstance(cs, dict):
            named = r"""\bid["']?\s*:\s*["']?""" + re.escape(str(cs.get("id", "")))
            line = _line_of(text, named, at)
            at = max(at, line)
            sets.append(_data_changeset(text, cs, line))
    ends = [s.line - 1 for s in sets[1:]] + [text.count("\n") + 1]
    sets = [_with_end(s, max(e, s.line)) for s, e in zip(sets, ends, strict=True)]
    return Changelog(tuple(sets), includes)


def _with_end(cs: ChangeSet, end: int) -> ChangeSet:
    from dataclasses import replace

    return replace(cs, end_line=end)


def _line_of(text: str, pattern: str, after: int) -> int:
    """The line (1-based) of the first match of ``pattern`` on or after line ``after``."""
    offset = 0 if after <= 1 else _nth_line_offset(text, after)
    m = re.compile(pattern).search(text, offset)
    return text.count("\n", 0, m.start()) + 1 if m else max(after, 1)


def _nth_line_offset(text: str, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        nxt = text.find("\n", offset)
        if nxt < 0:
            return len(text)
        offset = nxt + 1
    return offset


def _data_changeset(text: str, cs: Mapping[str, Any], line: int) -> ChangeSet:
    changes = []
    for item in cs.get("changes") or []:
        if not isinstance(item, dict) or len(item) != 1:
            continue
        kind, body = next(iter(item.items()))
        body = body if isinstance(body, dict) else {}
        columns = tuple(_data_column(c) for c in body.get("columns") or [] if isinstance(c, dict))
        at = _line_of(text, re.escape(str(kind)) + r"""["']?\s*:""", line)
        sql = str(body.get("sql", "")) if kind in ("sql", "createProcedure", "createView") else ""
        scalars = {k: str(v) for k, v in body.items() if not isinstance(v, list | dict)}
        if kind not in _NOT_CHANGES:
            changes.append(Change(str(kind), scalars, at, columns, sql, at + 1 if sql else 0))
    rollback = cs.get("rollback")
    dbms = _dbms(str(cs.get("dbms", "")))
    dbms += tuple(d for d in _data_dbms(cs.get("preConditions"))) if cs.get("preConditions") else ()
    return ChangeSet(
        id=str(cs.get("id", "")),
        author=str(cs.get("author", "")),
        line=line,
        end_line=line,
        changes=tuple(changes),
        rollback=None
        if "rollback" not in cs
        else json.dumps(rollback, sort_keys=True)
        if rollback not in (None, "", [], {})
        else "",
        rollback_line=_line_of(text, r"""\brollback["']?\s*:""", line) if "rollback" in cs else 0,
        dbms=dbms,
        in_transaction=str(cs.get("runInTransaction", "true")).lower() != "false",
        edits_allowed=_flag(cs.get("runOnChange"))
        or _flag(cs.get("runAlways"))
        or "validCheckSum" in cs,
        fingerprint=json.dumps(cs.get("changes"), sort_keys=True, default=str),
    )


def _data_column(entry: Mapping[str, Any]) -> dict[str, str]:
    col = entry.get("column")
    if not isinstance(col, dict):
        return {}
    # a key set to null is not set (``value: null`` gives the rows nothing)
    out = {k: str(v) for k, v in col.items() if v is not None and not isinstance(v, list | dict)}
    cons = col.get("constraints")
    if isinstance(cons, dict):
        out.update({f"constraints.{k}": str(v) for k, v in cons.items()})
    return out


def _data_dbms(pre: object) -> list[str]:
    found: list[str] = []
    if isinstance(pre, dict):
        for k, v in pre.items():
            if k == "dbms" and isinstance(v, dict):
                found += _dbms(str(v.get("type", "")))
            else:
                found += _data_dbms(v)
    elif isinstance(pre, list):
        for v in pre:
            found += _data_dbms(v)
    return found


# --- formatted SQL -------------------------------------------------------------------------


def _parse_formatted(text: str) -> Changelog:
    lines = text.splitlines()
    heads = [(i, m) for i, raw in enumerate(lines) if (m := _CHANGESET.match(raw))]
    sets = []
    for n, (i, m) in enumerate(heads):
        end = heads[n + 1][0] if n + 1 < len(heads) else len(lines)
        body, rollback, rollback_line, valid = [], None, 0, False
        for j in range(i + 1, end):
            raw = lines[j]
            r = _ROLLBACK.match(raw)
            if r:
                rollback = ((rollback or "") + "\n" + r.group("sql")).strip()
                rollback_line = rollback_line or j + 1
            elif re.match(r"^\s*--\s*validCheckSum\b", raw, re.IGNORECASE):
                valid = True
            else:
                body.append(raw)
        if rollback is not None and rollback.lower() in ("not required", "empty"):
            rollback = ""  # Liquibase's words for a rollback that does nothing
        attrs = dict(_SQL_ATTR.findall(m.group("rest")))
        sql = "\n".join(body)
        first = i + 2
        sets.append(ChangeSet(
            id=m.group("id"), author=m.group("author"), line=i + 1, end_line=end,
            changes=(Change("sql", attrs, first, (), sql, first),),
            rollback=rollback, rollback_line=rollback_line,
            dbms=_dbms(attrs.get("dbms", "")),
            in_transaction=attrs.get("runInTransaction", "true").lower() != "false",
            edits_allowed=valid or _flag(attrs.get("runOnChange")) or _flag(attrs.get("runAlways")),
            fingerprint=" ".join(sql.split()),
        ))  # fmt: skip
    return Changelog(tuple(sets), 0)


def version(path: str) -> str:
    """A changelog's place among its folder's files: its name without the suffix."""
    return posixpath.splitext(posixpath.basename(path))[0]
