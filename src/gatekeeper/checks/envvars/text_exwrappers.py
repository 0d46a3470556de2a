"""Elixir functions of the repository that hand their parameter to ``System.get_env``.

An Elixir project often reads its settings through a small module of its own: realtime's
``config/runtime.exs`` defines ``defmodule Env do def get_integer(env, default) do value =
System.get_env(env) ...`` and then reads ``Env.get_integer("DB_QUEUE_TARGET", 5000)``.
Each such call is a read of the variable its literal names, though the line never names
the environment. The helper may live in the same file, in another module of the
repository (``Realtime.Env.get_boolean("X")``, or ``Env.get_boolean`` after ``alias
Realtime.Env``), or call another helper with its parameter (a few levels are followed).

Only ``System.get_env``, ``System.fetch_env`` and ``System.fetch_env!`` are reads: a helper
over ``Application.get_env(:app, key)`` reads the application's configuration, which is
no environment variable.

The index is built once per side of the change, bottom-up: the Elixir files naming a read
(one search), then, for a few rounds, the files naming a helper found so far. Tests,
dependencies and build output are left out (their helpers are no deployment's reads).
The base side reuses the head's index when the files the change touches define the same
helpers on both sides, as the Go index does (text_gowrappers). The scan is textual and
leans on formatted code (``mix format``): a function's body ends at the first line
indented no deeper than its ``def``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_langs import ELIXIR, code_of
from gatekeeper.checks.envvars.text_names import MAX_ARGS, Param, same_definitions

#: what a direct read's file contains
READ_WORDS = ("System.get_env", "System.fetch_env")
#: rounds of "a function calling a helper found in the round before", across files
MAX_ROUNDS = 3
#: files analysed per round, at most (the shallowest first)
MAX_FILES = 200
#: a repository's own Elixir sources, as git pathspecs: tests, dependencies and builds out
SOURCES = (
    "*.ex",
    "*.exs",
    ":(exclude)deps/*",
    ":(exclude)*/deps/*",
    ":(exclude)_build/*",
    ":(exclude)*/_build/*",
    ":(exclude)test/*",
    ":(exclude)*/test/*",
)
_SKIPPED = re.compile(r"(?:^|/)(?:deps|_build|test)/|_test\.exs$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: what a name read through a helper starts with (see _literal)
_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_VAR = r"[a-z_]\w*"
_READ = re.compile(r"\bSystem\.(?:get_env|fetch_env!?)(?:[ \t]*(?P<paren>\()|[ \t]+)")
_MODULE = re.compile(r"(?m)^(?P<indent>[ \t]*)defmodule[ \t]+(?P<name>[A-Z][\w.]*)[ \t]+do\b")
_FUNCTION = re.compile(
    r"(?m)^(?P<indent>[ \t]*)defp?[ \t]+(?P<name>[a-z_]\w*[?!]?)[ \t]*(?P<paren>\()?"
)
_ALIAS = re.compile(
    r"(?m)^[ \t]*alias[ \t]+(?P<path>[A-Z][\w.]*?)"
    r"(?:\.\{(?P<group>[^}\n]{0,400})\}|[ \t]*,[ \t]*as:[ \t]*(?P<as>[A-Z]\w*))?[ \t]*$"
)
_IMPORT = re.compile(r"(?m)^[ \t]*import[ \t]+(?P<path>[A-Z][\w.]*)\b")
#: a variable, with literals joined before or after it: ``"APP_" <> key``
_JOINED = re.compile(
    rf"""(?:"(?P<pre>[\w.-]*)"[ \t]*<>[ \t]*)?(?P<var>{_VAR})"""
    r"""(?:[ \t]*<>[ \t]*"(?P<suf>[\w.-]*)")?"""
)
#: a literal piped into a call: ``"X" |> Env.get_integer(5)``
_PIPED = re.compile(r"""(?P<q>["'])(?P<lit>[A-Z_][A-Za-z0-9_]*)(?P=q)[ \t]*\|>[ \t]*$""")
#: a file that may call a helper with a name: a literal starting with a capital or an
#: underscore given to a call or piped into one (only such a file asks for the index)
MAY_CALL = re.compile(r"""[\w?!]\([ \t]*["'][A-Z_]|["'][A-Z_]\w*["'][ \t]*\|>""")

#: a helper's parameter as it reaches a read, and how (``get_integer() → System.get_env``)
Carried = tuple[tuple[Param, str], ...]
#: helpers by module (its full name), then by function name
Index = dict[str, dict[str, Carried]]
#: ``(words, pathspecs) -> paths`` of the side's files holding one of the words, or None
Search = Callable[[list[str], list[str]], "list[str] | None"]


@dataclass(frozen=True, slots=True)
class _Function:
    module: str
    name: str
    #: where the parameter list starts, after its ``(`` (-1: a function without one)
    header: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _File:
    """What one file defines, worked out once."""

    code: str
    modules: tuple[tuple[str, int, int], ...]
    functions: tuple[_Function, ...]


class ExWrappers:
    """The helpers of one side's Elixir modules (see the module docstring)."""

    def __init__(
        self,
        read: Callable[[str], str | None],
        search: Search,
        listing: Callable[[], list[str]],
        *,
        other_side: tuple[ExWrappers, frozenset[str]] | None = None,
    ) -> None:
        self._read, self._search, self._listing = read, search, listing
        self._other_side = other_side
        self._index: Index | None = None
        #: the helpers each analysed file defines
        self._defined: dict[str, Index] = {}

    def reads(self, path: str, text: str) -> list[EnvRead]:
        """The reads a file makes by calling a helper with a literal name: the helpers of
        the repository's modules it can name, and its own."""
        index = self.index()
        parsed = _parse(text)
        own = _defined(parsed, _callable(parsed, text, index))
        names = _callable(parsed, text, _merge(index, own))
        out: list[EnvRead] = []
        for name, carried in names.items():
            wanted = max(inner.index for inner, _ in carried) + 1
            for at, args in _calls(parsed.code, name, wanted=wanted):
                for param, how in carried:
                    if param.index >= len(args):
                        continue
                    literal = _literal(args[param.index])
                    if literal is not None:
                        full = param.prefix + literal + param.suffix
                        out.append(EnvRead(full, line_of(text, at), f"{name}() → {how}"))
        return out

    def index(self) -> Index:
        if self._index is None:
            reused = self._reused()
            self._index = reused if reused is not None else self._build()
        return self._index

    def _reused(self) -> Index | None:
        """The other side's index when every touched Elixir file defines the same helpers
        on this side as there, else None."""
        if self._other_side is None:
            return None
        other, touched = self._other_side
        index = other.index()

        def theirs(path: str) -> Index:
            return other._defined.get(path, {})

        def ours(path: str, text: str) -> Index:
            parsed = _parse(text)
            return _defined(parsed, _callable(parsed, text, _without(index, theirs(path))))

        def wanted(path: str) -> bool:
            return path.endswith((".ex", ".exs")) and not _SKIPPED.search(path)

        return index if same_definitions(touched, wanted, theirs, self._read, ours) else None

    def _build(self) -> Index:
        index: Index = {}
        paths = self._candidates(list(READ_WORDS))
        for _ in range(MAX_ROUNDS):
            fresh: set[str] = set()
            for path in paths:
                text = self._read(path)
                if text is None:
                    continue
                parsed = _parse(text)
                found = _defined(parsed, _callable(parsed, text, index))
                if not found:
                    continue
                self._defined[path] = found
                for module, functions in found.items():
                    known = index.setdefault(module, {})
                    for name, carried in functions.items():
                        if known.get(name) != carried:
                            known[name] = carried
                            fresh.add(name)
            if not fresh:
                break
            paths = self._candidates(sorted(fresh))
        return index

    def _candidates(self, words: list[str]) -> list[str]:
        found = self._search(words, list(SOURCES))
        if found is None:
            every = [p for p in self._listing() if p.endswith((".ex", ".exs"))]
            found = [p for p in every if any(w in (self._read(p) or "") for w in words)]
        kept = [p for p in found if not _SKIPPED.search(p)]
        return sorted(kept, key=lambda p: (p.count("/"), p))[:MAX_FILES]


def _merge(index: Index, more: Index) -> Index:
    out = {k: dict(v) for k, v in index.items()}
    for module, functions in more.items():
        out.setdefault(module, {}).update(functions)
    return out


def _without(index: Index, theirs: Index) -> Index:
    return {
        m: {n: c for n, c in fs.items() if n not in theirs.get(m, {})} for m, fs in index.items()
    }


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> _File:
    """A file's modules and functions (the last texts asked about are kept: a file is
    read for the index, then scanned, on each side)."""
    code = code_of(text, ELIXIR.lexer)
    modules: list[tuple[str, int, int]] = []
    for m in _MODULE.finditer(code):
        start, end = m.start(), _block_end(code, m.end(), len(m.group("indent")))
        parent = next((n for n, s, e in reversed(modules) if s < start < e), None)
        name = m.group("name")
        modules.append((f"{parent}.{name}" if parent else name, start, end))
    functions: list[_Function] = []
    for m in _FUNCTION.finditer(code):
        module = next((n for n, s, e in reversed(modules) if s < m.start() < e), "")
        header = m.end() if m.group("paren") else -1
        end = _block_end(code, m.end(), len(m.group("indent")))
        functions.append(_Function(module, m.group("name"), header, m.start(), end))
    return _File(code, tuple(modules), tuple(functions))


def _params(code: str, f: _Function) -> dict[str, int]:
    """A function's parameters that are plain variables, by name -> position."""
    args = _leading_args(code, f.header, 64) if f.header >= 0 else None
    return {p: i for i, a in enumerate(args or []) if (p := _param(a))}


def _leading_args(code: str, pos: int, count: int) -> list[str] | None:
    """The first ``count`` top-level arguments of a call whose ``(`` ends just before
    ``pos`` (fewer when it has fewer); None when they do not end within ``MAX_ARGS``
    characters. The scan stops where it has them: a long call costs no more than its
    first arguments."""
    out: list[str] = []
    depth, start, i, stop = 0, pos, pos, min(len(code), pos + MAX_ARGS)
    while i < stop:
        ch = code[i]
        if ch in "\"'":
            i = _string_end(code, i, stop)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                last = code[start:i].strip()
                return [*out, last] if last or out else out
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(code[start:i].strip())
            if len(out) >= count:
                return out
            start = i + 1
        i += 1
    return None


def _string_end(code: str, at: int, stop: int) -> int:
    """Just after the literal opening at ``at`` (a heredoc's three quotes included)."""
    quote = code[at]
    if code.startswith(quote * 3, at):
        end = code.find(quote * 3, at + 3, stop)
        return stop if end == -1 else end + 3
    i = at + 1
    while i < stop and code[i] != quote:
        i += 2 if code[i] == "\\" else 1
    return i + 1


def _param(arg: str) -> str | None:
    """A parameter's variable: ``key``, ``key \\\\ nil``, ``key when ...`` is not one."""
    m = re.fullmatch(rf"({_VAR})(?:[ \t]*\\\\.*)?", arg.strip(), re.S)
    return m.group(1) if m else None


def _block_end(code: str, pos: int, indent: int) -> int:
    """Where a ``def`` or ``defmodule`` whose keyword is indented ``indent`` ends: at the
    first later non-blank line indented no deeper (its ``end``, or the next definition of
    a one-line ``do:``), that line's ``end`` included."""
    line_end = code.find("\n", pos)
    while line_end != -1:
        nxt = code.find("\n", line_end + 1)
        line = code[line_end + 1 : nxt if nxt != -1 else len(code)]
        stripped = line.lstrip(" \t")
        if stripped and len(line) - len(stripped) <= indent:
            return line_end + 1 + len(line) if re.match(r"end\b", stripped) else line_end
        line_end = nxt
    return len(code)


def _callable(parsed: _File, text: str, index: Index) -> dict[str, Carried]:
    """The helpers of ``index`` a file can call, by the name it calls them: the full
    module name, an alias's last part (or its ``as:``), the last part of a module the file
    defines, and plain names for its own modules' and imported modules' functions."""
    by_name: dict[str, Carried] = {}
    if not index:
        return by_name
    short: dict[str, str] = {}
    for m in _ALIAS.finditer(parsed.code):
        if m.group("group"):
            for piece in m.group("group").split(","):
                part = piece.strip()
                if re.fullmatch(r"[A-Z][\w.]*", part):
                    short[part.rsplit(".", 1)[-1]] = f"{m.group('path')}.{part}"
        else:
            short[m.group("as") or m.group("path").rsplit(".", 1)[-1]] = m.group("path")
    plain = {name for name, _, _ in parsed.modules}
    plain |= {m.group("path") for m in _IMPORT.finditer(parsed.code)}
    for name, _, _ in parsed.modules:
        short.setdefault(name.rsplit(".", 1)[-1], name)
    for module, functions in index.items():
        for fun, carried in functions.items():
            by_name[f"{module}.{fun}"] = carried
            if module in plain:
                by_name[fun] = carried
    for alias, module in short.items():
        for fun, carried in index.get(module, {}).items():
            by_name.setdefault(f"{alias}.{fun}", carried)
    return by_name


def _defined(parsed: _File, outer: dict[str, Carried]) -> Index:
    """The functions of a file whose parameter reaches a read, directly, through another
    of its functions or through one of ``outer`` (a few rounds)."""
    found: Index = {}
    for _ in range(MAX_ROUNDS):
        names = dict(outer)
        for module, functions in found.items():
            for fun, carried in functions.items():
                names[f"{module}.{fun}"] = carried
                names.setdefault(fun, carried)
                names.setdefault(f"{module.rsplit('.', 1)[-1]}.{fun}", carried)
        fresh: Index = {}
        for f in parsed.functions:
            if f.header < 0 or not f.module or not _may_carry(parsed.code, f, names):
                continue
            hits = set(_carried(parsed.code, f, names))
            if hits:
                mine = fresh.setdefault(f.module, {})
                merged = set(mine.get(f.name, ())) | hits
                mine[f.name] = tuple(sorted(merged, key=str))
        if fresh == found:
            break
        found = fresh
    return found


def _may_carry(code: str, f: _Function, names: dict[str, Carried]) -> bool:
    """Whether a function's body names a read or a helper (its parameters are worth
    reading)."""
    body = code[f.start : f.end]
    return "System." in body or any(n in body for n in names)


def _carried(code: str, f: _Function, names: dict[str, Carried]) -> Iterator[tuple[Param, str]]:
    params = _params(code, f)
    if not params:
        return
    for m in _READ.finditer(code, f.start, f.end):
        if m.group("paren"):
            args = _leading_args(code, m.end(), 1) or []
            arg = args[0] if args else None
        else:
            bare = re.match(rf"({_VAR})\b", code[m.end() : m.end() + 100])
            arg = bare.group(1) if bare else None
        param = _as_param(arg, params) if arg is not None else None
        if param is not None:
            yield param, "System.get_env"
    for name, carried in names.items():
        wanted = max(inner.index for inner, _ in carried) + 1
        for _, args in _calls(code, name, f.start, f.end, wanted):
            for inner, how in carried:
                if inner.index >= len(args):
                    continue
                param = _as_param(args[inner.index], params)
                if param is not None:
                    # the helper's own affixes go around what this function passes it
                    prefix, suffix = inner.prefix + param.prefix, param.suffix + inner.suffix
                    yield Param(param.index, prefix, suffix), f"{name}() → {how}"


def _as_param(arg: str, params: dict[str, int]) -> Param | None:
    """The parameter an argument names, with the literals joined to it by ``<>``."""
    m = _JOINED.fullmatch(arg.strip())
    if m is None or m.group("var") not in params:
        return None
    return Param(params[m.group("var")], m.group("pre") or "", m.group("suf") or "")


def _calls(
    code: str, name: str, start: int = 0, end: int | None = None, wanted: int = 64
) -> Iterator[tuple[int, list[str]]]:
    """Each call of ``name`` in ``code[start:end]`` with its first ``wanted`` arguments, a
    literal piped into it first (``"X" |> Env.get_integer(5)``); definitions are no calls."""
    end = len(code) if end is None else end
    if name not in code[start:end]:
        return
    before = r"(?<![\w.:@&])" if "." in name else r"(?<![\w.:@&])(?<!def )(?<!defp )"
    for m in re.finditer(rf"{before}{re.escape(name)}[ \t]*\(", code[start:end]):
        at = start + m.start()
        piped = _PIPED.search(code, max(0, at - 200), at)
        args = _leading_args(code, start + m.end(), wanted - 1 if piped else wanted)
        if args is None:
            continue
        yield at, ([f'"{piped.group("lit")}"', *args] if piped else args)


def _literal(arg: str) -> str | None:
    """The name a literal argument gives, when it is one starting with a capital or an
    underscore: Elixir's variables are named so, and a helper handed ``"key"`` in lower
    case is as likely to look it up somewhere else too (the file is then not searched)."""
    m = re.fullmatch(r"""(["'])([^"'\\\n]*)\1""", arg.strip())
    return m.group(2) if m and _NAME.fullmatch(m.group(2)) and m.group(2)[0] in _FIRST else None
