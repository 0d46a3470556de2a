"""A request enum value the spec drops but the server never had: the spec catching up.

Removing a value from a request enum breaks the clients that send it, if the server ever
accepted it. When the description was simply wrong (it documented ``query`` while the
code has always spelled it ``query-param``), no client could have sent ``query`` and
had it work, and the change is a correction. The gate cannot run the server, so it asks
the code at base, and lowers the error to a warning only when every piece of evidence
points the same way:

- the pull request changes nothing but this spec's files and prose documentation (a
  change to code could be what makes the value go away);
- each removed value is a plain token that no source file at base (tests aside) holds
  as a quoted literal (``'query'``, ``"query"``, a backquoted string) or a symbol
  (``:query``), in any case;
- the change adds a value to the same enum, and one source file at base holds every
  value the enum now lists as a quoted literal, exactly, without the removed value as a
  word in any case: the code's own definition of the enum, which the spec now matches.

A server that validates requests against the spec itself accepted the documented value
whatever its code says; that is why this is a warning, and why
``checks.openapi.enum_catch_up: false`` (the ``strict`` preset) keeps it blocking.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterable, Sequence

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.globs import match_any
from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.openapi.engine import Change
from gatekeeper.model import Level

#: the policy key (default true: a warning); false keeps these errors
SETTING = "enum_catch_up"
#: removed-value rule -> the rule that names the values added to the same enum
RULES = {
    "request-property-enum-value-removed": "request-property-enum-value-added",
    "request-parameter-enum-value-removed": "request-parameter-enum-value-added",
    "request-parameter-property-enum-value-removed": "request-parameter-property-enum-value-added",
}
#: source code a server is written in (git pathspecs: ``*`` crosses folders)
SOURCE_FILES = tuple(
    f"*.{ext}"
    for ext in (
        "php", "py", "go", "java", "kt", "kts", "scala", "groovy", "rb", "js", "mjs", "cjs",
        "jsx", "ts", "mts", "cts", "tsx", "cs", "fs", "vb", "rs", "swift", "ex", "exs", "erl",
        "clj", "dart", "c", "cc", "cpp", "h", "hpp", "m", "lua", "pl", "pm", "cr", "nim", "zig",
        "vue", "svelte",
    )
)  # fmt: skip
#: where else a server may list the values it accepts (a JSON Schema it validates with,
#: a database enum, a template): searched for the removed value, never for the definition
DATA_FILES = tuple(
    f"*.{ext}"
    for ext in (
        "json", "yaml", "yml", "xml", "toml", "properties", "sql", "graphql", "proto", "html",
        "twig", "erb", "ejs", "hbs",
    )
)  # fmt: skip
#: documentation folders: the spec's neighbours there (other parts, other API documents)
#: describe the API, they do not implement it
DOC_FOLDERS = ("**/docs/**", "**/doc/**")
#: test code: what it sends proves nothing about what the server accepts
TEST_FILES = (
    "**/test/**", "**/tests/**", "**/test-*/**", "**/test_*/**", "**/*-test/**", "**/*-tests/**",
    "**/__tests__/**", "**/spec/**", "**/specs/**", "**/testdata/**", "**/fixtures/**",
    "**/e2e/**", "**/test_*.py", "**/*_test.*", "**/*.test.*", "**/*.spec.*", "**/*_spec.rb",
    "**/*Test.*", "**/*Tests.*",
)  # fmt: skip
#: documentation a pull request may change beside the spec without changing any code
PROSE_FILES = ("**/*.md", "**/*.mdx", "**/*.rst", "**/*.adoc", "**/*.txt")
#: files holding a searched word that are read to look for literals, at most
MAX_READ = 300
#: values an enum may list for its definition to be looked for in the code
MAX_VALUES = 64
#: a value searched for: a plain token, so a whole-word search cannot miss it
_TOKEN = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.:/-]*[A-Za-z0-9_])?")
_MESSAGE = re.compile(r"enum value ('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") (?:removed|added) ")
NOTE = (
    " (the spec catches up with the code: no source or data file at base has {removed}, and {file} "
    "already defines {values}; checks.openapi.enum_catch_up: false blocks it)"
)


def catch_up(ctx: CheckContext, found: Sequence[Change], spec_files: Iterable[str]) -> list[Change]:
    """``found`` with each request enum value removal the code never had (see the module
    docstring) lowered to a warning: a new Change, saying why."""
    wanted = [c for c in found if c.rule in RULES and c.level is Level.ERROR]
    if not wanted or not ctx.config.get(SETTING, True):
        return list(found)
    if not _descriptions_only(ctx.changes, set(spec_files)):
        return list(found)
    code = _Code(ctx.changes, set(spec_files))
    lowered: dict[Change, Change] = {}
    for change in wanted:
        note = _evidence(change, found, code)
        if note is not None:
            lowered[change] = dataclasses.replace(
                change, level=Level.WARNING, message=change.message + note
            )
    return [lowered.get(c, c) for c in found]


def _descriptions_only(changes: ChangeSet, spec_files: set[str]) -> bool:
    for f in changes:
        for path in {f.path, f.old_path or f.path}:
            if path not in spec_files and not match_any(path, PROSE_FILES):
                return False
    return True


def _value(message: str) -> str | None:
    m = _MESSAGE.search(message)
    if m is None:
        return None
    try:
        value = ast.literal_eval(m.group(1))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _enum_site(evidence: str) -> str:
    """The schema node an enum change's evidence names (``<site>|enum-value-<verb>|<value>``)."""
    return evidence.rpartition("|enum-value-")[0]


def _evidence(change: Change, found: Sequence[Change], code: _Code) -> str | None:
    """The note saying why the removal is a correction, or None when it may not be."""
    removed = _value(change.message)
    enum = change.node.get("enum") if isinstance(change.node, dict) else None
    if removed is None or not isinstance(enum, list) or not _TOKEN.fullmatch(removed):
        return None
    added_rule, site = RULES[change.rule], _enum_site(change.evidence)
    siblings = (
        c
        for c in found
        if c.rule == added_rule
        and c.operation == change.operation
        and _enum_site(c.evidence) == site
    )
    added = [v for v in (_value(c.message) for c in siblings) if v is not None]
    values = [v for v in enum if v is not None]  # null: a nullable enum's own value
    if not added or len(values) > MAX_VALUES:
        return None
    if not all(isinstance(v, str) and _TOKEN.fullmatch(v) for v in values):
        return None
    if any(v not in values for v in added) or code.has_literal(removed):
        return None
    home = code.defining(values, added, removed)
    if home is None:
        return None
    shown = ", ".join(repr(v) for v in values)
    return NOTE.format(removed=repr(removed), file=home, values=shown)


class _Code:
    """Questions about the source files at base, each answered from one search."""

    def __init__(self, changes: ChangeSet, spec_files: set[str]) -> None:
        self._changes = changes
        self._spec_files = spec_files
        self._texts: dict[str, str | None] = {}
        #: answers already worked out (copies of one change to a shared schema ask again)
        self._literals: dict[str, bool] = {}
        self._homes: dict[tuple[tuple[str, ...], str], str | None] = {}

    def _files(self, words: Sequence[str], *, data: bool = False) -> list[str] | None:
        """Source files at base holding one of ``words`` as a word, tests aside; with
        ``data``, data and template files too (not the spec's own, nor documentation's)."""
        found = self._changes.base_files_containing(
            words, SOURCE_FILES + DATA_FILES if data else SOURCE_FILES
        )
        if found is None:
            return None
        return [
            p
            for p in found
            if not match_any(p, TEST_FILES)
            and p not in self._spec_files
            and not (match_any(p, DATA_FILES) and match_any(p, DOC_FOLDERS))
        ]

    def _text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._changes.text_at_base(path)
        return self._texts[path]

    def has_literal(self, value: str) -> bool:
        """Whether a source, data or template file holds ``value`` quoted or as a symbol,
        in any case; true when that cannot be known (too many files to read, one
        unreadable)."""
        if value not in self._literals:
            self._literals[value] = self._search_literal(value)
        return self._literals[value]

    def _search_literal(self, value: str) -> bool:
        files = self._files([value], data=True)
        if files is None or len(files) > MAX_READ:
            return True
        literal = re.compile(
            rf"""["'`]{re.escape(value)}["'`]|(?<![\w:]):{re.escape(value)}(?![\w-])""", re.I
        )
        for path in files:
            text = self._text(path)
            if text is None or literal.search(text):
                return True
        return False

    def defining(self, values: Sequence[str], added: Sequence[str], removed: str) -> str | None:
        """A source file holding every one of ``values`` as a quoted literal, exactly, and
        not ``removed`` as a word in any case; None when there is none. Only files holding
        an ``added`` value are read (a kept value may be a common word)."""
        key = (tuple(values), removed)
        if key not in self._homes:
            self._homes[key] = self._search_home(values, added, removed)
        return self._homes[key]

    def _search_home(self, values: Sequence[str], added: Sequence[str], removed: str) -> str | None:
        files = self._files(added)
        if files is None or len(files) > MAX_READ:
            return None
        quoted = [re.compile(rf"""["'`]{re.escape(v)}["'`]""") for v in values]
        word = re.compile(rf"(?<![\w-]){re.escape(removed)}(?![\w-])", re.I)
        for path in sorted(files):
            text = self._text(path)
            if text is not None and all(q.search(text) for q in quoted) and not word.search(text):
                return path
        return None
