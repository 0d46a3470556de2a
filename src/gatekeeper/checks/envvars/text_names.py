"""Variable names in Go and JavaScript/TypeScript that are not literals at the read.

``const e = "NAME"; os.Getenv(e)``, ``os.Getenv(config.EnvPort)`` (a constant of another
package of the repository), ``process.env[KEY]`` with ``const KEY = "NAME"``, names joined
with ``+`` or a template literal, and *wrappers*: a function whose parameter reaches a read
(``func getEnv(key, fallback string) string { v, ok := os.LookupEnv(key) ...}``,
``const env = (name) => process.env[name]``), whose call sites then read the literal they
pass. The scan is textual, like the rest of these languages' scanners: strings and
comments are skipped when matching braces and splitting arguments.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import EnvRead, family, line_of

#: how many rounds of "a wrapper calling a wrapper" are followed in one file
MAX_ROUNDS = 3
#: a call's arguments longer than this are not read (no variable name is that long)
MAX_ARGS = 1000
#: function bodies walked to find wrappers, in all, as a multiple of the file's length
WRAPPER_BUDGET = 4
#: how many enclosing functions are looked through to find a read's own
MAX_NESTING = 64
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_QUALIFIED = re.compile(r"([A-Za-z_]\w*)\.([A-Za-z_]\w*)")
_OPEN = {"(": ")", "[": "]", "{": "}"}
#: a constant lookup: a plain or ``pkg.Name`` identifier -> its value, if known
Constants = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Param:
    """A wrapper's parameter as it reaches the read: ``prefix + arg + suffix``."""

    index: int
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Language:
    """What reads look like in one language."""

    reads: tuple[tuple[re.Pattern[str], str], ...]  # opening of a read -> how; arg follows
    dotted: re.Pattern[str] | None  # ``process.env.NAME``: a literal name after a dot
    functions: tuple[re.Pattern[str], ...]  # headers: group "name", group "params"
    constants: re.Pattern[str]  # group 1: name, group 2: value


GO = Language(
    reads=((re.compile(r"\b(?:os\.(?:Getenv|LookupEnv)|syscall\.Getenv)\("), "os.Getenv"),),
    dotted=None,
    functions=(
        re.compile(
            r"\bfunc[ \t]+(?:\([^)\n]{0,200}\)[ \t]*)?(?P<name>\w+)[ \t]*"
            r"(?:\[[^\]\n]{0,200}\][ \t]*)?\((?P<params>[^)]{0,400})\)"
        ),
    ),
    constants=re.compile(
        r"(?m)^[ \t]*(?:const[ \t]+|var[ \t]+)?([A-Za-z_]\w*)(?:[ \t]+string)?[ \t]*:?=[ \t]*"
        r"\"((?:[^\"\\\n]|\\.)*)\"[ \t]*(?://.*)?$"
    ),
)
JS = Language(
    reads=(
        (re.compile(r"\bprocess\.env\["), "process.env[...]"),
        (re.compile(r"\bimport\.meta\.env\["), "import.meta.env[...]"),
        (re.compile(r"\bDeno\.env\.get\("), "Deno.env.get"),
        (re.compile(r"\bBun\.env\["), "Bun.env[...]"),
    ),
    # optional chaining (``process?.env?.PORT``) reads the same; Bun's ``Bun.env`` is its
    # ``process.env``
    dotted=re.compile(r"\b(?:process\??\.env|import\.meta\.env|Bun\.env)\??\.([A-Za-z_]\w*)"),
    functions=(
        re.compile(
            r"\bfunction[ \t]*\*?[ \t]*(?P<name>[\w$]+)[ \t]*(?:<[^>\n]{0,200}>)?[ \t]*"
            r"\((?P<params>[^)]{0,400})\)"
        ),
        re.compile(
            r"\b(?:const|let|var)[ \t]+(?P<name>[\w$]+)[ \t]*(?::[^=\n]{0,200})?=[ \t]*"
            r"(?:async[ \t]*)?(?:\((?P<params>[^)]{0,400})\)|(?P<single>[\w$]+))[ \t]*"
            r"(?::[^=\n]{0,200})?=>"
        ),
    ),
    constants=re.compile(
        r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::\s*[\w.]+\s*)?=\s*"
        r"(?:\"([^\"\\\n]*)\"|'([^'\\\n]*)'|`([^`\\$\n]*)`)"
    ),
)


def file_constants(text: str, language: Language) -> dict[str, str]:
    """String constants a file defines (a name given two different values is left out)."""
    found: dict[str, str] = {}
    dropped: set[str] = set()
    for m in language.constants.finditer(text):
        name = m.group(1)
        value = next((g for g in m.groups()[1:] if g is not None), "")
        if name in found and found[name] != value:
            dropped.add(name)
        found.setdefault(name, value)
    return {k: v for k, v in found.items() if k not in dropped}


@dataclass(frozen=True, slots=True)
class _Function:
    name: str
    start: int
    end: int
    params: dict[str, int]

    def params_at(self, offset: int) -> dict[str, int]:
        return self.params


Wrappers = dict[str, tuple[tuple[Param, str], ...]]


def reads(
    text: str, language: Language, constants: Constants, outer: Wrappers | None = None
) -> list[EnvRead]:
    """Every read in ``text``: direct ones, and the call sites of the file's wrappers and
    of the ``outer`` ones (wrappers defined elsewhere, by the name the file calls them:
    ``conf.GetConfigString``).

    A read named by a parameter of the function it sits in is not reported (the calls of
    that function are); the file's own constants are looked up before ``constants``.
    Looking for wrappers walks function bodies, at most ``WRAPPER_BUDGET`` times the
    file's length in all (nested bodies are walked once per level)."""
    outer = outer or {}
    lookup, functions, wrappers = _analysed(text, language, constants, outer)
    span, innermost = (0, len(text)), _Innermost(functions)
    everything = _direct(text, span, language, lookup, innermost, wrappers, frozenset(outer))
    return [r for r in everything if isinstance(r, EnvRead)]


def wrappers_of(
    text: str, language: Language, constants: Constants, outer: Wrappers | None = None
) -> Wrappers:
    """The functions ``text`` defines whose parameter reaches a read, directly, through
    another of its functions or through an ``outer`` wrapper (see :func:`reads`)."""
    outer = outer or {}
    wrappers = _analysed(text, language, constants, outer)[2]
    return {k: v for k, v in wrappers.items() if k not in outer}


def _analysed(
    text: str, language: Language, constants: Constants, outer: Wrappers
) -> tuple[Constants, list[_Function], Wrappers]:
    own = file_constants(text, language)

    def lookup(name: str) -> str | None:
        return own[name] if name in own else constants(name)

    functions = _functions(text, language)
    wrappers: Wrappers = dict(outer)
    for _ in range(MAX_ROUNDS):
        found = {**outer, **_find_wrappers(text, (language, lookup), functions, wrappers, outer)}
        if found == wrappers:
            break
        wrappers = found
    return lookup, functions, wrappers


def _find_wrappers(
    text: str,
    how: tuple[Language, Constants],
    functions: list[_Function],
    known: Wrappers,
    outer: Wrappers,
) -> Wrappers:
    language, lookup = how
    plain = frozenset(outer)
    found: Wrappers = {}
    budget = WRAPPER_BUDGET * max(len(text), 1)
    for f in functions:
        budget -= f.end - f.start
        if budget < 0:
            break  # a pathological nest of bodies: what was found so far stands
        hits = {
            (r.param, r.how)
            for r in _direct(text, (f.start, f.end), language, lookup, f.params_at, known, plain)
            if isinstance(r, _Carried)
        }
        if hits:
            found[f.name] = tuple(sorted(hits, key=str))
    return found


class _Innermost:
    """``params_at(offset)``: the parameters of the innermost function around an offset."""

    def __init__(self, functions: list[_Function]) -> None:
        self._functions = sorted(functions, key=lambda f: (f.start, -f.end))
        self._starts = [f.start for f in self._functions]

    def __call__(self, offset: int) -> dict[str, int]:
        i = bisect.bisect_right(self._starts, offset) - 1
        # functions start in order; look back a bounded way for one that still contains it
        for f in self._functions[max(0, i - MAX_NESTING) : i + 1][::-1]:
            if f.start <= offset < f.end:
                return f.params
        return {}


def _functions(text: str, language: Language) -> list[_Function]:
    out = []
    braces = bracket_pairs(text)
    for pattern in language.functions:
        for m in pattern.finditer(text):
            single = m.groupdict().get("single")
            names = [single] if single else _param_names(m.group("params") or "")
            arrow = text.endswith("=>", 0, m.end())
            start, end = _body(text, m.end(), arrow, braces)
            params = {n: i for i, n in enumerate(names) if n}
            out.append(_Function(m.group("name"), start, end, params))
    return out


@dataclass(frozen=True, slots=True)
class _Carried:
    param: Param
    how: str


def _direct(
    text: str,
    span: tuple[int, int],
    language: Language,
    constants: Constants,
    params_at: Callable[[int], dict[str, int]],
    wrappers: Wrappers,
    plain: frozenset[str] = frozenset(),
) -> Iterator[EnvRead | _Carried]:
    """Reads within ``span``; those named by a parameter of their function are carried.
    A wrapper of ``plain`` (one defined elsewhere, a package-level function) is never
    called after a dot: ``q.Get("x")`` is a method, whatever functions are named ``Get``."""
    start, end = span
    for pattern, how in language.reads:
        for m in pattern.finditer(text, start, end):
            args = split_args(text, m.end())
            arg = args[0] if args else None
            yield from _named(arg, text, m.start(), how, constants, params_at(m.start()))
    if language.dotted is not None:
        for m in language.dotted.finditer(text, start, end):
            yield EnvRead(m.group(1), _line(text, m.start()), "process.env")
    for name, carried in wrappers.items():
        before = r"(?<![\w$.])" if name in plain else r"(?<![\w$])"
        for m in re.finditer(rf"{before}{re.escape(name)}\s*\(", text[start:end]):
            at = start + m.start()
            if not _is_definition(text, at):
                args = split_args(text, start + m.end()) or []
                yield from _through(name, carried, args, (text, at), constants, params_at(at))


def _through(
    name: str,
    carried: tuple[tuple[Param, str], ...],
    args: list[str],
    where: tuple[str, int],
    constants: Constants,
    params: dict[str, int],
) -> Iterator[EnvRead | _Carried]:
    """The reads one call of a wrapper makes."""
    text, at = where
    for param, inner in carried:
        if param.index >= len(args):
            continue
        for r in _named(args[param.index], text, at, f"{name}() → {inner}", constants, params):
            if isinstance(r, EnvRead) and r.name:
                yield EnvRead(param.prefix + r.name + param.suffix, r.line, r.how)
            elif isinstance(r, EnvRead) and (named := family(param.prefix, param.suffix)):
                # a computed argument between the wrapper's affixes: a family of names
                yield EnvRead(named, r.line, r.how)
            elif isinstance(r, _Carried):
                p = r.param
                outer = Param(p.index, param.prefix + p.prefix, p.suffix + param.suffix)
                yield _Carried(outer, r.how)
            else:
                yield r


def _named(
    arg: str | None, text: str, at: int, how: str, constants: Constants, params: dict[str, int]
) -> Iterator[EnvRead | _Carried]:
    value = evaluate(arg, constants, params) if arg is not None else None
    line = _line(text, at)
    if isinstance(value, Param):
        yield _Carried(value, how)
    elif isinstance(value, str):
        yield EnvRead(value, line, how)
    else:
        yield EnvRead("", line, how)


def evaluate(expr: str, constants: Constants, params: dict[str, int]) -> str | Param | None:
    """A literal name, a parameter with affixes, or None for an expression we cannot know."""
    parts = _split_top(expr.strip(), "+")
    if len(parts) == 1 and parts[0].startswith("`"):
        parts = _template_parts(parts[0])
    values = [_atom(p.strip(), constants, params) for p in parts]
    if not values:
        return None
    unknown = [i for i, v in enumerate(values) if v is None]
    if unknown:
        # one part computed between literal ones: a family of names (``A_${x}_B``)
        if len(unknown) > 1 or any(isinstance(v, Param) for v in values):
            return None
        at = unknown[0]
        return family("".join(map(str, values[:at])), "".join(map(str, values[at + 1 :])))
    found = [i for i, v in enumerate(values) if isinstance(v, Param)]
    if len(found) > 1:
        return None
    text = ["" if isinstance(v, Param) else str(v) for v in values]
    if not found:
        return "".join(text)
    at = found[0]
    param = values[at]
    assert isinstance(param, Param)
    return Param(
        param.index, "".join(text[:at]) + param.prefix, param.suffix + "".join(text[at + 1 :])
    )


def _atom(part: str, constants: Constants, params: dict[str, int]) -> str | Param | None:
    if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'`" and "${" not in part:
        return part[1:-1]
    if part in params:
        return Param(params[part])
    if _IDENT.fullmatch(part) or _QUALIFIED.fullmatch(part):
        return constants(part)
    return None


def _template_parts(literal: str) -> list[str]:
    """`` `A_${x}_B` `` as ``['"A_"', 'x', '"_B"']``."""
    body, out, pos = literal[1:-1], [], 0
    for m in re.finditer(r"\$\{([^}]*)\}", body):
        out += [repr(body[pos : m.start()]), m.group(1)]
        pos = m.end()
    return [*out, repr(body[pos:])]


def split_args(text: str, start: int) -> list[str] | None:
    """The top-level arguments of a call whose ``(`` (or ``[``) ends just before ``start``;
    None when it does not close, or only after ``MAX_ARGS`` characters (no variable name
    is that long). The closing bracket comes from one index of the whole text, so many
    unclosed calls cost no more than one pass."""
    end = bracket_pairs(text).get(start - 1)
    if end is None or end - start > MAX_ARGS:
        return None
    return [a.strip() for a in _split_top(text[start:end], ",") if a.strip()]


def _split_top(expr: str, sep: str) -> list[str]:
    depth, last, out, pos = 0, 0, [], 0
    while pos < len(expr):
        ch = expr[pos]
        if ch in "\"'`":
            pos = _skip_string(expr, pos)
            continue
        depth += ch in _OPEN
        depth -= ch in ")]}"
        if ch == sep and depth == 0:
            out.append(expr[last:pos])
            last = pos + 1
        pos += 1
    return [*out, expr[last:]]


def _skip_string(text: str, pos: int) -> int:
    quote, pos = text[pos], pos + 1
    while pos < len(text) and text[pos] != quote:
        if text[pos] == "\\" and quote != "`":
            pos += 1
        elif text[pos] == "\n" and quote != "`":
            break
        pos += 1
    return pos + 1


def _body(text: str, pos: int, arrow: bool, braces: dict[int, int]) -> tuple[int, int]:
    """The span of a function body after its header: ``{...}`` (its closing brace from
    ``braces``), or an arrow's expression up to the end of its line."""
    start = pos
    while start < len(text) and start < pos + 200 and text[start] in " \t\r\n":
        start += 1
    if arrow and not text.startswith("{", start):
        end = text.find("\n", start)
        return start, end if end != -1 else len(text)
    brace = text.find("{", pos, pos + 400)
    if brace == -1:
        return pos, pos
    return brace, braces.get(brace, len(text))


@functools.lru_cache(maxsize=2)
def bracket_pairs(text: str) -> dict[int, int]:
    """Every opening ``(``, ``[`` or ``{`` -> its closing one, in one pass that skips
    strings and ``//`` comments (the last texts asked about are kept)."""
    pairs: dict[int, int] = {}
    stacks: dict[str, list[int]] = {"(": [], "[": [], "{": []}
    closing = {")": "(", "]": "[", "}": "{"}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "\"'`":
            i = _skip_string(text, i)
            continue
        if ch == "/" and text.startswith("//", i):
            newline = text.find("\n", i)
            i = newline if newline != -1 else len(text)
            continue
        if ch in stacks:
            stacks[ch].append(i)
        elif ch in closing and stacks[closing[ch]]:
            pairs[stacks[closing[ch]].pop()] = i
        i += 1
    return pairs


def _is_definition(text: str, at: int) -> bool:
    before = text[max(0, at - 40) : at]
    return re.search(r"(?:\bfunc\s+(?:\([^)]*\)\s*)?|\bfunction\s*\*?\s*)$", before) is not None


def _param_names(params: str) -> list[str]:
    names = []
    for piece in _split_top(params, ","):
        m = re.match(r"\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)", piece)
        names.append(m.group(1) if m else "")
    return names


def _line(text: str, offset: int) -> int:
    return line_of(text, offset)


def same_definitions(
    touched: Iterable[str],
    wanted: Callable[[str], bool],
    theirs: Callable[[str], Mapping[str, object]],
    read: Callable[[str], str | None],
    ours: Callable[[str, str], Mapping[str, object]],
) -> bool:
    """Whether every touched file ``wanted`` defines the same helpers on this side
    (``ours(path, text)``) as on the other (``theirs(path)``): then the other side's
    index of helpers serves this side too, and the repository is searched once. A file
    this side lacks must have defined none there."""
    for path in sorted(touched):
        if not wanted(path):
            continue
        text = read(path)
        if text is None:
            if theirs(path):
                return False
            continue
        if ours(path, text) != theirs(path):
            return False
    return True
