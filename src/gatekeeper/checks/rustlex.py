"""Rust source read as text: comments and string literals told apart from code.

Enough of Rust's lexical rules for the readers that look for names in Rust files (the
env-vars check's settings reads, the migrations check's diesel column readers): line and
nested block comments, string literals with escapes, raw strings (``r#"..."#``), byte and
C strings, and character literals told apart from lifetimes (``'"'`` is a char; ``'a`` in
``&'a str`` is not).
"""

from __future__ import annotations

import re


def mask(text: str, spans: list[tuple[int, int, int]] | None = None) -> str:
    """``text`` as long as it was, comments blanked and string literals' contents blanked
    (their quotes kept), newlines kept: offsets and lines stay those of ``text``. Line and
    nested block comments, raw strings (``r#"..."#``), byte strings, and character
    literals told apart from lifetimes. With ``spans``, each literal's (start of its
    prefix or quote, start of its contents, end of its contents) is appended there."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            out.append(" " * (end - i))
            i = end
        elif ch == "/" and text.startswith("/*", i):
            end = _block_comment_end(text, i)
            out.append(_blank(text[i:end]))
            i = end
        elif ch == '"' or (ch in "rb" and _raw_or_byte(text, i)):
            i = _string(text, i, out, spans)
        elif ch == "'":
            m = _CHAR.match(text, i)
            end = m.end() if m else i + 1
            out.append("'" + " " * (end - i - 2) + "'" if m else "'")
            i = end
        else:
            # copy a run of ordinary characters at once
            m = _PLAIN.match(text, i)
            end = m.end() if m and m.end() > i else i + 1
            out.append(text[i:end])
            i = end
    return "".join(out)


_COMMENT_MARK = re.compile(r"/\*|\*/")
_PLAIN = re.compile(r"[^/\"'rb]+")
_CHAR = re.compile(r"'(?:[^'\\\n]|\\(?:u\{[0-9A-Fa-f]{1,6}\}|x[0-9A-Fa-f]{2}|.))'")
_RAW_START = re.compile(r"(?<![\w])(?:br|rb|r|b|c|cr)(#*)\"")


def _raw_or_byte(text: str, i: int) -> bool:
    return _RAW_START.match(text, i) is not None and (i == 0 or not _is_word(text[i - 1]))


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _string(text: str, i: int, out: list[str], spans: list[tuple[int, int, int]] | None) -> int:
    """Append the literal at ``i`` with its contents blanked (its span to ``spans``);
    return where it ends."""
    m = _RAW_START.match(text, i) if text[i] != '"' else None
    head = m.group(0) if m else '"'
    raw = m is not None and "r" in head
    closing = '"' + (m.group(1) if m else "")
    j = i + len(head)
    while j < len(text):
        if text[j] == "\\" and not raw:
            j += 2
            continue
        if text.startswith(closing, j):
            out.append(head + _blank(text[i + len(head) : j]) + closing)
            if spans is not None:
                spans.append((i, i + len(head), j))
            return j + len(closing)
        j += 1
    out.append(head + _blank(text[i + len(head) :]))  # unterminated: to the end
    if spans is not None:
        spans.append((i, i + len(head), len(text)))
    return len(text)


def _block_comment_end(text: str, i: int) -> int:
    depth, j = 0, i
    for m in _COMMENT_MARK.finditer(text, i):
        depth += 1 if m.group() == "/*" else -1
        j = m.end()
        if depth == 0:
            return j
    return len(text)


def _blank(part: str) -> str:
    return re.sub(r"[^\n]", " ", part)
