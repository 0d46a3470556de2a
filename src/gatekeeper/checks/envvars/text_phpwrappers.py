"""PHP functions of the repository that hand their first parameter to ``env()``.

A Laravel project sometimes defines a helper of its own over ``env()`` and reads its
settings through it: 2FAuth's ``bootstrap/app.php`` defines ``function
envUnlessEmpty(string $key, $default = null) { $result = env($key, $default); ... }`` and
``config/app.php`` reads ``envUnlessEmpty('APP_KEY_FILE', env('APP_KEY'))``. Each call of
such a helper with a literal first argument is a read of the variable it names, though
the line never calls ``env()`` itself.

Only free functions are followed (a file declaring a class, trait, interface or enum is
not searched for helpers: a method is called through an object, ``$this->get('X')``, and
its name alone says nothing), and only a helper passing its first parameter as the first
argument of ``env()``, ``getenv()`` or ``Env::get()``. A helper over another helper is not
followed. The index is built once per side, from the PHP files naming ``env(`` outside
dependencies and tests (one search).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.text_php import code_only, first_literal
from gatekeeper.checks.migrations.php import Source

#: ``(words, pathspecs) -> paths`` of the side's files holding one of the words, or None
Search = Callable[[list[str], list[str]], "list[str] | None"]
#: what a helper's file contains
READ_WORDS = ["env(", "Env::get("]
#: a repository's own PHP, as git pathspecs: dependencies and tests out
SOURCES = [
    "*.php",
    ":(exclude)vendor/*",
    ":(exclude)*/vendor/*",
    ":(exclude)tests/*",
    ":(exclude)*/tests/*",
    ":(exclude)node_modules/*",
]
_SKIPPED = re.compile(r"(?:^|/)(?:vendor|tests|node_modules)/")
#: files analysed for helpers, at most (the shallowest first)
MAX_FILES = 300
#: a declaration that makes the file's functions methods
_TYPE_DECL = re.compile(r"(?<![\w$>:])(?:class|trait|interface|enum)\s+[A-Za-z_]\w*")
#: a function's header up to its first parameter's name
_HEADER = re.compile(
    r"\bfunction\s+&?\s*(?P<name>[A-Za-z_]\w*)\s*\(\s*(?:\??[\w\\|]+\s+)?&?\s*\$(?P<param>\w+)"
)
_BODY_OPEN = re.compile(r"[^{;]{0,300}?\{")
_CLOSE = re.compile(r"[{}]")


def helpers_in(text: str) -> set[str]:
    """The free functions a PHP file defines that read the variable named by their first
    parameter."""
    if "function" not in text:
        return set()
    code = Source(code_only(text)).code
    if _TYPE_DECL.search(code):
        return set()
    found = set()
    for m in _HEADER.finditer(code):
        opened = _BODY_OPEN.match(code, m.end())
        if opened is None:
            continue
        body = code[opened.end() : _body_end(code, opened.end())]
        param = re.escape(m.group("param"))
        read = re.compile(
            r"(?<![\w$>:])(?:\\?(?:env|getenv)|(?:\\?Illuminate\\Support\\)?Env::get)\s*\(\s*\$"
            + param
            + r"\b(?!\s*(?:\[|->))"
        )
        if read.search(body):
            found.add(m.group("name"))
    return found


def _body_end(code: str, start: int) -> int:
    depth = 1
    for m in _CLOSE.finditer(code, start):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.start()
    return len(code)


def helper_reads(text: str, helpers: set[str]) -> list[EnvRead]:
    """The calls of ``helpers`` with a literal first argument in a PHP file."""
    wanted = [name for name in helpers if f"{name}(" in text or f"{name} (" in text]
    if not wanted:
        return []
    text = code_only(text)
    src = Source(text)
    call = re.compile(
        r"(?<![\w$>:])\\?(?P<name>" + "|".join(map(re.escape, sorted(wanted))) + r")\s*\("
    )
    reads = []
    for m in call.finditer(src.code):
        if re.search(r"\bfunction\s+&?\s*$", src.code[max(0, m.start() - 40) : m.start()]):
            continue
        name = first_literal(src, m.end())
        if name:
            reads.append(EnvRead(name, line_of(text, m.start()), f"{m.group('name')}() -> env()"))
    return reads


class PhpWrappers:
    """The helpers over ``env()`` of one side's PHP files, found once, when first asked."""

    def __init__(
        self, read: Callable[[str], str | None], search: Search, listing: Callable[[], list[str]]
    ) -> None:
        self._read, self._search, self._listing = read, search, listing
        self._helpers: set[str] | None = None

    def helpers(self) -> set[str]:
        """Every helper of the side (see the module docstring)."""
        if self._helpers is None:
            paths = self._search(READ_WORDS, SOURCES)
            if paths is None:
                paths = [p for p in self._listing() if p.endswith(".php")]
            paths = [p for p in paths if not _SKIPPED.search(p)]
            paths.sort(key=lambda p: (p.count("/"), p))
            found: set[str] = set()
            for path in paths[:MAX_FILES]:
                found |= helpers_in(self._read(path) or "")
            # Laravel's own helpers are the reads text_php already knows
            self._helpers = found - {"env", "getenv"}
        return self._helpers

    def reads(self, text: str) -> list[EnvRead]:
        """The reads a PHP file makes by calling one of the side's helpers."""
        if "(" not in text:
            return []
        helpers = self.helpers()
        return helper_reads(text, helpers) if helpers else []
