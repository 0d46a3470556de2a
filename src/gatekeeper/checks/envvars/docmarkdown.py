"""Names a Markdown, reStructuredText or AsciiDoc page documents, and a manual page's.

A page documents a variable where a reader is shown it as a setting: a code span, a table
cell, bold or a heading of its own, an ``envvar`` directive, prose that calls it an
environment variable, a fenced block's assignment. A name merely mentioned in a sentence
documents nothing. Code spans and table cells also document configuration keys (dotted,
camelCase) and command-line options.
"""

from __future__ import annotations

import re
from typing import Protocol

from gatekeeper.checks.envvars.docforms import defined_terms


class Documentation(Protocol):
    """Where the names and keys a page documents are recorded (docs.Documentation)."""

    def add(self, name: str, path: str, line: int) -> None: ...

    def add_key(self, key: str, path: str, line: int) -> None: ...


#: a variable's name as code writes one
NAME_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: a command-line option, hyphenated (``web-push-expiry-duration``, ``--log-level``): a
#: flag that also reads a variable is documented by its option's name (text_urfave)
_OPTION = re.compile(r"(?:--)?([a-z][a-z0-9]*(?:-[a-z0-9]+)+)")
#: a heading that names several settings documented together (pulpcore's ``###
#: UPLOAD_PROTECTION_TIME, TMPFILE_PROTECTION_TIME and TASK_PROTECTION_TIME``): names
#: with an underscore, joined by commas, slashes, "and" or "or", and nothing else
_HEADING_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_HEADING_NAMES = re.compile(
    r"^#{1,6}\s+(?P<body>`?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+`?"
    r"(?:\s*(?:,|/|\band\b|\bor\b)\s*`?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+`?)+)\s*$"
)
#: an HTML table cell holding nothing but a name (``<td>API_RATE_LIMIT</td>``), as a
#: Markdown table's ``| NAME |`` cell does, also set in bold or as code
#: (``<td><strong>PHOENIX_ADMINS</strong></td>``, as phoenix's settings tables write it)
_HTML_CELL = re.compile(
    r"<t[dh](?:\s[^<>]*)?>\s*(?:<(?:strong|b|em|code)>\s*){0,2}"
    r"(?P<name>[A-Z][A-Z0-9_]*[A-Z0-9])\s*(?:</(?:strong|b|em|code)>\s*){0,2}</t[dh]>"
)
#: the delimiter row under a table's header, outer pipes optional (``--- | :---:``)
_TABLE_DELIMITER = re.compile(
    r"^[ \t]*(?:\|[ \t]*)?:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+(?:\|[ \t]*)?$"
)
#: a code span, in Markdown's backticks or as HTML (``<code>API_RATE_LIMIT</code>``, as
#: GitBook and other editors write the cells of the tables they save)
_CODE_SPAN = re.compile(r"`(?P<body>[^`\n]+)`|<code>(?P<html>[^<>`\n]+)</code>")
#: a camelCase configuration key (``redisEndpoint``), as a table cell or code span names it
_CAMEL_KEY = re.compile(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+")
#: a dotted configuration key (``database.schema``, ``files.s3.tempdir``) in a code span
#: or a table cell of the docs: viper-style settings are documented by their key path
_DOTTED_KEY = re.compile(r"[A-Za-z_][\w-]*(?:\.[A-Za-z0-9_][\w-]*)+")

#: in a fenced code block of the docs: ``NAME=value``, ``export NAME=``, ``-e NAME=``,
#: ``--env NAME=``, a compose file's ``NAME: value`` or ``- NAME=value``, each also
#: commented out (``#SMTP_PORT=``: a config file shown whole, its optional settings off)
_FENCED = re.compile(
    r"(?:^|[\[,]|\s(?!\s))#{0,2}\s*(?:export\s+|-e\s+|--env[= ]\s*|-\s+)?[\"']?"
    r"(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|[A-Z]{3,})[\"']?\s*(?:=|:(?:\s|$))"
)
#: a name in bold (``**NAME**``), a heading of its own (``### NAME``), or declared with
#: Sphinx's ``.. envvar:: NAME``
_EMPHASIS = re.compile(
    r"\*\*`?(?P<bold>[A-Z][A-Z0-9_]*[A-Z0-9])`?\*\*"
    r"|^#{1,6}\s+`?(?P<heading>[A-Z][A-Z0-9_]*_[A-Z0-9_]*)`?\s*(?:\{.*\})?$"
    r"|^\.\.\s+envvar::\s+(?P<envvar>[A-Za-z_][A-Za-z0-9_]*)"
)
_FENCE = re.compile(r"^\s*(?:```|~~~)")
#: in a code block, two more ways of showing a variable: a Kubernetes container's env
#: entry (``- name: NTFY_DEBUG # enable debug``, as ntfy's, livebook's and authelia's
#: install pages show a manifest), and a CLI's help output naming the variables an
#: option reads (urfave/cli's ``--debug, -d  enable debug logging [$NTFY_DEBUG]``)
_FENCED_MORE = re.compile(
    r"^\s*-\s+name:\s*[\"']?(?P<k8s>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]|[A-Z]{3,})[\"']?\s*(?:#.*)?$"
    r"|\[\$(?P<help>[A-Z][A-Z0-9_]*[A-Z0-9])(?:,\s*\$[A-Z][A-Z0-9_]*[A-Z0-9])*\]\s*$"
)
_HELP_MORE = re.compile(r"\$([A-Z][A-Z0-9_]*[A-Z0-9])")
#: a code block written as HTML, as READMEs do inside ``<details>`` (ArchiveBox's
#: ``<pre lang="bash"><code>`` listing ``TIMEOUT=240``): its lines are read as a fence's
_PRE_OPEN = re.compile(r"^\s*<pre\b[^>]*>(?:\s*<code\b[^>]*>)?")
_PRE_CLOSE = re.compile(r"</pre>")
#: in prose, an instruction to set a variable: "set the environment variable
#: KHOJ_ALLOWED_DOMAIN=your-domain" (a name with an underscore, a value right after ``=``,
#: on a line that tells the reader to set it: a name merely shown with a value documents
#: nothing, as everywhere else in prose)
_SET_WORDS = re.compile(
    r"\b(?:set|setting|export|define|configure|environment variables?|env vars?)\b", re.I
)
_PROSE_ASSIGNMENT = re.compile(
    r"(?<![\w$./-])(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])=(?=[^\s=])"
)


#: in prose, a name the sentence calls an environment variable: "you can use the API_KEY
#: environment variable", "the env var DB_HOST", "environment variable named LOG_LEVEL"
#: (the words right beside the name: a name merely shown documents nothing)
_PROSE_NAMED = re.compile(
    r"(?<![\w./-])(?P<before>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})\s+"
    r"(?i:environment|env)[\s-]+(?i:var(?:iable)?s?)\b"
    r"|\b(?i:environment|env)[\s-]+(?i:var(?:iable)?s?)\s+(?:(?i:called|named)\s+)?"
    r"\$?(?P<after>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z]{3,})(?![\w$/-]|\.\w)"
)


#: what opens a reStructuredText literal block: a code directive, or a paragraph ending
#: in ``::`` (``in mailu.env::``)
_RST_LITERAL = re.compile(
    r"^(?P<indent>\s*)(?:\.\.\s+(?:code-block|code|sourcecode)::.*|(?!\.\.\s)\S.*::)\s*$"
)


def rst_literal_lines(text: str) -> frozenset[int]:
    """The numbers of the lines inside reStructuredText literal blocks: after an opening
    line (:data:`_RST_LITERAL`), the blank lines and those indented deeper than it, up to
    the first line that is not (Mailu's ``.. code-block:: bash`` listing
    ``TRAEFIK_VERSION=v2`` for mailu.env)."""
    inside: set[int] = set()
    opened: int | None = None  # the opening line's indentation while in a block
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip())
        if opened is not None and (not line.strip() or indent > opened):
            inside.add(number)
            continue
        opened = None
        if m := _RST_LITERAL.match(line):
            opened = len(m.group("indent"))
    return frozenset(inside)


def parse_markdown(path: str, text: str, doc: Documentation) -> None:
    """Names in code spans (`` `NAME` ``, `` `NAME=value` ``), table cells, bold, their
    own headings, prose that calls them environment variables ("the API_KEY environment
    variable"), Sphinx ``envvar`` directives, and the assignments and compose
    ``environment:`` entries of fenced code blocks (``docker run -e NAME=...``); and the
    dotted or camelCase configuration keys of code spans and table cells
    (`` `database.schema` ``, `` `redisEndpoint` ``), and
    hyphenated option names (`` `log-level` ``, `` `--log-level` ``), which document a flag."""
    for name, number in defined_terms(path, text):  # ``NAME:: ...``, ``- NAME: ...``
        doc.add(name, path, number)
    fenced = pre = table = False
    # reStructuredText has no fences: a line of ``~`` there underlines a section title;
    # its code blocks are the indented lines under ``.. code-block::`` or a ``::``
    rst = path.endswith(".rst")
    literal = rst_literal_lines(text) if rst else frozenset()
    for number, raw in enumerate(text.splitlines(), start=1):
        if number in literal:  # read as a fence's line, and as prose as before
            for m in _FENCED.finditer(raw):
                doc.add(m.group("name"), path, number)
        # Markdown's escaped underscore, as some editors write every one outside code
        # (pulpcore's ``### TASK\_PREFER\_DEFER``): the name is the unescaped text
        line = raw if rst or fenced else raw.replace("\\_", "_")
        if not rst and _FENCE.match(line) and not pre:
            fenced = not fenced
            continue
        if not rst and not fenced and (opened := _PRE_OPEN.match(line)):
            fenced = pre = True
            line = line[opened.end() :]
        if pre and (closed := _PRE_CLOSE.search(line)):
            fenced = pre = False
            line = line[: closed.start()]
            for m in _FENCED.finditer(line):
                doc.add(m.group("name"), path, number)
            continue
        if fenced:
            for m in _FENCED.finditer(line):
                doc.add(m.group("name"), path, number)
            _fenced_more(path, line, number, doc)
            continue
        _code_spans(path, line, number, doc)
        if _SET_WORDS.search(line):
            for m in _PROSE_ASSIGNMENT.finditer(line):
                doc.add(m.group("name"), path, number)
        for m in _PROSE_NAMED.finditer(line):
            doc.add(m.group("before") or m.group("after"), path, number)
        if heading := _HEADING_NAMES.match(line.strip()):
            for name in _HEADING_NAME.findall(heading.group("body")):
                doc.add(name, path, number)
        for m in _EMPHASIS.finditer(line.strip()):
            doc.add(m.group("bold") or m.group("heading") or m.group("envvar"), path, number)
        # a table's rows, with or without the leading pipe (GitHub's tables may leave out
        # the outer pipes: ``NAME | - | ... `` under a ``--- | ---`` delimiter row)
        table = (table and "|" in line) or bool(_TABLE_DELIMITER.match(line))
        if table or line.lstrip().startswith("|"):
            _table_cells(path, line, number, doc)
        for m in _HTML_CELL.finditer(line):
            doc.add(m.group("name"), path, number)
        for m in _COMPONENT_FIELD.finditer(line):
            doc.add(m.group("name"), path, number)


def _fenced_more(path: str, line: str, number: int, doc: Documentation) -> None:
    """A code block line's Kubernetes env entry or CLI help's ``[$NAME, $OTHER]``."""
    if (m := _FENCED_MORE.search(line)) is None:
        return
    if m.group("k8s"):
        doc.add(m.group("k8s"), path, number)
        return
    for name in _HELP_MORE.findall(line[m.start() :]):
        doc.add(name, path, number)


def _code_spans(path: str, line: str, number: int, doc: Documentation) -> None:
    """The names, keys and options the code spans of ``line`` show."""
    for m in _CODE_SPAN.finditer(line):
        span = m.group("body") or m.group("html")
        for flag in _SPAN_ENV_FLAG.finditer(span):  # ``docker run -e "NAME=x" image``
            doc.add(flag.group("name"), path, number)
        candidate = span_name(span)
        if NAME_WORD.fullmatch(candidate) and candidate.isupper():
            doc.add(candidate, path, number)
        elif _DOTTED_KEY.fullmatch(candidate.split(":")[0].strip()):
            doc.add_key(candidate.split(":")[0].strip(), path, number)
        elif _CAMEL_KEY.fullmatch(candidate):
            doc.add_key(candidate, path, number)
        elif option := _OPTION.fullmatch(candidate.split(":")[0].strip()):
            doc.add_key(option.group(1), path, number)


def _table_cells(path: str, line: str, number: int, doc: Documentation) -> None:
    """The names, keys and options the cells of a Markdown table's row hold."""
    for cell in line.strip().strip("|").split("|"):
        word = cell.strip().strip("`*")
        if NAME_WORD.fullmatch(word) and word.isupper():
            doc.add(word, path, number)
        elif named := _CELL_NAMES.search(word):
            doc.add(named.group("name") or named.group("last"), path, number)
        elif _DOTTED_KEY.fullmatch(word) or _CAMEL_KEY.fullmatch(word):
            doc.add_key(word, path, number)
        elif option := _OPTION.fullmatch(word):
            doc.add_key(option.group(1), path, number)


#: a table cell describing a setting that names its variable in parentheses or as its
#: last word, as helm-docs tables do (``| server.port | int | `6006` | Port of the web UI
#: (PHOENIX_PORT) |``, ``| logging.level | ... | Logging level PHOENIX_LOGGING_LEVEL |``)
_CELL_NAMES = re.compile(
    r"\(`?(?P<name>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`?\)"
    r"|(?<=\s)(?P<last>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\.?$"
)
#: what a code span may hold around a name: a shell's or docker's way of setting it
#: (`` `-e LEMMY_DISABLE_HTTP_SERVER=true` ``, `` `export NAME=x` ``) and quotes
#: (`` `"CACHE_FLAGS_SECONDS"` ``, as flagsmith's docs write names)
_SPAN_PREFIX = re.compile(r"^(?:export\s+|-e\s+|--env[=\s]\s*)")
#: a command in a code span that sets a variable for the process it starts, as a fenced
#: block's does: ``docker run -p 5000:5000 -e "WF_SERVER=http://server:8080" conductor:ui``
_SPAN_ENV_FLAG = re.compile(
    r"(?:^|\s)(?:-e|--env)(?:=|\s+)[\"']?(?P<name>[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9])="
)


def span_name(span: str) -> str:
    """The name a code span shows as a setting, or what else it holds (a key, an option):
    ``NAME``, ``$NAME``, ``${NAME}``, ``NAME=value``, ``-e NAME=value``, ``"NAME"``."""
    body = _SPAN_PREFIX.sub("", span.strip())
    return body.lstrip("$").split("=")[0].strip("{} ").strip("\"'")


#: an MDX docs component that documents one setting per element (Mintlify's
#: ``<ParamField path="SMTP_DEBUG" default="false">``, ``<ResponseField name="...">``)
_COMPONENT_FIELD = re.compile(
    r"<[A-Z][A-Za-z]{0,40}Field\b[^<>\n]{0,200}?\b(?:path|name|query|body|header)="
    r"[\"'](?P<name>[A-Z][A-Z0-9_]*[A-Z0-9])[\"']"
)


#: roff: a name set in bold by a macro (``.B NAME``, ``.BR NAME (1)``, ``.IP NAME``) or
#: inline (``\fBNAME\fR``), the way manual pages list options and variables
_ROFF_BOLD = re.compile(
    r"^\.(?:B|BR|BI|IP|TP|It|Ev)\s+\"?(?P<macro>[A-Z][A-Z0-9_]*[A-Z0-9])\b"
    r"|\\f[B3](?P<inline>[A-Z][A-Z0-9_]*[A-Z0-9])\\f[RP1]"
)


def parse_man(path: str, text: str, doc: Documentation) -> None:
    """Names set in bold in a manual page: ``.B NAME`` after ``.TP``, ``\fBNAME\fR``."""
    for number, line in enumerate(text.splitlines(), start=1):
        for m in _ROFF_BOLD.finditer(line):
            name = m.group("macro") or m.group("inline")
            if "_" in name or len(name) >= 3:
                doc.add(name, path, number)
