"""Settings a document defines as terms, the way reference pages list them without any
markup on the name itself.

- AsciiDoc's labeled list, ``NAME:: what it does`` (the term at the line's start);
- reStructuredText's definition list, a line holding only the name with its description
  indented below it (``NAME`` / ``   what it does``), and the ``.. confval:: NAME``
  directive of Sphinx's configuration-value extensions;
- a Markdown list item that starts with the name and goes on to say what it is:
  ``- NAME: what it does``, ``* NAME - what it does``, ``- NAME (default 30)``.

A name anywhere else in a sentence ("- Added NAME support") is prose and defines nothing,
and a release log (``CHANGELOG.md``, ``HISTORY.rst``, ``NEWS``...) states what changed,
not what a setting is: none of its lines count here.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

#: a setting's name: two words at least (``LOG_LEVEL``), so a heading word is no term
_TERM = r"(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])"
_ADOC_TERM = re.compile(rf"^{_TERM}(?:::|;;)(?:[ \t]|$)", re.M)
_RST_TERM = re.compile(rf"^{_TERM}[ \t]*\n[ \t]+\S", re.M)
_RST_CONFVAL = re.compile(rf"^\.\.[ \t]+(?:\w+:)?confval::[ \t]+{_TERM}[ \t]*$", re.M)
#: the item's text after the name says what it is: a colon, a dash, or a parenthesis
_LIST_TERM = re.compile(
    rf"^[ \t]*[-*+][ \t]+{_TERM}(?:[ \t]*:[ \t]+\S|[ \t]+[-\u2013\u2014][ \t]+\S|[ \t]*\()",
    re.M,
)
#: file names of release logs (any extension, any case)
_RELEASE_LOG = re.compile(r"^(?:change[-_ ]?log|changes|history|news|release[-_ ]?notes)\b", re.I)


def is_release_log(path: str) -> bool:
    """A changelog, by its name: ``CHANGELOG.md``, ``HISTORY.rst``, ``release-notes.md``."""
    return bool(_RELEASE_LOG.match(PurePosixPath(path).name))


def defined_terms(path: str, text: str) -> list[tuple[str, int]]:
    """``(name, line)`` of each setting ``text`` (the document at ``path``) defines as a
    term; nothing for a release log."""
    if is_release_log(path):
        return []
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".adoc", ".asciidoc"):
        patterns = [_ADOC_TERM]
    elif suffix == ".rst":
        patterns = [_RST_TERM, _RST_CONFVAL]
    elif suffix in (".md", ".mdx", ".markdown"):
        patterns = [_LIST_TERM]
    else:
        return []
    return [
        (m.group("name"), text.count("\n", 0, m.start("name")) + 1)
        for pattern in patterns
        for m in pattern.finditer(text)
    ]
