"""Whether an SQL value keeps what a column held: the test moves.py puts to a copy.

``UPDATE t SET new = <value>`` before ``DROP COLUMN old`` moves ``old`` only when the
value carries every bit of it: ``old``, ``NOT old``, ``CAST(old AS text)``,
``COALESCE(old, '')``, ``lower(old)`` do; ``old IS NOT NULL`` keeps one bit,
``length(old)`` or ``md5(old)`` a number or a digest, and a value reading another column
mixes in what was not there.
"""

from __future__ import annotations

import re

#: a type a value is cast to (``::text``, ``AS character varying(20)``): no column
_CAST_TYPE = re.compile(
    r"(?:::|\bAS\b)\s*[A-Za-z_][\w ]*?(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s*\[\])?"
    r"(?=\s*(?:\)|$|,|\|\||::|\bEND\b|\bELSE\b|\bWHEN\b|\bTHEN\b))",
    re.I,
)
#: a name in a value; group 2 is set when it is called (a function)
_IDENT = re.compile(r"(?<![\w$'])([A-Za-z_][\w$]*(?:\s*\.\s*[A-Za-z_][\w$]*)?)(\s*\()?")
#: the words of a value that name no column
_VALUE_WORDS = frozenset({"not", "and", "or", "case", "when", "then", "else", "end", "null",
                          "true", "false", "is", "as", "interval", "array", "e"})  # fmt: skip
#: functions that keep only part of what they read
_LOSSY_FUNCTIONS = frozenset({"length", "char_length", "character_length", "octet_length",
                              "bit_length", "md5", "sha1", "sha224", "sha256", "sha384",
                              "sha512", "hash", "crc32", "left", "right", "substr",
                              "substring", "trunc", "truncate", "round", "floor", "ceil",
                              "ceiling", "sign", "date_trunc", "date_part", "extract",
                              "count", "isnull", "nullif"})  # fmt: skip
#: innermost CASE ... END (its WHEN may compare: the branches name what each value becomes)
_CASE = re.compile(r"\bCASE\b(?:(?!\bCASE\b).)*?\bEND\b", re.I | re.S)
#: JSON operators, which compare nothing
_ARROWS = re.compile(r"#>>|#>|->>|->|=>")
#: a comparison or a test, which keeps one bit of a value
_COMPARES = re.compile(
    r"<>|!=|<=|>=|[<>=]|\b(?:IS|LIKE|ILIKE|IN|BETWEEN|EXISTS|SIMILAR|REGEXP|GLOB)\b|~", re.I
)


def words(sql: str) -> str:
    """``sql`` with identifier quotes turned to spaces: ``"isAIEnabled"`` reads as a word."""
    return re.sub(r'["`\[\]]', " ", sql)


def keeps(value: str, column: str, written: str) -> bool:
    """Whether ``value`` keeps what ``column`` held: it reads no other column than that one
    and the one it writes (``details || jsonb_build_object('a', avatar)`` keeps the old
    details beside it), and outside a CASE it compares nothing (``NOT flag``, ``CAST(c AS
    text)``, ``COALESCE(c, '')``, ``lower(c)`` do; ``c IS NOT NULL`` of a text column keeps
    one bit of it, ``length(c)`` a number)."""
    text = _CAST_TYPE.sub(" ", words(value))
    allowed = {column.lower(), written.lower()}
    for m in _IDENT.finditer(text):
        word = m.group(1).rsplit(".", 1)[-1].lower()
        if m.group(2) is not None:
            if word in _LOSSY_FUNCTIONS:
                return False
        elif word not in allowed and word not in _VALUE_WORDS:
            return False
    outside = text
    while (inner := _CASE.sub(" ", outside)) != outside:
        outside = inner
    return not _COMPARES.search(_ARROWS.sub(" ", outside))
