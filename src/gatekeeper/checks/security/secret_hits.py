"""What the secrets scan passes between its engines: a hit, the scan's options."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hit:
    """One secret found: where, which rule, and the value (kept only to redact and hash)."""

    path: str
    line: int
    end_line: int
    rule: str
    kind: str
    value: str
    #: found as an unquoted value (see :mod:`.secret_unquoted`)
    bare: bool = False


@dataclass(frozen=True)
class ScanOptions:
    """The secrets part's settings as the scan uses them."""

    allow: tuple[re.Pattern[str], ...]
    pragmas: bool
    min_entropy: float
    max_line: int
    entropy_strings: bool
    tests: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()


def overlaps(line: int, value: str, found: Sequence[tuple[int, str]]) -> bool:
    return any(n == line and (value in v or v in value) for n, v in found)
