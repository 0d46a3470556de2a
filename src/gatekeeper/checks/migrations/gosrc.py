"""Reading Go source as text, for the migrations written as Go code (:mod:`.gomig`).

The gate runs no Go and has no Go parser: it tokenises just enough of the language to
find function bodies (braces outside strings and comments), string literals (raw
```...``` and interpreted ``"..."``) and the expressions that join them with ``+``.
A string expression is read as SQL when every part is a literal or a constant the same
file defines as one; any other part (a variable, a call, a ``fmt.Sprintf`` verb) is a
value only known at run time, kept as a placeholder and reported as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: what stands for a part of a statement only known at run time
RUNTIME = "runtime_value"

_TOKEN = re.compile(
    r"(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))"
    r"|(?P<raw>`[^`]*(?:`|\Z))"
    r"|(?P<str>\"(?:[^\"\\\n]|\\.)*(?:\"|$))"
    r"|(?P<rune>'(?:[^'\\\n]|\\.)*(?:'|$))"
    r"|(?P<ident>[A-Za-z_]\w*)"
    r"|(?P<num>\d[\w.]*)"
    r"|(?P<op>:=|\+=|&&|\|\||==|!=|<=|>=|\.\.\.|[^\s\w])",
    re.DOTALL | re.MULTILINE,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}
_VERB = re.compile(r"%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[sdvqxXfgt]")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind (comment, raw, str, rune, ident, num, op), text and offset."""

    kind: str
    text: str
    at: int


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, comments included (a caller skips them)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "op"
        out.append(Token(kind, m.group(), m.start()))
    return out


def literal_value(tok: Token) -> str:
    """The value of a raw or interpreted string literal."""
    body = tok.text[1:-1] if len(tok.text) >= 2 else ""
    if tok.kind == "raw":
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def closing(toks: list[Token], start: int) -> int | None:
    """The index of the token closing the bracket at ``toks[start]``."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    opener = toks[start].text
    closer, depth = pairs[opener], 0
    for i in range(start, len(toks)):
        t = toks[i]
        if t.kind != "op":
            continue
        if t.text == opener:
            depth += 1
        elif t.text == closer:
            depth -= 1
            if depth == 0:
                return i
    return None


def code(toks: list[Token]) -> list[Token]:
    """``toks`` without comments."""
    return [t for t in toks if t.kind != "comment"]


def constants(text: str, toks: list[Token]) -> dict[str, str]:
    """Names the file binds to a string literal (``const x = `...```, ``x = "..."`` in a
    ``const (...)`` block), joined by ``+`` when several: a name used in SQL resolves."""
    out: dict[str, str] = {}
    for i, t in enumerate(toks):
        if t.kind != "ident" or i + 2 >= len(toks) or toks[i + 1].text != "=":
            continue
        before = toks[i - 1] if i else None
        first_on_line = before is None or "\n" in text[before.at + len(before.text) : t.at]
        if not first_on_line and before is not None and before.text not in ("const", "var"):
            continue
        expr = string_expr(toks, i + 2, out)
        if expr is not None and not expr.runtime:
            out[t.text] = expr.value
    return out


@dataclass(frozen=True, slots=True)
class StringExpr:
    """A string expression: its value (run-time parts as :data:`RUNTIME`), where its
    first literal starts, the index after its last token, and what was not literal."""

    value: str
    at: int
    end: int
    runtime: tuple[str, ...]
    literal: bool


def string_expr(toks: list[Token], i: int, consts: dict[str, str]) -> StringExpr | None:
    """The ``+``-joined string expression starting at ``toks[i]``, or None when it holds
    no string literal (nor a constant bound to one). ``fmt.Sprintf(format, ...)`` counts
    as its format, with each verb a run-time part."""
    parts: list[str] = []
    runtime: list[str] = []
    at, literal = -1, False
    while i < len(toks):
        operand = _operand(toks, i, consts)
        if operand is None:
            break
        value, dynamic, nxt, has_literal = operand
        if at < 0:
            at = toks[i].at
        literal = literal or has_literal
        parts.append(value)
        runtime += dynamic
        i = nxt
        if i < len(toks) and toks[i].text == "+":
            i += 1
            continue
        break
    if not literal:
        return None
    return StringExpr("".join(parts), at, i, tuple(runtime), literal)


def _operand(
    toks: list[Token], i: int, consts: dict[str, str]
) -> tuple[str, list[str], int, bool] | None:
    t = toks[i]
    if t.kind in ("raw", "str"):
        return literal_value(t), [], i + 1, True
    if t.kind != "ident":
        return None
    j = i + 1
    name = t.text
    while j + 1 < len(toks) and toks[j].text == "." and toks[j + 1].kind == "ident":
        name += "." + toks[j + 1].text
        j += 2
    if j < len(toks) and toks[j].text == "(":
        end = closing(toks, j)
        if end is None:
            return None
        if name.endswith("Sprintf") and j + 1 < end and toks[j + 1].kind in ("raw", "str"):
            fmt = literal_value(toks[j + 1])
            verbs = _VERB.findall(fmt)
            return _VERB.sub(RUNTIME, fmt), [f"{name}({v})" for v in verbs], end + 1, True
        return RUNTIME, [f"{name}(...)"], end + 1, False
    if name in consts:
        return consts[name], [], j, True
    return RUNTIME, [name], j, False
