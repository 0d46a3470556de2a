"""Variables a JavaScript/TypeScript file declares in a schema it validates the environment
with, rather than reading them one by one.

zod: ``const EnvSchema = z.object({ LANGFUSE_X: z.string(), ... })`` with
``EnvSchema.parse(process.env)`` (or ``.safeParse``, or the environment passed through a
helper first, ``parse(removeEmptyEnvVariables(process.env))``) in the same file. t3-env:
``createEnv({ server: {...}, client: {...}, runtimeEnv: process.env })`` (or with
``experimental__runtimeEnv``, where the server's variables come from ``process.env``).
envalid: ``cleanEnv(process.env, { PORT: port(), ... })``, the keys of the object its call
is given (or of the file's object constant it names). Only the UPPER_SNAKE keys of those
objects count, and only when the file hands the environment to that schema: an ordinary
zod object with capitalised keys names no variable.

convict: in a file that calls ``convict(...)``, each ``env: "NAME"`` of a schema entry (an
upper-case name: ``env: "production"`` is no variable).
"""

from __future__ import annotations

import bisect
import functools
import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_names import bracket_pairs

#: the environment as a whole (``process.env``, not ``process.env.PORT``)
_ENV = r"(?:process\.env|import\.meta\.env)\b(?!\s*[.\[])"
#: a parse of the environment; the schema is the name before it (found looking back, as
#: an identifier-first pattern would try every word of the file)
_PARSE = re.compile(
    rf"\.\s*(?:safeParse|parse)(?:Async)?\s*\(\s*(?:[\w$.]{{1,100}}\s*\(\s*)?{_ENV}"
)
_SCHEMA_BEFORE = re.compile(r"([A-Za-z_$][\w$]*)\s*$")
_DEFINITION = re.compile(
    r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]{0,100})\s*(?::[^=\n]{0,200})?=\s*"
    r"(?:z|zod)\s*\.\s*(?:strictObject|object)\s*\(\s*\{"
)
#: a schema made from another (``const Config = AllEnv.transform(...)``): parsing it
#: parses the one it is made from; ``.extend({...})`` adds keys of its own
_DERIVED = re.compile(
    r"\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]{0,100})\s*(?::[^=\n]{0,200})?=\s*"
    r"(?P<base>[A-Za-z_$][\w$]{0,100})\s*\.\s*(?P<how>transform|refine|superRefine|extend|"
    r"merge|pipe|strict|passthrough|strip|partial|required|catchall)\s*\(\s*(?P<brace>\{)?"
)
_CREATE_ENV = re.compile(r"\bcreateEnv\s*\(\s*\{")
_RUNTIME_ENV = re.compile(rf"(?:runtimeEnv\s*:\s*{_ENV}|experimental__runtimeEnv\b)")
_SECTION = re.compile(r"(?:server|client|shared)\s*:\s*\{")
_KEY = re.compile(r"""["']?([A-Z][A-Z0-9_]*)["']?\s*:""")


_CLEAN_ENV = re.compile(
    r"\bcleanEnv\s*(?:<[^>\n]{0,200}>)?\s*\(\s*[\w$.]{1,100}(?:\(\s*\))?\s*,\s*"
    r"(?:(?P<brace>\{)|(?P<name>[A-Za-z_$][\w$]{0,100})\s*[,)])"
)
_CONVICT_CALL = re.compile(r"\bconvict\s*(?:<[^>\n]{0,200}>)?\s*\(")
_CONVICT_ENV = re.compile(r"""\benv\s*:\s*["'`]([A-Z][A-Z0-9_]*)["'`]""")


def library_reads(text: str) -> list[EnvRead]:
    """The variables an envalid ``cleanEnv`` schema or a convict schema declares."""
    reads: list[EnvRead] = []
    if "cleanEnv" in text:
        for m in _CLEAN_ENV.finditer(text):
            brace = m.start("brace") if m.group("brace") else _object_constant(text, m["name"])
            if brace is not None:
                reads += _key_reads(text, brace, "envalid cleanEnv schema")
    if _CONVICT_CALL.search(text):
        reads += [
            EnvRead(m.group(1), line_of(text, m.start()), "convict schema env")
            for m in _CONVICT_ENV.finditer(text)
        ]
    return reads


def _object_constant(text: str, name: str) -> int | None:
    """Where the object literal the file binds ``name`` to opens."""
    m = re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\s*(?::[^=\n]{{0,200}})?=\s*\{{", text)
    return m.end() - 1 if m else None


def schema_reads(text: str) -> list[EnvRead]:
    """The variables declared by the zod and t3-env schemas the file parses the
    environment with, and by envalid and convict schemas (:func:`library_reads`)."""
    reads: list[EnvRead] = library_reads(text)
    if "process.env" not in text and "import.meta.env" not in text and "createEnv" not in text:
        return reads
    parsed = set()
    for m in _PARSE.finditer(text):
        schema = _SCHEMA_BEFORE.search(text, max(0, m.start() - 100), m.start())
        if schema is not None:
            parsed.add(schema.group(1))
    if _parses_env_parameter(text):
        # a helper that parses the schema it is given against the environment: the
        # file's own object schemas are what it is given (nango's parseEnvs(ENVS))
        parsed |= {m.group("name") for m in _DEFINITION.finditer(text)}
    if parsed:
        reads += _derived(text, parsed)
        for m in _DEFINITION.finditer(text):
            if m.group("name") in parsed:
                reads += _key_reads(text, m.end() - 1, "zod env schema")
    for m in _CREATE_ENV.finditer(text):
        entries = _entries(text, m.end() - 1)
        if not any(_RUNTIME_ENV.match(text, at) for at in entries):
            continue
        for at in entries:
            section = _SECTION.match(text, at)
            if section is not None:
                reads += _key_reads(text, section.end() - 1, "createEnv schema", spreads=True)
    return reads


#: spreads followed per section (each looks its object up in the whole file)
_MAX_SPREADS = 64
#: an entry spreading another object in: ``...baseEnv.server`` or ``...serverEnv``
_SPREAD = re.compile(
    r"\.\.\.\s*([A-Za-z_$][\w$]{0,100})(?:\s*\.\s*([A-Za-z_$][\w$]{0,100}))?\s*(?=[,}\n])"
)


def _spread(text: str, at: int) -> int | None:
    """Where the object an entry spreads in opens: a constant of the file, or one of its
    members (typebot's ``server: {...baseEnv.server, ...smtpEnv.server}``)."""
    m = _SPREAD.match(text, at)
    brace = _object_constant(text, m.group(1)) if m else None
    if m is None or brace is None or m.group(2) is None:
        return brace
    for entry in _entries(text, brace):
        member = re.compile(rf"{re.escape(m.group(2))}\s*:\s*\{{").match(text, entry)
        if member is not None:
            return member.end() - 1
    return None


#: a parameter whose default is the environment: ``envs: Record<...> = process.env``
_ENV_PARAMETER = re.compile(
    r"[(,]\s*([A-Za-z_$][\w$]{0,100})\s*(?::(?:[^=,()<>]|<[^<>]{0,100}>){0,200})?"
    r"=\s*process\.env\b(?!\s*[.\[])"
)


def _parses_env_parameter(text: str) -> bool:
    """Whether the file has a function that parses a parameter defaulting to the
    environment with a zod schema it is given (``schema.safeParse(envs)``)."""
    for m in _ENV_PARAMETER.finditer(text):
        name = re.escape(m.group(1))
        call = rf"\.\s*(?:safeParse|parse)(?:Async)?\s*\(\s*{name}\s*\)"
        if re.search(call, text[m.end() : m.end() + 2000]):
            return True
    return False


def _derived(text: str, parsed: set[str]) -> list[EnvRead]:
    """Add to ``parsed`` the schemas those parsed are made from (a few steps back), and
    return the keys an ``.extend({...})`` on the way adds."""
    made = [(m.group("name"), m) for m in _DERIVED.finditer(text)]
    reads: list[EnvRead] = []
    steps = 0  # Config = Base.transform(...); Base = Env.extend({...}): a few, not a chain
    grown = True
    while grown and steps < 8:
        grown = False
        for name, m in made:
            if name in parsed and m.group("base") not in parsed and steps < 8:
                parsed.add(m.group("base"))
                grown, steps = True, steps + 1
                if m.group("how") == "extend" and m.group("brace"):
                    reads += _key_reads(text, m.start("brace"), "zod env schema")
    return reads


def _key_reads(text: str, brace: int, how: str, *, spreads: bool = False) -> list[EnvRead]:
    """The UPPER_SNAKE keys of the object opened at ``brace``; with ``spreads``, also
    those of the file's objects it spreads in (one level: a spread of a spread is not
    followed)."""
    reads = []
    followed = 0
    for at in _entries(text, brace):
        key = _KEY.match(text, at)
        if key is not None:
            reads.append(EnvRead(key.group(1), line_of(text, at), how))
        elif spreads and followed < _MAX_SPREADS and (inner := _spread(text, at)) is not None:
            followed += 1
            reads += _key_reads(text, inner, how)
    return reads


def _entries(text: str, brace: int) -> list[int]:
    """Where each top-level entry of the object literal opened at ``brace`` starts (after
    blanks and comments)."""
    pairs = bracket_pairs(text)
    end = pairs.get(brace)
    if end is None:
        return []
    starts, pos = [], brace + 1
    while pos < end:
        pos = _skip_blank(text, pos, end)
        if pos < end:
            starts.append(pos)
        pos = _next_comma(text, pos, end, pairs)
    return starts


def _next_comma(text: str, pos: int, end: int, pairs: dict[int, int]) -> int:
    """Just past the next comma at this level (or ``end``), stepping over nested brackets,
    strings and comments."""
    while pos < end:
        ch = text[pos]
        if ch == ",":
            return pos + 1
        if ch in "([{":
            pos = pairs.get(pos, end) + 1
        elif ch in "\"'`":
            close = text.find(ch, pos + 1, end)
            while close != -1 and text[close - 1] == "\\":
                close = text.find(ch, close + 1, end)
            pos = end if close == -1 else close + 1
        elif ch == "/" and text.startswith(("//", "/*"), pos):
            pos = max(_skip_blank(text, pos, end), pos + 1)  # an unclosed comment: step on
        else:
            pos += 1
    return end


def _skip_blank(text: str, pos: int, end: int) -> int:
    """Past blanks and comments (a block comment not closed before ``end`` is not one)."""
    while pos < end:
        while pos < end and text[pos].isspace():
            pos += 1
        if text.startswith("//", pos):
            newline = text.find("\n", pos, end)
            pos = end if newline == -1 else newline + 1
        elif text.startswith("/*", pos):
            closers = _comment_ends(text)
            at = bisect.bisect_left(closers, pos + 2)
            if at == len(closers) or closers[at] >= end:
                return pos
            pos = closers[at] + 2
        else:
            return pos
    return pos


@functools.lru_cache(maxsize=2)
def _comment_ends(text: str) -> list[int]:
    """Every ``*/`` of the text, in order, found once (many comments left open would
    otherwise each search the rest of the text)."""
    return [m.start() for m in re.finditer(r"\*/", text)]
