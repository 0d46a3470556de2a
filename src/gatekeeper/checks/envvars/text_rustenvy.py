"""Rust settings structs filled from the environment by envy.

``envy::from_env::<Config>()`` reads one variable per field of ``Config``, its name
upper-cased (``database_url`` -> ``DATABASE_URL``); ``envy::prefixed("APP_")`` puts the
prefix before each. The struct is the one the call names: by a turbofish, by the type of
the ``let`` it is assigned to, or by the ``Result<Config, ...>`` its function returns; it
is read only when the same file declares it (a struct elsewhere is not seen). A field
renamed by serde (``#[serde(rename = "db")]``) is read under that name, upper-cased too;
a ``#[serde(flatten)]`` or ``#[serde(skip)]`` field is no variable of its own.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.rustlex import mask

_CALL = re.compile(
    r"\benvy::(?:prefixed\(\s*(?P<prefix>\"[^\"\n]{0,100}\")\s*\)\s*\.\s*)?from_env"
    r"(?:\s*::\s*<\s*(?P<turbofish>[A-Za-z_]\w*)\s*>)?"
)
LET = re.compile(r"\blet\s+(?:mut\s+)?\w+\s*:\s*(?P<type>[A-Za-z_]\w*)\s*=[^;]{0,300}$")
_RETURNS = re.compile(
    r"->\s*(?:[\w:]*Result\s*<\s*)?(?P<type>[A-Za-z_]\w*)\s*[,>{][^{}]{0,100}\{[^{}]{0,2000}$"
)
STRUCT = re.compile(r"\bstruct\s+(?P<name>[A-Za-z_]\w*)\s*(?:<[^>{]{0,200}>\s*)?\{")
_FIELD = re.compile(
    r"(?P<attrs>(?:#\[[^\]]{0,300}\]\s*)*)(?:pub(?:\([^)]{0,50}\))?\s+)?"
    r"(?P<field>[A-Za-z_]\w*)\s*:(?!:)"
)
RENAME = re.compile(r"\brename\s*=\s*\"(?P<name>[A-Za-z_]\w*)\"")
SKIPPED = re.compile(r"#\[\s*serde\s*\([^\]]*\b(?:flatten|skip|skip_deserializing)\b")


def envy_reads(text: str) -> list[EnvRead]:
    """The variables the envy calls of a Rust file read through the file's structs."""
    if "envy::" not in text:
        return []
    code = mask(text)  # comments and string contents blanked, offsets kept
    reads: list[EnvRead] = []
    for m in _CALL.finditer(code):
        prefix_at = text.find('"', m.start(), m.end())
        prefix = text[prefix_at + 1 : text.find('"', prefix_at + 1)] if prefix_at != -1 else ""
        name = m.group("turbofish") or _target(code, m.start())
        fields = _fields(code, text, name) if name else None
        if fields is None:
            continue
        line = line_of(text, m.start())
        prefix = prefix.upper() if re.fullmatch(r"[A-Za-z0-9_]{0,100}", prefix) else ""
        reads += [
            EnvRead(prefix + f.upper(), line, "envy struct field", case_insensitive=True)
            for f in fields
        ]
    return reads


def _target(text: str, at: int) -> str | None:
    """The struct a ``from_env()`` without a turbofish fills: the ``let``'s type, else the
    type its function returns."""
    before = text[max(0, at - 2500) : at]
    let = LET.search(before[-400:])
    if let is not None:
        return let.group("type")
    returns = _RETURNS.search(before)
    return returns.group("type") if returns is not None else None


def _fields(code: str, text: str, name: str) -> list[str] | None:
    """The names serde reads the fields of the file's struct ``name`` under (None when
    the file declares no such struct with named fields). ``code`` is the masked text."""
    for m in STRUCT.finditer(code):
        if m.group("name") != name:
            continue
        end = closing_brace(code, m.end() - 1)
        body = code[m.end() : end]
        out = []
        for f in _FIELD.finditer(body):
            if brace_depth(body, f.start()) or SKIPPED.search(f.group("attrs")):
                continue
            attrs = text[m.end() + f.start("attrs") : m.end() + f.end("attrs")]
            rename = RENAME.search(attrs)
            out.append(rename.group("name") if rename else f.group("field"))
        return out
    return None


def closing_brace(code: str, brace: int) -> int:
    """Where the ``{`` at ``brace`` closes (the end of the text when it does not)."""
    depth = 0
    for i in range(brace, len(code)):
        if code[i] == "{":
            depth += 1
        elif code[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(code)


def brace_depth(body: str, at: int) -> int:
    """How deep in brackets ``at`` is within a struct body (a field's type is at 0 only
    before its own generics; a field name is always at 0)."""
    depth = 0
    for ch in body[:at]:
        if ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth = max(0, depth - 1)
    return depth
