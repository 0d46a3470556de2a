"""Environment reads in languages whose read forms are one call or one subscript each:
Elixir, C#, C and C++, Scala, Swift, Dart, Lua, Perl, and Groovy and Gradle build scripts
(Kotlin script too, whose reads are Java's).

Comments are blanked first (offsets and lines kept; string literals left as they are, so a
``//`` in a URL opens no comment): a read commented out is no read. The argument of a read
decides what it is: a literal that is a name reads that variable; a literal joined to
something else (``"APP_" <> suffix``), an interpolated literal or an expression is a read
whose name is computed (a dynamic read); no argument at all (``System.get_env()``, the
whole environment) and a literal that is no name are no read of one variable. Names keep
their case: ``getenv("home")`` reads ``home``, not ``HOME``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gatekeeper.checks.envvars.model import EnvRead, line_of

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a literal argument, a bare word (Perl's ``$ENV{HOME}``), no argument, or anything else
_ARGUMENT = re.compile(
    r"""[ \t]*(?:[@r]?(?P<q>["'])(?P<lit>(?:(?!(?P=q))[^\\\n]|\\.){0,300})(?P=q)"""
    r"|(?P<bare>[A-Za-z_]\w*)(?=[ \t]*\})|(?P<none>[)\]}])|(?P<other>\S))"
)
#: what joins a literal to more text: ``+`` (C#, Scala, Swift, Dart...), ``<>`` (Elixir),
#: ``..`` (Lua), `` . `` (Perl)
_JOINED = re.compile(r"[ \t]*(?:\+|<>|\.\.|\.\s)")
_INTERPOLATED = re.compile(r"\$|#\{|\{")
#: after a subscript's closing bracket: an assignment sets the variable (Perl's
#: ``$ENV{X} = 1``, ``$ENV{X} ||= 'd'``), for what the program runs next
_CLOSE_THEN_ASSIGN = re.compile(r"[ \t]*[)\]}][ \t]*(?:=(?![=~>])|\|\|=|//=)")
#: a declaration's parameter list (C's ``char *getenv(const char *name)``): no call
_PARAMETERS = re.compile(
    r"[ \t]*(?:const[ \t]+)?\w[\w:]*(?:[ \t]+const)?(?:[ \t]*[*&][ \t]*\w*|[ \t]+\w+)[ \t]*\)"
)
#: Perl words before ``$ENV{X}`` that remove or localise the variable rather than read it
_PERL_NOT_READ = re.compile(r"\b(?:delete|local)[ \t]*\(?[ \t]*$")


@dataclass(frozen=True, slots=True)
class Language:
    """A language's comments and its read forms."""

    #: strings (group ``s``, kept) and comments (group ``c``, blanked), in one alternation
    lexer: re.Pattern[str]
    #: each read form's opening, up to its argument, and what to call it
    reads: tuple[tuple[re.Pattern[str], str], ...]
    #: Perl's bare-word subscript
    bare: bool = False
    #: what before an opening makes it no read (a declaration is told by its parameters)
    not_before: re.Pattern[str] | None = None


_DQ = r'"(?:[^"\\\n]|\\.)*"'
_SQ = r"'(?:[^'\\\n]|\\.)*'"
_TRIPLE = r'"""(?:.*?"""|.*\Z)'
_BLOCK = r"/\*(?:.*?\*/|.*\Z)"
#: C, C++, C#, Scala, Swift, Dart, Groovy, Kotlin: ``//`` and ``/* */``
_C_LIKE = re.compile(rf"(?P<s>{_TRIPLE}|{_DQ}|{_SQ})|(?P<c>//[^\n]*|{_BLOCK})", re.S)
_HASH = re.compile(rf"(?P<s>{_TRIPLE}|{_DQ}|{_SQ})|(?P<c>#[^\n]*)", re.S)
_LUA = re.compile(
    rf"(?P<s>\[(?P<es>=*)\[(?:.*?\](?P=es)\]|.*\Z)|{_DQ}|{_SQ})"
    r"|(?P<c>--\[(?P<ec>=*)\[(?:.*?\](?P=ec)\]|.*\Z)|--[^\n]*)",
    re.S,
)
#: Perl: ``#`` not part of ``$#array`` or a ``s#a#b#`` delimiter, and POD blocks
_PERL = re.compile(
    rf"(?P<s>{_DQ}|{_SQ})|(?P<c>(?<![$\w@%&{{#/])#[^\n]*|(?m:^=[a-zA-Z](?:.*?^=cut\b[^\n]*|.*\Z)))",
    re.S,
)

_GETENV = (re.compile(r"(?<![\w.>:$])(?:std::|::)?(?:secure_)?getenv[ \t]*\("), "getenv")
_SYSTEM_GETENV = (re.compile(r"\bSystem\.getenv[ \t]*\("), "System.getenv")

ELIXIR = Language(
    _HASH,
    (
        # ``System.get_env "X"`` needs no parentheses; bare ``System.get_env`` lists them all
        (
            re.compile(r"\bSystem\.(?:get_env|fetch_env!?)(?:[ \t]*\(|[ \t]+(?=[\"']))"),
            "System.get_env",
        ),
    ),
)
#: Dotenvy's reads (``env!("PORT", :integer, 4000)``, ``env("X")``), qualified anywhere and
#: bare in a file that imports it, as glific's ``config/runtime.exs`` reads its settings
_DOTENVY_QUALIFIED = (re.compile(r"\bDotenvy\.env!?[ \t]*\("), "Dotenvy.env!")
ELIXIR_DOTENVY = Language(
    _HASH,
    (
        *ELIXIR.reads,
        _DOTENVY_QUALIFIED,
        (re.compile(r"(?<![\w.:])env!?[ \t]*\("), "Dotenvy.env!"),
    ),
)
#: without the import, only the qualified form is Dotenvy's
ELIXIR_QUALIFIED = Language(_HASH, (*ELIXIR.reads, _DOTENVY_QUALIFIED))
_IMPORTS_DOTENVY = re.compile(r"^[ \t]*import[ \t]+Dotenvy\b", re.M)


def elixir_reads(text: str) -> list[EnvRead]:
    """An Elixir file's reads: ``System.get_env`` and its kin, and Dotenvy's ``env!`` calls
    (bare only where the file imports Dotenvy: another module's ``env/1`` is no read)."""
    if _IMPORTS_DOTENVY.search(code_of(text, _HASH)):
        return reads_in(text, ELIXIR_DOTENVY)
    return reads_in(text, ELIXIR_QUALIFIED)


CSHARP = Language(
    _C_LIKE,
    (
        (
            re.compile(r"\b(?:System\.)?Environment\.GetEnvironmentVariable[ \t]*\("),
            "Environment.GetEnvironmentVariable",
        ),
    ),
)
C = Language(_C_LIKE, (_GETENV,))
SCALA = Language(
    _C_LIKE,
    (
        (re.compile(r"\bsys\.env(?:\.(?:get|getOrElse|contains|apply))?[ \t]*[(\[]"), "sys.env"),
        (
            re.compile(r"\b(?:scala\.util\.)?Properties\.env(?:OrElse|OrNone|OrSome)[ \t]*\("),
            "Properties.env",
        ),
        _SYSTEM_GETENV,
    ),
)
SWIFT = Language(
    _C_LIKE,
    (
        (
            re.compile(r"\bProcessInfo(?:\.processInfo|[ \t]*\(\))\.environment[ \t]*\["),
            "ProcessInfo environment",
        ),
        _GETENV,
    ),
)
DART = Language(
    _C_LIKE,
    (
        (re.compile(r"\bPlatform\.environment[ \t]*\["), "Platform.environment"),
        # compile-time values given with --dart-define: a build's input, like a Docker ARG
        (re.compile(r"\b(?:String|bool|int)\.fromEnvironment[ \t]*\("), "fromEnvironment"),
    ),
)
LUA = Language(_LUA, ((re.compile(r"\bos\.getenv[ \t]*(?:\(|(?=[\"']))"), "os.getenv"),))
PERL = Language(
    _PERL, ((re.compile(r"\$ENV[ \t]*\{"), "$ENV{...}"),), bare=True, not_before=_PERL_NOT_READ
)
#: Groovy and Gradle's build scripts (Groovy or Kotlin): Java's read, in either quotes,
#: and Gradle's provider of a variable
GRADLE = Language(
    _C_LIKE,
    (
        _SYSTEM_GETENV,
        (re.compile(r"\bproviders\.environmentVariable[ \t]*\("), "providers.environmentVariable"),
    ),
)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def code_of(text: str, lexer: re.Pattern[str]) -> str:
    """``text`` with its comments blanked, offsets and lines kept."""
    return lexer.sub(lambda m: m.group() if m.group("s") is not None else _blank(m.group()), text)


def reads_in(text: str, language: Language) -> list[EnvRead]:
    """Every read of one of ``language``'s forms in ``text``, outside comments."""
    code = code_of(text, language.lexer)
    reads = []
    for pattern, how in language.reads:
        for m in pattern.finditer(code):
            before = code[max(0, m.start() - 40) : m.start()]
            if language.not_before is not None and language.not_before.search(before):
                continue
            name = _argument(code, m.end(), language.bare)
            if name is not None:
                reads.append(EnvRead(name, line_of(text, m.start()), how))
    return sorted(reads, key=lambda r: r.line)


def _argument(code: str, at: int, bare: bool) -> str | None:
    """The variable a read whose argument starts at ``at`` names: the name, "" when it
    is computed, None when there is no read of one variable (no argument, a literal that
    is no name, an assignment, a C declaration)."""
    m = _ARGUMENT.match(code, at)
    if m is None or m.group("none") is not None:
        return None
    if m.group("other") is not None:
        return None if _PARAMETERS.match(code, at) else ""
    if m.group("bare") is not None and not bare:
        return ""
    if _CLOSE_THEN_ASSIGN.match(code, m.end()):
        return None
    value = m.group("lit") if m.group("q") else m.group("bare")
    if _JOINED.match(code, m.end()):
        return ""
    if _NAME.fullmatch(value):
        return value
    return "" if _INTERPOLATED.search(value) else None


def _reader(language: Language) -> Callable[[str], list[EnvRead]]:
    return lambda text: reads_in(text, language)


#: suffix -> reader, for text_reads' table
BY_SUFFIX: dict[str, Callable[[str], list[EnvRead]]] = {
    **dict.fromkeys((".ex", ".exs"), elixir_reads),
    ".cs": _reader(CSHARP),
    **dict.fromkeys((".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx"), _reader(C)),
    **dict.fromkeys((".scala", ".sc"), _reader(SCALA)),
    ".swift": _reader(SWIFT),
    ".dart": _reader(DART),
    ".lua": _reader(LUA),
    **dict.fromkeys((".pl", ".pm"), _reader(PERL)),
    **dict.fromkeys((".groovy", ".gradle", ".kts"), _reader(GRADLE)),
}
