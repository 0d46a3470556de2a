"""Where the secrets part looks, and which allowlist pragmas it honours.

A secret is searched for in the bytes of a changed file (UTF-8, or one byte to one
character when the file is in another encoding, so an ASCII token cannot hide behind a
coding line), on lines numbered the way git numbers them. A pragma that allows a secret
(``pragma: allowlist secret``, ``gatekeeper: allow-secret``, or ``pragma: allowlist
nextline secret`` just above) is honoured when the base commit had it; one the pull
request wrote is judged by :mod:`gatekeeper.changes.suppressions`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from gatekeeper.changes import ChangedFile, FileKind
from gatekeeper.changes.suppressions import Marker, Suppressions
from gatekeeper.checks.interface import CheckContext
from gatekeeper.model import Finding

#: markers that allow a secret on their own line, and the one that allows the next line
_PRAGMA = re.compile(r"pragma:\s*allowlist\s+secret|gatekeeper:\s*allow-secret")
_NEXTLINE_PRAGMA = re.compile(r"pragma:\s*allowlist\s+nextline\s+secret")


class Spot(Protocol):
    """Where a secret was found (the secrets part's Hit has these)."""

    @property
    def path(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def end_line(self) -> int: ...


@dataclass(frozen=True)
class Pragmas:
    """Whether allowlist pragmas count at all, and the judge of those the PR wrote."""

    honour: bool
    suppressions: Suppressions

    def review(self, finding: Finding, hit: Spot, lines: Sequence[str]) -> Finding | None:
        """The finding, marked if a pragma the PR wrote hides it; None if a pragma may."""
        marker = _pragma_marker(hit, lines) if self.honour else None
        return finding if marker is None else self.suppressions.review(finding, marker)


def _pragma_marker(hit: Spot, lines: Sequence[str]) -> Marker | None:
    """The pragma that allows ``hit``: on one of its lines, or "nextline" just above."""
    covers = (hit.line, hit.end_line)
    for n in range(hit.line, hit.end_line + 1):
        m = _PRAGMA.search(lines[n - 1]) if n <= len(lines) else None
        if m is not None:
            return Marker(m.group(0), hit.path, n, covers)
    above = lines[hit.line - 2] if 1 < hit.line <= len(lines) + 1 else ""
    m = _NEXTLINE_PRAGMA.search(above)
    return Marker(m.group(0), hit.path, hit.line - 1, covers) if m else None


def git_lines(text: str) -> list[str]:
    """Lines as git numbers them: only ``\n`` ends one (``str.splitlines`` also breaks at
    form feeds, U+2028 and more, which would shift a secret off the added line it is on)."""
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def scan_view(ctx: CheckContext, f: ChangedFile) -> str | None:
    """The text to search for secrets: UTF-8, or else the bytes one for one (Latin-1), so a
    token written in ASCII is found whatever encoding the file claims to be in."""
    if not f.added or f.kind not in (FileKind.TEXT, FileKind.UNDECODABLE):
        return None
    data = ctx.changes.bytes_at_head(f.path)
    if data is None or len(data) > ctx.changes.max_file_bytes:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")
