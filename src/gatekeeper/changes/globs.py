"""Path globs as policy authors write them: ``*`` within a segment, ``**`` across segments.

``src/**/api/**`` matches ``src/app/api/users.py``; a pattern without a slash
(``*.sql``) matches the file name at any depth, as in ``.gitignore``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable


@functools.lru_cache(maxsize=4096)
def _compile(pattern: str) -> re.Pattern[str]:
    anchored = "/" in pattern.rstrip("/")
    pat = pattern.lstrip("/")
    if pat.endswith("/"):
        pat += "**"
    out: list[str] = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pat.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + "".join(out) + r"\Z", re.DOTALL)


@functools.lru_cache(maxsize=256)
def _compile_many(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{_compile(p).pattern})" for p in patterns), re.DOTALL)


def matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A fast test for "matches any of ``patterns``" (one combined regular expression)."""
    pats = tuple(patterns)
    if not pats:
        return lambda _path: False
    compiled = _compile_many(pats)
    return lambda path: compiled.match(path) is not None


def match(path: str, pattern: str) -> bool:
    """True when the repository-relative ``path`` matches ``pattern``."""
    return _compile(pattern).match(path) is not None


def match_any(path: str, patterns: Iterable[str]) -> bool:
    """True when ``path`` matches at least one of ``patterns``."""
    return any(match(path, p) for p in patterns)
