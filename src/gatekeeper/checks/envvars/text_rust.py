"""Environment reads in Rust.

``std::env::var("X")`` / ``env::var_os("X")`` (and dotenvy's or dotenv's ``var``), the
compile-time ``env!("X")`` / ``option_env!("X")`` (still configuration: whoever builds
the binary must set it), clap's ``#[arg(long, env = "X")]`` (``#[clap(...)]``,
``#[structopt(...)]``; a bare ``env`` reads the field's name upper-cased), and a
``const NAME: &str = "X";`` of the same file passed to one of the calls, and *helpers*:
a function of the file whose ``&str`` parameter it passes to one of the calls
(``fn cfg(key: &str) -> String { env::var(key)... }``), or a free function named for the
environment (an ``env`` word in its snake-case name: ``get_env_var``, ``env_or``,
``read_env``; not a setter) that is given an upper-case literal: such helpers mostly live
in a shared crate of the workspace (``infra::env_util::get_env_var("X", "10")``), out
of the diff's sight, and the literal is the variable's name. A method (``cmd.env("X",
v)`` sets a child's variable) is no read. Comments and
the contents of string literals are blanked before matching (:func:`mask`), so
``// env::var("X")`` or a string holding such text reads nothing; an item under
``#[cfg(test)]`` is test code, blanked too, like the test files of other languages.
Every step is one pass over the text.
"""

from __future__ import annotations

import bisect
import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.rustlex import mask

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a call that reads the variable named by its first argument -> how it is reported
_CALLS = (
    (re.compile(r"(?<![\w:])(?:std::)?env::var(?:_os)?\s*\("), "env::var"),
    (re.compile(r"(?<![\w:])(?:dotenvy|dotenv)::var\s*\("), "dotenvy::var"),
    (re.compile(r"(?<![\w:])(?:std::)?option_env!\s*\("), "option_env!"),
    (re.compile(r"(?<![\w:])(?:std::)?env!\s*\("), "env!"),
)
#: the first argument: a string literal (blanked: its text is taken from the original),
#: or a constant's path
_ARG = re.compile(r"\s*(?:\"(?P<lit>[^\"]*)\"|(?P<path>[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*))")
_CONST = re.compile(
    r"(?m)^[ \t]*(?:pub(?:\([\w:\s]*\))?[ \t]+)?(?:const|static)[ \t]+(?P<name>[A-Za-z_]\w*)"
    r"[ \t]*:[ \t]*&[ \t]*(?:'static[ \t]+)?str[ \t]*=[ \t]*\"(?P<value>[^\"\n]*)\"[ \t]*;"
)
_CLAP_ENV = re.compile(r"\benv\s*=\s*\"(?P<lit>[^\"]*)\"")
_CLAP_BARE_ENV = re.compile(r"[(,][ \t\r\n]*env[ \t\r\n]*(?=[,)])")
#: the field an attribute belongs to: after more attributes and a visibility
_FIELD_AFTER = re.compile(
    r"\s*(?:#\[[^\]]{0,500}\]\s*){0,8}(?:pub(?:\([^)]{0,50}\))?\s+)?(?:r#)?"
    r"(?P<field>[A-Za-z_]\w*)\s*:(?!:)"
)
_ATTRIBUTE = re.compile(r"#\[\s*(?:arg|clap|structopt)\s*\(")
#: what Cargo sets for the crate it compiles ("Environment variables Cargo sets for
#: crates" in the Cargo Book), read at compile time: ``env!("CARGO_PKG_VERSION")`` is no
#: configuration, wherever the crate's Cargo.toml sits in a monorepo
_CARGO_SETS = re.compile(
    r"CARGO(?:_(?:PKG|BIN|CRATE|MANIFEST|PRIMARY|TARGET|RUSTC)_[A-Z0-9_]+|_PRIMARY_PACKAGE)?"
    r"|OUT_DIR"
)
_CFG_TEST = re.compile(r"#\[\s*cfg\s*\(\s*test\s*\)\s*\]")


def rust_reads(text: str) -> list[EnvRead]:
    """Every read of the file's non-test code (see the module docstring)."""
    code = without_tests(mask(text))
    constants = _constants(code, text)
    reads: list[EnvRead] = []
    for pattern, how in _CALLS:
        for m in pattern.finditer(code):
            arg = _ARG.match(code, m.end())
            line = line_of(text, m.start())
            if arg is None:
                reads.append(EnvRead("", line, how))
            elif arg.group("path") is not None:
                name = constants.get(arg.group("path").rsplit("::", 1)[-1])
                reads.append(EnvRead(name or "", line, how))
            else:
                name = text[arg.start("lit") : arg.end("lit")]
                if how.endswith("env!") and _CARGO_SETS.fullmatch(name):
                    continue
                if _NAME.fullmatch(name):
                    reads.append(EnvRead(name, line, how))
    return reads + _helper_reads(code, text) + _clap_reads(code, text) + _macro_settings(code, text)


#: a free (or path-qualified) call of a function or a macro (trieve's ``get_env!("X",
#: "X should be set")``); a method call (after ``.``) is left out
_FREE_CALL = re.compile(r"(?<![\w.:])(?:[A-Za-z_]\w*::)*(?P<fn>[A-Za-z_]\w*)\s*(?P<bang>!)?\s*\(")
#: an ``env`` word in a snake-case function name
_ENV_WORD = re.compile(r"(?:^|_)env(?:_|$)")
#: words of a function that writes the environment rather than reading it
_WRITER_WORD = re.compile(r"(?:^|_)(?:set|remove|unset|clear|put|del|delete|write)(?:_|$)")
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
#: ``fn name(key: &str`` -> the first parameter, a string slice
_HELPER_HEAD = re.compile(
    r"\bfn\s+(?P<fn>[A-Za-z_]\w*)\s*(?:<[^>{};]{0,200}>)?\s*\(\s*(?:mut\s+)?"
    r"(?P<param>[A-Za-z_]\w*)\s*:\s*&\s*(?:'\w+\s+)?str\b"
)
_READ_OF = (
    r"(?<![\w:])(?:(?:std::)?env::var(?:_os)?|(?:dotenvy|dotenv)::var)"
    r"\s*\(\s*&?\s*{param}\s*[,)]"
)


def _helper_reads(code: str, text: str) -> list[EnvRead]:
    """Call sites of the helpers the module docstring describes."""
    own = _own_helpers(code)
    reads = []
    for m in _FREE_CALL.finditer(code):
        fn = m.group("fn")
        if fn in _NOT_HELPERS:
            continue
        named = _ENV_WORD.search(fn) is not None and _WRITER_WORD.search(fn) is None
        macro = m.group("bang") is not None
        if not named and (macro or fn not in own):
            continue
        arg = _ARG.match(code, m.end())
        if arg is None or arg.group("lit") is None:
            continue
        name = text[arg.start("lit") : arg.end("lit")]
        # a helper of the file reads whatever name it is given; one known only by its
        # name reads what looks like a variable's name
        if _UPPER_NAME.fullmatch(name) or (fn in own and not macro and _NAME.fullmatch(name)):
            how = f"{fn}!()" if macro else f"{fn}()"
            reads.append(EnvRead(name, line_of(text, m.start()), how))
    return reads


#: names the direct calls already read through (``env::var``), or a keyword
_NOT_HELPERS = frozenset({"var", "var_os", "fn", "env", "option_env"})


def _own_helpers(code: str) -> set[str]:
    """Functions of the file passing their first ``&str`` parameter to a read."""
    if "fn" not in code:
        return set()
    found: set[str] = set()
    pairs: dict[int, int] | None = None
    for m in _HELPER_HEAD.finditer(code):
        brace = code.find("{", m.end())
        if brace == -1:
            continue
        if pairs is None:
            pairs = _brace_pairs(code)
        end = pairs.get(brace, len(code))
        pattern = re.compile(_READ_OF.format(param=re.escape(m.group("param"))))
        if pattern.search(code, brace, end):
            found.add(m.group("fn"))
    return found


#: a declarative macro of the file: its name, and its body's opening brace
_MACRO_RULES = re.compile(r"\bmacro_rules!\s*(?P<name>[A-Za-z_]\w*)\s*\{")
#: a metavariable upper-cased: paste's ``[<$name:upper>]``, or
#: ``stringify!($name).to_uppercase()``
_UPPERED = re.compile(
    r"\[<\s*\$(?P<var>[A-Za-z_]\w*)\s*:\s*upper\s*>\]"
    r"|\bstringify!\s*\(\s*\$(?P<str>[A-Za-z_]\w*)\s*\)\s*\.\s*to_(?:ascii_)?uppercase\s*\("
)
#: an entry of a settings macro's invocation: ``database_timeout: u64, false, def, 30;``
_ENTRY = re.compile(
    r"(?m)^[ \t]*(?P<field>[a-z][a-z0-9_]*)[ \t]*:[ \t]*[A-Za-z_][\w:]*(?:<[^>\n]*>)?[ \t]*,"
)
#: an entry whose value the macro always computes (vaultwarden's none-action
#: ``generated``): whatever the variable says is ignored, so there is nothing to set
_GENERATED = re.compile(r"[^;\n]*?,[ \t]*generated[ \t]*[,;]")
#: the deepest an entry sits in the invocation's braces (settings in groups: two)
_ENTRY_DEPTH = 2


def _macro_settings(code: str, text: str) -> list[EnvRead]:
    """Settings declared in a macro of the file that reads each one from the variable of
    its upper-cased name (vaultwarden's ``make_config!``: the body hands
    ``paste!(stringify!([<$name:upper>]))`` to ``get_env``, and its matcher takes
    ``$name:ident : $ty, ...``): each ``field: type, ...`` entry of an invocation, at most
    two braces deep, reads ``FIELD``. A field starting with ``_`` is internal (a group's
    switch, a derived value), and one whose value is always ``generated`` reads nothing a
    deployer sets: both are left out."""
    if "macro_rules!" not in code:
        return []
    pairs = _brace_pairs(code)
    reads = []
    for m in _MACRO_RULES.finditer(code):
        end = pairs.get(m.end() - 1)
        if end is None or _settings_var(code[m.end() : end]) is None:
            continue
        call = re.compile(rf"(?<![\w:]){re.escape(m.group('name'))}!\s*\{{")
        how = f"{m.group('name')}! setting"
        for invocation in call.finditer(code):
            body_end = pairs.get(invocation.end() - 1)
            if body_end is None or m.start() <= invocation.start() < end:
                continue
            reads += _entries(code, text, (invocation.end(), body_end), pairs, how)
    return reads


def _settings_var(body: str) -> str | None:
    """The metavariable a macro body upper-cases and hands to an environment read, when
    its matcher takes it as an entry's leading ``$var:ident :``; else None."""
    uppered = _UPPERED.search(body)
    if uppered is None:
        return None
    var = uppered.group("var") or uppered.group("str")
    if not re.search(rf"\${re.escape(var)}\s*:\s*ident\s*:", body):
        return None
    reads_env = any(
        _ENV_WORD.search(c.group("fn")) and not _WRITER_WORD.search(c.group("fn"))
        for c in _FREE_CALL.finditer(body)
    )
    return var if reads_env or re.search(_READ_OF.format(param=r"[^,)]+"), body) else None


def _entries(
    code: str, text: str, span: tuple[int, int], pairs: dict[int, int], how: str
) -> list[EnvRead]:
    start, end = span
    opens = [(o, c) for o, c in pairs.items() if start <= o < end]
    reads = []
    for m in _ENTRY.finditer(code, start, end):
        depth = 1 + sum(1 for o, c in opens if o < m.start() < c)
        field = m.group("field")
        if depth <= _ENTRY_DEPTH and not _GENERATED.match(code, m.end() - 1):
            reads.append(EnvRead(field.upper(), line_of(text, m.start("field")), how))
    return reads


def _constants(code: str, text: str) -> dict[str, str]:
    """``const NAME: &str = "X";`` of the file (a name given two values is left out)."""
    found: dict[str, str] = {}
    dropped: set[str] = set()
    for m in _CONST.finditer(code):
        value = text[m.start("value") : m.end("value")]
        if found.setdefault(m.group("name"), value) != value:
            dropped.add(m.group("name"))
    return {k: v for k, v in found.items() if k not in dropped and _NAME.fullmatch(v)}


def _clap_reads(code: str, text: str) -> list[EnvRead]:
    """``env = "X"`` inside a clap or structopt attribute. Each ``env =`` is placed in its
    attribute by looking up the last attribute opening and the last ``]`` before it (two
    sorted lists, built once): no attribute is scanned twice however many there are."""
    if "env" not in code:
        return []
    opens = [m.start() for m in _ATTRIBUTE.finditer(code)]
    if not opens:
        return []
    closes = [m.start() for m in re.finditer(r"\]", code)]
    reads = []
    for m in _CLAP_ENV.finditer(code):
        if _in_attribute(m.start(), opens, closes):
            name = text[m.start("lit") : m.end("lit")]
            if _NAME.fullmatch(name):
                reads.append(EnvRead(name, line_of(text, m.start()), "clap env"))
    # a bare ``env`` names the field's variable: ``port`` reads ``PORT`` (each attribute's
    # field is looked for once, however many ``env`` it holds)
    seen: set[int] = set()
    for m in _CLAP_BARE_ENV.finditer(code):
        k = bisect.bisect_left(closes, m.start())
        if k in seen or k >= len(closes) or not _in_attribute(m.start(), opens, closes):
            continue
        seen.add(k)
        field = _FIELD_AFTER.match(code, closes[k] + 1)
        if field is not None:
            name = field.group("field").upper()
            reads.append(EnvRead(name, line_of(text, m.start() + 1), "clap env"))
    return reads


def _in_attribute(at: int, opens: list[int], closes: list[int]) -> bool:
    """Whether ``at`` is inside a clap attribute: one opened before it and no ``]`` since."""
    i = bisect.bisect_left(opens, at) - 1
    if i < 0:
        return False
    j = bisect.bisect_left(closes, at) - 1
    return not (j >= 0 and closes[j] > opens[i])


def without_tests(code: str) -> str:
    """``code`` with every item under ``#[cfg(test)]`` blanked (its ``{...}`` body, or up
    to its ``;``). Braces are matched once for the whole text."""
    if "cfg" not in code:
        return code
    pairs = _brace_pairs(code)
    braces, semis = sorted(pairs), [m.start() for m in re.finditer(";", code)]
    out = list(code)
    done = 0
    for m in _CFG_TEST.finditer(code):
        if m.start() < done:
            continue  # inside an item already blanked
        brace, semi = _next(braces, m.end()), _next(semis, m.end())
        if brace is not None and (semi is None or brace < semi):
            end = pairs[brace] + 1
        else:
            end = semi + 1 if semi is not None else len(code)
        for k in range(m.start(), end):
            if out[k] != "\n":
                out[k] = " "
        done = end
    return "".join(out)


def _next(positions: list[int], start: int) -> int | None:
    i = bisect.bisect_left(positions, start)
    return positions[i] if i < len(positions) else None


def _brace_pairs(code: str) -> dict[int, int]:
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in re.finditer(r"[{}]", code):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            pairs[stack.pop()] = m.start()
    return pairs
