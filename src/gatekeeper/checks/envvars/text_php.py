"""Environment reads in PHP, and in the ``%env(NAME)%`` parameters of Symfony's config.

Laravel reads its configuration with ``env('NAME', default)`` in ``config/*.php`` (and
``Env::get``), plain PHP with ``getenv('NAME')``, ``$_ENV['NAME']`` and ``$_SERVER['NAME']``,
Symfony with ``%env(NAME)%`` or ``%env(bool:NAME)%`` in its YAML (or a PHP string). The
file is read through the small PHP lexer of the migrations check (comments blanked,
string literals kept apart by offset), so a read in a comment or a string is no read.
Only a literal name is a read of a known variable: ``env($name)`` is a dynamic one.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.migrations.php import Source

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BLANKS = re.compile(r"\s*")
#: ``env(``, ``\env(``, ``getenv(``, ``Env::get(``: not a method (``->env(``), not a static
#: call of another class (``App::env(``), not a definition (``function env(``)
_CALL = re.compile(
    r"(?<![\w$>:])(?:\\?(?P<fn>env|getenv)|(?:\\?Illuminate\\Support\\)?Env::get)\s*\("
)
_DEFINITION = re.compile(r"\bfunction\s+&?\s*$")
#: ``$_ENV[`` and ``$_SERVER[``, the key a literal the lexer keeps
_SUPERGLOBAL = re.compile(r"\$_(?P<which>ENV|SERVER)\s*\[")
_ASSIGNED = re.compile(r"\s*(?:=(?![=>])|\?\?=)")
#: Symfony's env var processors: ``%env(NAME)%``, ``%env(bool:NAME)%``,
#: ``%env(default:fallback:NAME)%``; the variable is the last part
_SYMFONY = re.compile(r"%env\((?P<body>[\w:.\\-]{1,300})\)%")
#: the processors Symfony ships; each hands the last part of the chain to the environment
#: (``key:``, ``default:`` and ``enum:`` take one argument of their own before it)
_SYMFONY_PROCESSORS = frozenset({
    "base64", "bool", "const", "csv", "default", "defined", "enum", "file", "float", "int",
    "json", "key", "not", "query_string", "require", "resolve", "shuffle", "string", "trim",
    "url", "urlencode",
})  # fmt: skip
_TAKES_ARGUMENT = frozenset({"default", "enum", "key"})
#: how environment variables are spelled: upper case, digits and underscores
_UPPER_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
#: keys of ``$_SERVER`` that PHP and the web server fill in for a request or a script,
#: never configuration a deployer sets
_SERVER_KEYS = re.compile(
    r"(?:HTTP|REQUEST|REMOTE|SERVER|SCRIPT|PHP|DOCUMENT|CONTENT|GATEWAY|ORIG|REDIRECT)_\w*"
    r"|PATH_INFO|PATH_TRANSLATED|QUERY_STRING|AUTH_TYPE|HTTPS|argv|argc"
)


#: where the PHP of a file opens, and what closes it: ``<?php`` (or ``<?=``) to ``?>`` or
#: the end; in a Blade template also ``{{ ... }}``, ``{!! ... !!}``, ``@php ... @endphp``,
#: and ``{{-- ... --}}``, a comment (None: no code inside)
_PHP_OPEN = re.compile(r"<\?(?:php\b|=)")
_BLADE_OPEN = re.compile(r"\{\{--|<\?(?:php\b|=)|\{\{|\{!!|@php\b")
_CLOSERS: dict[str, tuple[str, bool]] = {
    "{{--": ("--}}", False),
    "{{": ("}}", True),
    "{!!": ("!!}", True),
    "@php": ("@endphp", True),
}


def code_only(text: str, blade: bool = False) -> str:
    """``text`` with everything outside its PHP blanked (newlines kept, so lines stay):
    the HTML around it is output as is, and an apostrophe in it would open a string. One
    pass: each region's end is found once, and an unclosed Blade tag ends the scan."""
    opener = _BLADE_OPEN if blade else _PHP_OPEN
    out, at = [], 0
    while (m := opener.search(text, at)) is not None:
        close, code = _CLOSERS.get(m.group(), ("?>", True))
        end = text.find(close, m.end())
        if end == -1 and close != "?>":
            break  # Blade would not compile it; nothing after it is read
        end = len(text) if end == -1 else end
        out.append(_blank(text[at : m.end()]))
        out.append(text[m.end() : end] if code else _blank(text[m.end() : end]))
        at = end
    out.append(_blank(text[at:]))
    return "".join(out)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def php_reads(text: str, blade: bool = False) -> list[EnvRead]:
    """Every read in a PHP file (a Blade template when ``blade``): calls and superglobals
    with a literal name (a computed name is a dynamic read), and ``%env(...)%`` in its
    string literals."""
    if not any(word in text for word in ("env", "Env", "$_ENV", "$_SERVER")):
        return []
    text = code_only(text, blade)
    src = Source(text)
    code = src.code
    reads: list[EnvRead] = []
    for m in _CALL.finditer(code):
        if _DEFINITION.search(code, max(0, m.start() - 40), m.start()):
            continue
        first = _first_argument(src, m.end())
        if first is None:  # getenv() lists the whole environment: no one variable
            continue
        how = f"{m.group('fn') or 'Env::get'}()"
        reads.append(EnvRead(_literal(src, *first) or "", line_of(text, m.start()), how))
    for m in _SUPERGLOBAL.finditer(code):
        end = _closing_bracket(code, m.end())
        if end is None:
            continue
        if _ASSIGNED.match(code, end + 1):
            continue  # ``$_ENV['X'] = ...`` sets the variable, for what runs next
        name = _literal(src, m.end(), end)
        if m.group("which") == "SERVER" and (name is None or _SERVER_KEYS.fullmatch(name)):
            continue  # a request's header or the script's path, or a key we cannot know
        reads.append(EnvRead(name or "", line_of(text, m.start()), f"$_{m.group('which')}[...]"))
    for start, literal in src.literals.items():
        if "%env(" in literal.value:
            reads += symfony_reads(literal.value, line_of(text, start))
    for m in _AUTOWIRE_ENV.finditer(code):
        span = _first_argument(src, m.end())
        if span is not None:
            name = _literal(src, *span) or ""
            reads.append(EnvRead(name, line_of(text, m.start()), "#[Autowire(env:)]"))
    return reads


#: Symfony's ``#[Autowire(env: 'NAME')]`` on a constructor parameter; the argument after
#: ``env:`` is taken as a call's first
_AUTOWIRE_ENV = re.compile(r"\bAutowire\s*\(\s*env\s*:")


def symfony_reads(text: str, line: int | None = None) -> list[EnvRead]:
    """``%env(NAME)%`` and ``%env(processor:NAME)%`` parameters (Symfony's config YAML,
    XML or PHP strings); ``line`` fixes the line of every read (a PHP literal's)."""
    reads = []
    for m in _SYMFONY.finditer(text):
        name = m.group("body").rsplit(":", 1)[-1]
        if _NAME.fullmatch(name) and not _custom_key(m.group("body"), name):
            at = line if line is not None else line_of(text, m.start())
            reads.append(EnvRead(name, at, "%env()%"))
    return reads


def _custom_key(body: str, name: str) -> bool:
    """True when a processor of the project's own gets a key that is not spelled like a
    variable: Part-DB's ``%env(int:settings:ai_ollama:timeout)%`` hands ``ai_ollama:timeout``
    to the settings bundle's ``settings:`` processor, which looks it up in the database. A
    chain of Symfony's processors alone, or an upper-case name, is still a variable."""
    if _UPPER_NAME.fullmatch(name):
        return False
    parts = iter(body.split(":")[:-1])
    for part in parts:
        if part not in _SYMFONY_PROCESSORS:
            return True
        if part in _TAKES_ARGUMENT:
            next(parts, None)
    return False


def first_literal(src: Source, start: int) -> str | None:
    """The variable's name a call whose ``(`` ends just before ``start`` is given as its
    first argument, when that argument is a lone string literal."""
    first = _first_argument(src, start)
    return _literal(src, *first) if first is not None else None


def _literal(src: Source, start: int, end: int) -> str | None:
    """The value of a lone string literal spanning ``code[start:end]`` (blanks around it
    allowed), when it is a variable's name."""
    while start < end and src.code[start].isspace():
        start += 1
    while end > start and src.code[end - 1].isspace():
        end -= 1
    lit = src.literals.get(start)
    if lit is None or lit.end != end:
        return None
    return lit.value if _NAME.fullmatch(lit.value) else None


def _first_argument(src: Source, start: int) -> tuple[int, int] | None:
    """The span of the first argument of a call whose ``(`` ends just before ``start``
    when it is a lone string literal, an empty span when it is anything else (a name we
    cannot know), None for an empty call. Only what follows the ``(`` is looked at, so
    many calls, closed or not, stay cheap."""
    code = src.code
    at = _skip_blanks(code, start)
    if code.startswith(")", at):
        return None
    lit = src.literals.get(at)
    if lit is None:
        return (start, start)
    after = _skip_blanks(code, lit.end)
    return (at, lit.end) if code.startswith((",", ")"), after) else (start, start)


def _skip_blanks(code: str, at: int) -> int:
    m = _BLANKS.match(code, at)
    return m.end() if m is not None else at


def _closing_bracket(code: str, start: int) -> int | None:
    """The offset of the ``]`` closing a subscript opened just before ``start``, on the
    same line and within a name's length."""
    end = code.find("]", start, start + 300)
    return None if end == -1 or "\n" in code[start:end] or "[" in code[start:end] else end
