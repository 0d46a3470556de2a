"""Hide secrets in everything a report publishes, in the forms a leak usually takes.

The process that publishes (the GitHub Action) knows its token; code from the pull
request never should, but if a command, a test report or a SARIF file echoes it anyway
the token must not reach the PR comment, the check run, the log or a report file. The
runner's own masking covers its log only, and only the plain form. Here each secret is
hidden

* plain, and URL-encoded (any mix of characters and ``%XX`` escapes, either case);
* spaced: up to three whitespace or punctuation characters between its characters
  (``g h p _ x``, one character per line, ``g-h-p``);
* base64-encoded inside a longer blob, at each of the three byte alignments, in the
  standard and the URL-safe alphabet (``Authorization: basic`` headers carry it so).

:func:`mask_verdict` applies a :class:`Masker` to every text of a verdict, so every
reporter renders the masked text without knowing about secrets.
"""

from __future__ import annotations

import base64
import dataclasses
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from gatekeeper.model import Verdict

#: what a hidden secret is replaced with
MASK = "***"
#: shorter values would mask ordinary words (and cannot be a real token)
MIN_SECRET_LEN = 8
#: what may stand between the characters of a "spaced" secret
_GAP = r"(?:[^0-9A-Za-z]{0,3})"

T = TypeVar("T")


def _char(char: str) -> str:
    """The character itself, or its percent-encoded bytes with hex digits in either case."""
    escaped = "".join(
        "%" + "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in f"{b:02X}")
        for b in char.encode("utf-8")
    )
    return f"(?:{re.escape(char)}|{escaped})"


def _base64_cores(secret: bytes) -> list[str]:
    """The part of ``base64(prefix + secret + suffix)`` that depends on the secret alone,
    for each length of prefix modulo 3 (the alignment)."""
    cores = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + secret).decode("ascii")
        tail = (shift + len(secret)) % 3
        start = (0, 2, 3)[shift]  # the characters that still hold prefix bits
        end = len(encoded) - (0, 3, 2)[tail]  # the padding and the character it cuts
        core = encoded[start:end]
        if len(core) >= MIN_SECRET_LEN:
            cores += [core, core.replace("+", "-").replace("/", "_")]
    return cores


class Masker:
    """Replaces each of some secrets, in any of its usual forms, with :data:`MASK`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = sorted({s for s in secrets if len(s) >= MIN_SECRET_LEN}, key=lambda s: -len(s))
        forms: list[str] = []
        for secret in values:
            forms.append(_GAP.join(_char(c) for c in secret))
            forms += [re.escape(core) for core in _base64_cores(secret.encode("utf-8"))]
        self._pattern = re.compile("|".join(forms)) if forms else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        """``text`` with every form of every secret replaced."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)


def mask_verdict(verdict: Verdict, masker: Masker) -> Verdict:
    """The verdict with every string in it (messages, summaries, details, paths, notes,
    the PR's title) passed through ``masker``."""
    return _masked(verdict, masker) if masker else verdict


def _masked(value: T, masker: Masker) -> T:
    return _walk(value, masker)  # type: ignore[no-any-return]


def _walk(value: Any, masker: Masker) -> Any:
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, tuple):
        return tuple(_walk(v, masker) for v in value)
    if isinstance(value, Mapping):
        return {k: _walk(v, masker) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _walk(getattr(value, f.name), masker)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    return value  # enums, numbers, dates, None
