"""The history of xorm's versioned steps (see :mod:`.gomig` for the shape).

xorm runs each step of the package's ``NewMigration(...)`` list once, by its place in the
list, and records only how far it got: a step a release shipped never runs again where
that release was installed. Its data steps are Go (read rows, decode JSON, write rows),
so an edit of a merged step is judged by its Go, not only by its SQL as the other Go
runners' are: apache/answer fixed ``splitLegalMenu`` of ``v30.go`` in place (it decoded
the login settings instead of the general ones) after v2.0.0 shipped it, and installs
that ran v30 kept the wrong data.

An edit that comes with its own correction is told apart too: a PR that edits a shipped
step and adds a new step naming what the edit introduced or a string on its edited lines
(answer's 7123326515 sets ``RequireEmailVerification`` in v30 for new upgrades and adds
v34, which backfills ``require_email_verification`` where v30 already ran; 7824797648
sets ``rank.answer.accept`` to -1 in v3 and adds v9 setting it where v3 ran) brings
every database to the same state: a warning asking to check that.

What cannot change what runs is told apart:

- comments, layout and a moved module path (:func:`.godowns.same_code`): no finding;
- a consistent renaming of local names (variables, parameters, unexported helpers), the
  wording of log lines and error messages (``log.*``, ``fmt.Print*``, added or removed;
  the text of ``fmt.Errorf``/``errors.New``), an ``if err != nil { return ... }`` added or
  removed (what a failing step reports), a local type nothing uses removed,
  ``interface{}`` written ``any`` (answer's lint passes): a warning asking for a look.

Exported names and declared types are never taken for a rename: xorm maps struct types
to tables and exported fields to columns, so renaming one changes the schema.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import gosrc
from gatekeeper.checks.migrations.gomig import read
from gatekeeper.checks.migrations.gosrc import Token

_KEYWORDS = frozenset({
    "break", "case", "chan", "const", "continue", "default", "defer", "else",
    "fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map",
    "package", "range", "return", "select", "struct", "switch", "type", "var",
})  # fmt: skip
#: Go's predeclared lowercase names: a "rename" to or from one changes what runs
_PREDECLARED = frozenset({
    "true", "false", "nil", "iota", "bool", "byte", "complex64", "complex128", "error",
    "float32", "float64", "int", "int8", "int16", "int32", "int64", "rune", "string",
    "uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "any", "comparable",
    "append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len", "make",
    "max", "min", "new", "panic", "print", "println", "real", "recover",
})  # fmt: skip
#: receivers whose calls only log: the call may be added, removed or reworded
_LOGGERS = frozenset({"log", "logger", "logging", "klog", "glog", "slog"})
#: calls whose string arguments only word an error
_MESSAGES = frozenset({
    ("fmt", "Errorf"), ("errors", "New"), ("errors", "Errorf"), ("errors", "Wrap"),
    ("errors", "Wrapf"), ("errors", "WithMessage"), ("errors", "WithMessagef"),
})  # fmt: skip

Code = list[tuple[str, str]]


def same_behaviour(before: str, after: str) -> bool:
    """Two texts of an xorm step that run the same: equal once log calls are set aside,
    error messages blanked, and local names renamed one for one."""
    old, new = _normalised(before), _normalised(after)
    if len(old) != len(new):
        return False
    types = _declared_types(old) | _declared_types(new)
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for a, b in zip(old, new, strict=True):
        if a == b and not _renamable(a, types):
            continue
        if not (_renamable(a, types) and _renamable(b, types)):
            return False
        if forward.setdefault(a[1], b[1]) != b[1] or backward.setdefault(b[1], a[1]) != a[1]:
            return False
    return True


def edited_function(before: str, after: str) -> tuple[str, int] | None:
    """The first merged function (in file order) whose code ``after`` changed or
    removed: its name and its line in ``after`` (in ``before`` when removed)."""
    old, new = read(before), read(after)
    if old is None or new is None:
        return None
    for name, side in sorted(old.funcs.items(), key=lambda item: item[1].open):
        now = new.funcs.get(name)
        if now is None:
            return name, side.line
        was = [t.text for t in old.toks[side.open : side.close + 1]]
        if was != [t.text for t in new.toks[now.open : now.close + 1]]:
            return name, now.line
    return None


def introduced(before: str, after: str) -> dict[str, str]:
    """The names (identifiers, short strings) ``after`` has and ``before`` lacks, at
    least :data:`_MIN_NAME` long, by their :func:`_key`: what the edit brought in."""

    def names(text: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in gosrc.code(gosrc.tokens(text)):
            value = gosrc.literal_value(t) if t.kind in ("raw", "str") else t.text
            if t.kind in ("ident", "raw", "str") and len(value) <= _MAX_NAME:
                out.setdefault(_key(value), value)
        return out

    old, new = names(before), names(after)
    return {k: v for k, v in new.items() if k not in old and len(k) >= _MIN_NAME}


def strings_on(text: str, lines: frozenset[int]) -> dict[str, str]:
    """The string literals starting on ``lines`` (the edit's), at least :data:`_MIN_NAME`
    long, by their :func:`_key`: the settings an edit changed the value of (answer's
    ``{ID: 44, Key: "rank.answer.accept", Value: `-1`}``)."""
    out: dict[str, str] = {}
    line, at = 1, 0
    for t in gosrc.code(gosrc.tokens(text)):
        line += text.count("\n", at, t.at)
        at = t.at
        if t.kind in ("raw", "str") and line in lines:
            value = gosrc.literal_value(t)
            # a name (a setting's key, a column), not a message: no spaces, no verbs
            if len(_key(value)) >= _MIN_NAME and _NAME.match(value):
                out.setdefault(_key(value), value)
    return out


def names_any(text: str, names: dict[str, str]) -> str | None:
    """The first of ``names`` (by key) that ``text``'s code names, in any case or spelling
    (``RequireEmailVerification``, ``require_email_verification``, inside a longer name).
    Comments do not count: a step that only mentions the name in a comment does nothing
    about it."""
    flat = _key(" ".join(t.text for t in gosrc.code(gosrc.tokens(text))))
    return next((names[k] for k in sorted(names) if k in flat), None)


#: names shorter than this are too common to tie two steps together (``err``, ``ctx``)
_MIN_NAME = 8
_MAX_NAME = 60
_NAME = re.compile(rf"^[\w.:/-]{{1,{_MAX_NAME}}}$")


def _key(name: str) -> str:
    return name.lower().replace("_", "")


def _renamable(tok: tuple[str, str], types: set[str]) -> bool:
    kind, text = tok
    return (
        kind == "ident"
        and (text[0].islower() or text[0] == "_")
        and text not in _KEYWORDS
        and text not in _PREDECLARED
        and text not in types
    )


def _declared_types(code: Code) -> set[str]:
    return {code[i + 1][1] for i, t in enumerate(code[:-1]) if t == ("ident", "type")}


def _normalised(text: str) -> Code:
    """The code tokens, imports by the name code uses, log calls, ``if err != nil {
    return ... }`` checks and local types nothing uses left out, the strings of error
    messages blanked, ``interface{}`` written ``any``."""
    toks = gosrc.code(gosrc.tokens(text))
    unused = _unused_types(toks)
    whole, bodies = _error_checks(toks)
    out: Code = []
    i, blank_until = 0, -1
    while i < len(toks):
        t = toks[i]
        call = _call_at(toks, i)
        skip_to = whole.get(i, unused.get(i))
        if call is not None and _logs(call):
            skip_to = gosrc.closing(toks, i + 3) or i + 3
        if skip_to is not None:
            i = skip_to + 1
            continue
        if i in bodies:
            out += [("op", "{"), ("ident", "return"), ("op", "}")]
            i = bodies[i] + 1
            continue
        if call is not None and call in _MESSAGES:
            blank_until = max(blank_until, gosrc.closing(toks, i + 3) or i)
        if t.kind in ("raw", "str"):
            value = "<message>" if i <= blank_until else gosrc.literal_value(t)
            out.append(("str", _import_name(toks, i, value)))
        elif t.text == "interface" and [x.text for x in toks[i + 1 : i + 3]] == ["{", "}"]:
            out.append(("ident", "any"))  # the same type since Go 1.18 (linters' fix)
            i += 3
            continue
        else:
            out.append((t.kind, t.text))
        i += 1
    return out


def _error_checks(toks: list[Token]) -> tuple[dict[int, int], dict[int, int]]:
    """The ``if ... err != nil { return ...err... }`` checks: what a failing step reports, no
    effect on a database that ran it. ``(whole, bodies)``: the plain ``if err != nil``
    ones, left out whole (an added check); and the bodies of those whose ``if`` also
    makes a call (``if _, err := x.Insert(...); err != nil``), the call kept."""
    whole: dict[int, int] = {}
    bodies: dict[int, int] = {}
    for i, t in enumerate(toks):
        if t.text != "if" or t.kind != "ident":
            continue
        k, depth = i + 1, 0
        while k < len(toks) and not (toks[k].text == "{" and depth == 0):
            depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(toks[k].text, 0)
            k += 1
        end = gosrc.closing(toks, k) if k < len(toks) else None
        if end is None or [x.text for x in toks[k - 3 : k + 2]] != [
            "err", "!=", "nil", "{", "return"
        ]:  # fmt: skip
            continue
        body = {x.text for x in toks[k + 1 : end]}
        if "err" not in body or body & {"=", ":=", "if", "for", "switch", "go", ";"}:
            continue  # ``return nil`` would end the step early and record it done
        if k == i + 4:
            whole[i] = end
        else:
            bodies[k] = end
    return whole, bodies


def _unused_types(toks: list[Token]) -> dict[int, int]:
    """Type declarations ``type T struct {...}`` whose name nothing else in the file
    uses (a leftover model a linter removed): start index -> last index."""
    counts: dict[str, int] = {}
    for k, t in enumerate(toks):
        if t.kind == "ident" and not (k and toks[k - 1].text == "."):  # not entity.T
            counts[t.text] = counts.get(t.text, 0) + 1
    out = {}
    for i in range(len(toks) - 3):
        if toks[i].text != "type" or toks[i + 2].text != "struct" or toks[i + 3].text != "{":
            continue
        end = gosrc.closing(toks, i + 3)
        if end is not None and counts.get(toks[i + 1].text) == 1:
            out[i] = end
    return out


def _call_at(toks: list[Token], i: int) -> tuple[str, str] | None:
    """``(receiver, name)`` when ``toks[i]`` starts a call ``receiver.Name(``."""
    if i + 3 >= len(toks) or toks[i].kind != "ident" or (i and toks[i - 1].text == "."):
        return None
    if toks[i + 1].text != "." or toks[i + 2].kind != "ident" or toks[i + 3].text != "(":
        return None
    return toks[i].text, toks[i + 2].text


def _logs(call: tuple[str, str]) -> bool:
    receiver, name = call
    return receiver in _LOGGERS or (receiver == "fmt" and name.startswith("Print"))


def _import_name(toks: list[Token], i: int, value: str) -> str:
    """An import path by its last element (a module moved to a new path); any other
    string as it is."""
    k = i - 1
    if k >= 0 and toks[k].kind == "ident" and toks[k].text != "import":
        k -= 1  # an alias: ``xjson "encoding/json"``
    single = k >= 0 and toks[k].text == "import"
    return value.rsplit("/", 1)[-1] if single or _in_import_block(toks, i) else value


def _in_import_block(toks: list[Token], i: int) -> bool:
    """``toks[i]`` lies inside ``import ( ... )``."""
    k = i - 1
    while k >= 0 and toks[k].text not in ("(", ")", "{", "}"):
        k -= 1
    return k >= 1 and toks[k].text == "(" and toks[k - 1].text == "import"
