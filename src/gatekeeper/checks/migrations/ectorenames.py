"""A merged Ecto migration edited only to follow a function the same change renames.

A migration that calls application code (``TeslaMate.Vault.default_chipher(key)``) must
be edited when that function is renamed (to ``default_cipher``), or it no longer
compiles. What it runs is the same function under its new name: no database sees a
difference, so the edit is a warning rather than a history rewrite. It holds only when
all of this is true, read from the change itself:

- the two versions of the migration differ in one identifier, ``old`` everywhere it
  changed becoming ``new`` (comments and layout aside), and nothing else;
- a changed Elixir file defined ``old`` at base (``def``/``defp``) and
  defines ``new`` at head, with the same body once ``old`` reads ``new``;
- ``old`` is a word no Elixir file holds at head any more, so no other definition of it
  is left for the migration to have meant.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet, FileStatus
from gatekeeper.checks.migrations import ecto

_TOKEN = re.compile(r"[A-Za-z_]\w*[!?]?|\d+|\S")
_IDENT = re.compile(r"^[a-z_]\w*[!?]?$")
_ELIXIR = ("*.ex", "*.exs")
#: changed Elixir files read for the definition, at most
MAX_FILES = 200


def _tokens(text: str) -> list[str]:
    lines = ecto.code_lines(text)
    return [t for line in lines for t in _TOKEN.findall(line)]


def renamed(before: str, after: str) -> tuple[str, str] | None:
    """``(old, new)`` when ``after`` is ``before`` with one identifier replaced (every
    token that differs is that pair), else None."""
    old_tokens, new_tokens = _tokens(before), _tokens(after)
    if len(old_tokens) != len(new_tokens):
        return None
    pairs = {(a, b) for a, b in zip(old_tokens, new_tokens, strict=True) if a != b}
    if len(pairs) != 1:
        return None
    old, new = pairs.pop()
    if not (_IDENT.match(old) and _IDENT.match(new)):
        return None
    return old, new


def defined_renamed(changes: ChangeSet, old: str, new: str) -> str | None:
    """The changed Elixir file that renames the definition of ``old`` to ``new`` (its
    body unchanged), when ``old`` is left nowhere in the head's Elixir files; else None."""
    left = changes.head_files_containing([old], _ELIXIR)
    if left is None or left:
        return None  # still used or defined somewhere (or the tree cannot tell)
    files = changes.matching(_ELIXIR, include_deleted=False)
    for f in files[:MAX_FILES]:
        if f.status is not FileStatus.MODIFIED:
            continue
        base, head = changes.text_at_base(f.path), changes.text_at_head(f.path)
        if base is None or head is None:
            continue
        was, now = _definition(base, old), _definition(head, new)
        if was is not None and now is not None and was == [old if t == new else t for t in now]:
            return f.path
    return None


def _definition(text: str, name: str) -> list[str] | None:
    """The tokens of the body of the function ``name`` defined in ``text``, or None."""
    method = ecto.methods(text).get(name)
    if method is None:
        return None
    return [t for _, line in method.body for t in _TOKEN.findall(line)]


def follows_rename(changes: ChangeSet, before: str, after: str) -> tuple[str, str, str] | None:
    """``(old, new, defining file)`` when the edit of a merged migration from ``before``
    to ``after`` only follows a rename the change makes at the function's definition."""
    pair = renamed(before, after)
    if pair is None:
        return None
    where = defined_renamed(changes, *pair)
    return (*pair, where) if where is not None else None
