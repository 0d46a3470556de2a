"""The places a Go migration file registers its up and down functions, found in its tokens.

:mod:`.gomig` decides whether a Go file is a migration and which shape it has; this module
reads the two shapes a migration library defines, so the rest can tell an up from a down:
goose's ``goose.AddMigration(up, down)`` call (and its ``...Context``/``...NoTx`` variants)
and the ``Migration{ID: ..., Migrate: ..., Rollback: ...}`` struct literal of gormigrate
and xormigrate. Either names a top-level function or writes a ``func`` literal in place,
and a down may be ``nil``: both are resolved to the body's braces (a :class:`Side`). It
works on :mod:`.gosrc`'s code tokens, so a call written in a comment or a string is no
registration; nothing is executed, and each reader is one pass over the tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import gosrc
from gatekeeper.checks.migrations.gosrc import Token


@dataclass(frozen=True, slots=True)
class Side:
    """A function body: its first and last token (the braces) in the code tokens."""

    open: int
    close: int
    line: int


@dataclass(frozen=True, slots=True)
class Pair:
    """One migration's up and down (``down`` None: nil or absent)."""

    up: Side | None
    down: Side | None
    line: int


def line_of(text: str, tok: Token) -> int:
    """The line (1-based) a token starts on."""
    return text.count("\n", 0, tok.at) + 1


def functions(text: str, toks: list[Token]) -> dict[str, tuple[Side, str]]:
    """Top-level functions: name -> (body, the text of its parameter list)."""
    out: dict[str, tuple[Side, str]] = {}
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.text != "func" or t.kind != "ident":
            i += 1
            continue
        j = i + 1
        if j < len(toks) and toks[j].text == "(":  # a method's receiver
            j = (gosrc.closing(toks, j) or j) + 1
        if j + 1 >= len(toks) or toks[j].kind != "ident" or toks[j + 1].text != "(":
            i += 1
            continue
        params_end = gosrc.closing(toks, j + 1)
        side = _body_after(text, toks, params_end)
        if params_end is None or side is None:
            i += 1
            continue
        params = text[toks[j + 1].at : toks[params_end].at]
        out[toks[j].text] = (side, params)
        i = side.close + 1
    return out


def _body_after(text: str, toks: list[Token], at: int | None) -> Side | None:
    """The ``{...}`` body following a parameter list (results in between skipped)."""
    if at is None:
        return None
    k = at + 1
    while k < len(toks) and toks[k].text != "{":
        if toks[k].text == "(":
            k = gosrc.closing(toks, k) or k
        k += 1
    end = gosrc.closing(toks, k) if k < len(toks) else None
    return None if end is None else Side(k, end, line_of(text, toks[k]))


def _value(
    text: str, toks: list[Token], i: int, funcs: dict[str, tuple[Side, str]]
) -> tuple[Side | None, bool]:
    """A function argument or field value: (its body, whether it is one at all)."""
    t = toks[i]
    if t.text == "nil":
        return None, True
    if t.text == "func" and i + 1 < len(toks) and toks[i + 1].text == "(":
        return _body_after(text, toks, gosrc.closing(toks, i + 1)), True
    if t.kind == "ident" and t.text in funcs:
        return funcs[t.text][0], True
    return None, False


def call_args(toks: list[Token], open_: int, close: int) -> list[int]:
    """Indices of the first token of each top-level argument between brackets."""
    starts, depth = [open_ + 1], 0
    for k in range(open_ + 1, close):
        s = toks[k].text if toks[k].kind == "op" else ""
        if s in ("(", "{", "["):
            depth += 1
        elif s in (")", "}", "]"):
            depth -= 1
        if s == "," and depth == 0:
            starts.append(k + 1)
    return [s for s in starts if s < close]


def goose(
    text: str, toks: list[Token], funcs: dict[str, tuple[Side, str]]
) -> tuple[list[Pair], bool]:
    """The pairs registered with goose's ``Add...Migration`` calls, and whether all of
    them run in a transaction (none is a ``NoTx`` variant)."""
    pairs, in_tx = [], True
    for i in range(len(toks) - 3):
        if toks[i].text != "goose" or toks[i + 1].text != "." or toks[i + 3].text != "(":
            continue
        name = toks[i + 2].text
        if not re.match(r"Add(?:Named)?Migration", name):
            continue
        close = gosrc.closing(toks, i + 3)
        args = call_args(toks, i + 3, close or i + 3)
        if close is None or len(args) < 2:
            continue
        up, _ = _value(text, toks, args[-2], funcs)
        down, _ = _value(text, toks, args[-1], funcs)
        pairs.append(Pair(up, down, line_of(text, toks[i])))
        in_tx = in_tx and "NoTx" not in name
    return pairs, in_tx


def structs(
    text: str, toks: list[Token], lib: str, funcs: dict[str, tuple[Side, str]]
) -> list[Pair]:
    """The pairs of ``lib``'s (gormigrate's, xormigrate's) ``Migration{...}`` literals:
    ``Migrate`` or ``MigrateSession`` the up, ``Rollback`` or ``RollbackSession`` the down."""
    pairs = []
    for i in range(len(toks) - 3):
        if toks[i].text != lib or toks[i + 2].text != "Migration" or toks[i + 3].text != "{":
            continue
        close = gosrc.closing(toks, i + 3)
        if close is None:
            continue
        fields: dict[str, Side | None] = {}
        for a in call_args(toks, i + 3, close):
            if a + 2 < close and toks[a].kind == "ident" and toks[a + 1].text == ":":
                side, known = _value(text, toks, a + 2, funcs)
                if known:
                    fields[toks[a].text] = side
        # xormigrate's session variants: ``MigrateSession``/``RollbackSession`` (woodpecker)
        up = next((k for k in ("Migrate", "MigrateSession") if k in fields), None)
        if up is not None:
            down = fields.get("Rollback") or fields.get("RollbackSession")
            pairs.append(Pair(fields[up], down, line_of(text, toks[i])))
    return pairs
