"""Split SQL text into statements with line numbers, and read gatekeeper's comment markers.

One splitter serves every dialect and both uses (analysis and execution): it honours
quotes, dollar quotes, comments and the ``BEGIN ... END`` bodies of SQLite and MySQL
triggers (a PostgreSQL trigger has none: it ends at its first ``;``), and never parses. A statement
keeps the comments written just above it, which is where ``gatekeeper:ignore`` lives.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

_TRIGGER = re.compile(r"^\s*CREATE\s+(?:TEMP\w*\s+)?TRIGGER\b", re.IGNORECASE)
_IGNORE = re.compile(r"gatekeeper:ignore[ \t]+([a-z][a-z0-9-]*)[ \t]*([^\n]*)")
_IRREVERSIBLE = re.compile(r"gatekeeper:irreversible\b[ \t:]*([^\n]*)")
#: a Go text/template or Jinja action on one line: ``{{ index .Options "Namespace" }}``
# one line, no brace inside, the trimming done in code: "{{" + blanks was cubic with
# \s*.*?\s*, and a body that may hold "{" lets "{{" repeated rescan the line from each
_TEMPLATE_ACTION = re.compile(r"\{\{(?P<body>[^\n{}]*)\}\}")
_TEMPLATE_CONTROL = re.compile(r"(?:if|else|end|range|with|define|template|block|/?\*)\b")
#: what a template value becomes for the parsers: an identifier, since templates in
#: migrations mostly name a schema or a role
TEMPLATE_PLACEHOLDER = "tmpl"


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement: its text (no trailing ``;``), where it sits, and its comments."""

    text: str
    line: int
    end_line: int
    comments: str = ""

    def ignores(self) -> dict[str, str]:
        """``gatekeeper:ignore <rule> <reason>`` markers on this statement: rule -> reason."""
        return ignore_marks(self.comments)


def ignore_marks(text: str) -> dict[str, str]:
    """``gatekeeper:ignore <rule> <reason>`` markers in ``text``: rule -> reason ("" if none)."""
    found = {}
    for m in _IGNORE.finditer(text):
        found[m.group(1)] = m.group(2).strip().rstrip("*/").strip()
    return found


#: one token at a time: comments, quoted runs (standard, E'' escapes, identifiers,
#: backticks, dollar quotes), statement ends, blanks, and runs of other code
_TOKEN = re.compile(
    r"""
      (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<quoted>
          [eE]'(?:\\.|''|[^'\\])*(?:'|\Z)
        | '(?:''|[^'])*(?:'|\Z)
        | "(?:""|[^"])*(?:"|\Z)
        | `[^`]*(?:`|\Z)
        | \$(?P<tag>[A-Za-z_]*)\$.*?(?:\$(?P=tag)\$|\Z))
    | (?P<semi>;)
    | (?P<space>\s+)
    | (?P<code>[^\s'"`$;/\-]+|.)
    """,
    re.DOTALL | re.VERBOSE,
)

#: the splitter's tokens, for readers that compare two SQL texts (:mod:`.sqlsame`)
TOKENS = _TOKEN


@dataclass
class _Open:
    """The statement being read."""

    start: int
    comments: list[str] = dataclasses.field(default_factory=list)
    body: int | None = None  # offset of its first code token
    line: int = 0
    end_line: int = 0  # the line its last code token ends on
    head: str = ""  # its first code, to recognise CREATE TRIGGER
    last: str = ""  # its last code token, to find a trigger's END
    #: a CREATE TRIGGER whose ``BEGIN`` body has opened: its ``;`` end no statement
    trigger_body: bool = False


def split(sql: str, first_line: int = 1) -> list[Statement]:
    """The statements of ``sql``; ``first_line`` is the line the text starts on in its file."""
    out: list[Statement] = []
    line = first_line
    cur = _Open(0)
    last_end_line = -1  # the line of the last ``;``
    for tok in _TOKEN.finditer(sql):
        kind, text = tok.lastgroup, tok.group()
        if kind == "comment":
            if cur.body is None and out and line == last_end_line:
                # a comment after the ``;`` on the same line belongs to that statement
                out[-1] = dataclasses.replace(out[-1], comments=f"{out[-1].comments}\n{text}")
            else:
                cur.comments.append(text)
        elif kind == "semi" and not _inside_trigger(cur):
            _emit(out, sql, cur, tok.start())
            cur, last_end_line = _Open(tok.end()), line
        elif kind != "space":
            if cur.body is None:
                cur.body, cur.line = tok.start(), line
            if len(cur.head) < 64:
                cur.head += text + " "
            if not cur.trigger_body and text.upper() == "BEGIN":
                cur.trigger_body = _TRIGGER.match(cur.head) is not None
            cur.last = text
            cur.end_line = line + text.count("\n")
        line += text.count("\n")
    _emit(out, sql, cur, len(sql))
    return out


def _inside_trigger(cur: _Open) -> bool:
    """True while a CREATE TRIGGER's ``BEGIN`` body is open (its ``;`` do not end the
    statement). A trigger without one (PostgreSQL's ``EXECUTE FUNCTION f();``, MySQL's
    single-statement ``FOR EACH ROW SET ...;``) ends at its first ``;``: read as open, it
    swallowed every statement after it up to the next ``END``."""
    return cur.trigger_body and cur.last.upper() != "END"


def _emit(out: list[Statement], sql: str, cur: _Open, end: int) -> None:
    if cur.body is not None:
        raw = sql[cur.start : end].strip()
        out.append(Statement(raw, cur.line, cur.end_line, "\n".join(cur.comments)))


def fill_templates(sql: str) -> str:
    """``sql`` with template actions replaced so a SQL parser can read it.

    golang-migrate users (and dbt, Jinja) write ``{{ .Schema }}.users``; no parser accepts
    that, which would leave every such statement unreviewed. A value becomes the
    identifier :data:`TEMPLATE_PLACEHOLDER`; a control action (``if``, ``end``...)
    vanishes. Line numbers are kept: an action never spans lines here.
    """

    def fill(m: re.Match[str]) -> str:
        body = m.group("body").strip()
        body = body.removeprefix("-").removesuffix("-").strip()  # {{- trim markers -}}
        return "" if _TEMPLATE_CONTROL.match(body) else TEMPLATE_PLACEHOLDER

    return _TEMPLATE_ACTION.sub(fill, sql) if "{{" in sql else sql


def strip_comments(sql: str) -> str:
    """``sql`` with its comments blanked out (quotes kept)."""
    return "".join(
        " " if tok.lastgroup == "comment" else tok.group() for tok in _TOKEN.finditer(sql)
    )


def executed(sql: str) -> str:
    """``sql`` as the database reads it: comments dropped and blanks outside quotes folded
    into one space, so two texts that differ only there compare equal."""
    out: list[str] = []
    for tok in _TOKEN.finditer(sql):
        if tok.lastgroup in ("comment", "space"):
            if out and out[-1] != " ":
                out.append(" ")
        else:
            out.append(tok.group())
    return "".join(out).strip()


def has_code(sql: str) -> bool:
    """True when ``sql`` holds at least one statement (not just comments and blanks)."""
    return bool(strip_comments(sql).replace(";", " ").strip())


def irreversible_line(text: str) -> int | None:
    """The line (1-based, lines ending at ``\\n`` as git counts them) of the first
    ``gatekeeper:irreversible`` marker in ``text``; None without one."""
    m = _IRREVERSIBLE.search(text)
    return None if m is None else text.count("\n", 0, m.start()) + 1


def irreversible_reason(text: str) -> str | None:
    """The reason given by a ``gatekeeper:irreversible <reason>`` marker; "" without one;
    None when there is no marker."""
    m = _IRREVERSIBLE.search(text)
    if m is None:
        return None
    return m.group(1).strip().rstrip("*/").strip()


#: statements that only set up the session or the transaction: no schema effect, nothing
#: for a down to undo (``SET lock_timeout``, ``COMMIT`` before ``ALTER TYPE ... ADD VALUE``)
_SESSION = re.compile(
    r"^\s*(?:SET|RESET|BEGIN|COMMIT|END|ROLLBACK|START\s+TRANSACTION|SAVEPOINT|RELEASE|"
    r"SELECT\s+(?:1|pg_advisory\w*\s*\([^)]*\)|set_config\s*\([^)]*\))\s*$|PRAGMA|"
    r"USE\b|ANALYZE|VACUUM\s*$)",
    re.IGNORECASE,
)


def is_session(sql: str) -> bool:
    """True for a statement that changes only the session or the transaction."""
    return _SESSION.match(strip_comments(sql)) is not None


def is_noop(sql: str) -> bool:
    """True when ``sql`` changes no schema and no data: only comments, blanks and session
    statements (a per-database up left empty because that database needs nothing)."""
    return all(is_session(s.text) for s in split(sql))


_FILLS = re.compile(r"^\s*(?:UPDATE|INSERT|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE)\b", re.IGNORECASE)


def fills_data_only(sql: str) -> bool:
    """True when ``sql`` changes rows but no schema: UPDATE and INSERT (a backfill), with
    session statements, or adds a PostgreSQL enum value (which has no inverse; a down
    cannot drop it). A down with nothing to undo may then be empty. At least one such
    statement is needed: an up of session statements alone is a no-op (:func:`is_noop`)."""
    statements = [strip_comments(s.text) for s in split(sql)]
    return any(_FILLS.match(s) for s in statements) and all(
        _FILLS.match(s) or is_session(s) for s in statements
    )
