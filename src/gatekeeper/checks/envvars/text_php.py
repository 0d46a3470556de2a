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
#: keys of ``$_SERVER`` that PHP and the web server fill in for a request or a script,
#: never configuration a deployer sets
_SERVER_KEYS = re.compile(
    r"(?:HTTP|REQUEST|REMOTE|SERVER|SCRIPT|PHP|DOCUMENT|CONTENT|GATEWAY|ORIG|REDIRECT)_\w*"
    r"|PATH_INFO|PATH_TRANSLATED|QUERY_STRING|AUTH_TYPE|HTTPS|argv|argc"
)


def php_reads(text: str) -> list[EnvRead]:
    """Every read in a PHP file: calls and superglobals with a literal name (a computed
    name is a dynamic read), and ``%env(...)%`` in its string literals."""
    if not any(word in text for word in ("env", "Env", "$_ENV", "$_SERVER")):
        return []
    src = Source(text)
    code = src.code
    reads: list[EnvRead] = []
    for m in _CALL.finditer(code):
        if _DEFINITION.search(code, max(0, m.start() - 40), m.start()):
            continue
        args = src.arguments(m.end() - 1)
        if not args:  # getenv() lists the whole environment: no one variable
            continue
        how = f"{m.group('fn') or 'Env::get'}()"
        reads.append(EnvRead(_literal(src, *args[0]) or "", line_of(text, m.start()), how))
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
    return reads


def symfony_reads(text: str, line: int | None = None) -> list[EnvRead]:
    """``%env(NAME)%`` and ``%env(processor:NAME)%`` parameters (Symfony's config YAML,
    XML or PHP strings); ``line`` fixes the line of every read (a PHP literal's)."""
    reads = []
    for m in _SYMFONY.finditer(text):
        name = m.group("body").rsplit(":", 1)[-1]
        if _NAME.fullmatch(name):
            at = line if line is not None else line_of(text, m.start())
            reads.append(EnvRead(name, at, "%env()%"))
    return reads


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


def _closing_bracket(code: str, start: int) -> int | None:
    """The offset of the ``]`` closing a subscript opened just before ``start``, on the
    same line and within a name's length."""
    end = code.find("]", start, start + 300)
    return None if end == -1 or "\n" in code[start:end] or "[" in code[start:end] else end
