"""Rust source told apart: its code (comments and literals blanked) and its strings, for
the diesel readers (dieselread.py); the lexing is the shared one of rustlex.py."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.rustlex import mask

#: a call whose string argument is SQL (diesel's ``sql``, ``sql_query``; sqlx's
#: ``query``; ``execute``), just before a string literal
_SQL_CALL = re.compile(
    r"\b(?:sql|sql_query|sql_literal|query|query_as|query_scalar|execute|batch_execute)"
    r"\s*(?:::\s*<[^()]*>\s*)?\(\s*(?:&\s*)?$"
)


@dataclass(frozen=True, slots=True)
class RustText:
    """``code``: the source with comments blanked and each string literal's punctuation
    (its words kept: ``#[table_name = "versions"]``), as long as the source; ``strings``:
    the literals' contents, in order; ``offsets``: where each one starts in ``code`` (its
    prefix or opening quote)."""

    code: str
    strings: tuple[str, ...]
    offsets: tuple[int, ...]

    @classmethod
    def read(cls, text: str) -> RustText:
        """Split ``text`` (the lexing is rustlex.py's; an unterminated comment or string
        runs to the end)."""
        spans: list[tuple[int, int, int]] = []
        code = mask(text, spans)
        pieces, at = [], 0
        for _, inner, end in spans:
            pieces += [code[at:inner], re.sub(r"\W", " ", text[inner:end])]
            at = end
        pieces.append(code[at:])
        return cls(
            "".join(pieces),
            tuple(text[inner:end] for _, inner, end in spans),
            tuple(start for start, _, _ in spans),
        )

    def in_sql_call(self, index: int) -> bool:
        """Whether string ``index`` is the argument of a call that runs SQL."""
        before = self.code[max(0, self.offsets[index] - 120) : self.offsets[index]]
        return _SQL_CALL.search(before) is not None
