"""Java's and Kotlin's environment reads, with the names kept in constants.

``System.getenv("OR_LOGGING_DIR")`` names its variable; so does ``System.getenv(OR_LOGGING_DIR)``
when the file declares ``public static final String OR_LOGGING_DIR = "OR_LOGGING_DIR";``
(openremote keeps every variable's name so, beside its default), or Kotlin's ``const val``.
A read through a constant of the same file, plain or qualified by a class the file
declares (``LogUtil.OR_LOGGING_DIR``), is a read of the constant's value; any other
argument stays a read whose name is computed (``dynamic-name``). A constant given two
values in one file is not resolved.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"\bSystem\.getenv\(\s*\"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\"")
_ARGUMENT = re.compile(
    r"\bSystem\.getenv\(\s*(?:(?P<ident>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\)|(?P<other>[^\"\s)]))"
)
#: ``static final String NAME = "VALUE";`` in any order of its modifiers, and Kotlin's
#: ``const val NAME = "VALUE"`` / ``val NAME: String = "VALUE"``
_CONSTANT = re.compile(
    r"\b(?:(?:static|final)\s+){2}String\s+(?P<java>[A-Za-z_]\w*)\s*=\s*\"(?P<jv>[^\"\\\n]*)\"\s*;"
    r"|\b(?:const\s+)?val\s+(?P<kotlin>[A-Za-z_]\w*)\s*(?::\s*String\s*)?=\s*\"(?P<kv>[^\"\\$\n]*)\""
)
_CLASS = re.compile(r"\b(?:class|interface|object|enum)\s+([A-Za-z_]\w*)")


def constants(text: str) -> dict[str, str]:
    """The file's string constants (a name given two values left out)."""
    found: dict[str, str] = {}
    dropped: set[str] = set()
    for m in _CONSTANT.finditer(text):
        name = m.group("java") or m.group("kotlin")
        value = m.group("jv") if m.group("java") else m.group("kv")
        if found.setdefault(name, value) != value:
            dropped.add(name)
    return {k: v for k, v in found.items() if k not in dropped}


def java_reads(text: str) -> list[EnvRead]:
    """``System.getenv`` reads: literal names, names in the file's constants, and the
    others as computed (name "")."""
    found = [(m.start(), m.group("name")) for m in _LITERAL.finditer(text)]
    known: dict[str, str] | None = None
    classes: set[str] | None = None
    for m in _ARGUMENT.finditer(text):
        name = ""
        if (ident := m.group("ident")) is not None:
            if known is None or classes is None:
                known, classes = constants(text), set(_CLASS.findall(text))
            owner, _, last = ident.rpartition(".")
            value = known.get(last) if not owner or owner in classes else None
            name = value if value is not None and _NAME.fullmatch(value) else ""
        found.append((m.start(), name))
    return [EnvRead(name, line_of(text, at), "System.getenv") for at, name in sorted(found)]
