"""Tables whose name says they are scratch space: dropping one loses no user's data.

Komga kept one ``TEMP_STRING_LIST`` table that its data-access code filled with a long
parameter list and emptied again before each use; the migration that drops it, once
SQLite temporary tables took its place, loses nothing anyone stored. A table named with
one of :data:`SCRATCH_WORDS` as a word of its own (``temp_string_list``, ``TmpImport``,
``scratch_rows``, ``import_tmp``) says it holds rows only while some job runs. The drop
is then a warning, not an error: the name is the team's own statement, and a reviewer
still sees it. Only whole words count: ``temperature``, ``template``, ``attempts``,
``tempo`` or a name run together in one word (``tempstringlist``) are ordinary tables.
"""

from __future__ import annotations

import re

#: words that, as a word of a table's name, mark the table as scratch space
SCRATCH_WORDS = frozenset({"temp", "tmp", "scratch", "temporary"})

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def scratch_word(table: str) -> str | None:
    """The word of ``table``'s name (schema and quotes aside) that marks it as scratch
    space, or None."""
    bare = table.rsplit(".", 1)[-1].strip('`"[]')
    words = [w.lower() for w in _WORD.findall(bare)]
    return next((w for w in words if w in SCRATCH_WORDS), None)
