"""Text the pull request controls, made safe for the place a report shows it.

Checks produce plain text: messages, summaries and details (:mod:`gatekeeper.model`'s
blocks and spans) that quote the PR's paths, spec names, commit messages and tool
output as they are. This module is the one place that text is escaped for Markdown
(the PR comment, the step summary, the check run's summary) and for a terminal. Workflow
commands and annotations, the third destination, are escaped in ``github/publish.py``.

What Markdown text may not do once escaped: start a heading, list, quote or rule; open
raw HTML (a comment that hides the rows after it, a ``</details>`` that closes our
fold, an image that calls out); emphasise, link or strike through; leave a table cell or
a code span; notify a user or team (``@name``), link an issue (``#12``) or set math
(``$x$``). What a terminal line may not hold: any C0 or C1 control (ESC sequences,
BEL, carriage return) or a bidirectional override that reorders what is shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from gatekeeper.model import Block, Bullet, BulletList, Heading, Inline, Paragraph, Style, Table

# C0 and C1 controls, DEL, and the invisible marks that reorder or break displayed text:
# the Arabic letter mark, LRM/RLM, line and paragraph separators, bidi embeddings,
# overrides and isolates (the "Trojan Source" characters).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """Control and bidi characters shown as ``\\xNN`` / ``\\uNNNN``: a finding quoting a
    file must not be able to move the cursor, recolour a terminal or reorder a line."""
    return _CONTROL.sub(_shown, text)


def one_line(text: str, limit: int = 0) -> str:
    """Collapse whitespace runs (newlines included) to one space, show control characters,
    and cut at ``limit`` with "…". The result is safe on a terminal."""
    flat = visible_controls(" ".join(text.split()))
    if limit and len(flat) > limit:
        return flat[: limit - 1] + "…"
    return flat


def shown_path(text: str) -> str:
    """A file name or location for display: a line break in a name is shown as an escape,
    not folded into a space, so "a\\nb.py" cannot pass for "a b.py"."""
    return visible_controls(text)


def terminal(text: str) -> str:
    """Several lines for a terminal: newlines kept, every other control made visible."""
    return "\n".join(visible_controls(line) for line in text.split("\n"))


# --- Markdown -------------------------------------------------------------------------

#: backslashed wherever they appear (all are ASCII punctuation, so the escape is valid)
_MD_SPECIAL = frozenset("\\`*_[]|~#")
#: GitHub links @user and @org/team in text, including text inside HTML blocks
_MENTION = re.compile(r"(?<![A-Za-z0-9_])@(?=[A-Za-z0-9_])")
#: ...and #123 to an issue, which adds a cross-reference to that issue's timeline
_ISSUE_REF = re.compile(r"(?<![A-Za-z0-9_])#(?=[0-9])")
#: what opens a block when it starts a line: a list item, a rule, a setext underline
_LEADING_MARK = re.compile(r"[-+=]|[0-9]{1,9}(?=[.)])")
#: text in single backticks, shown as code (the way the message's author meant it)
_BACKTICKED = re.compile(r"`([^`]+)`")
#: a zero-width space: keeps "@team" readable while GitHub no longer sees a mention
_ZWSP = "\u200b"


def _defuse(text: str) -> str:
    """No mention, no issue link, no math: applied after HTML escaping (``&#36;`` is
    an entity, so "$" must be replaced last)."""
    text = _MENTION.sub("@" + _ZWSP, text)
    text = _ISSUE_REF.sub("#" + _ZWSP, text)
    return text.replace("$", "&#36;")


def _md_plain(flat: str) -> str:
    out = "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in flat)
    lead = _LEADING_MARK.match(out)
    # "- x", "1. x", "===" are harmless mid-line but a list or a heading at line start
    if lead and lead.group()[0].isdigit():
        out = out[: lead.end()] + "\\" + out[lead.end() :]
    elif lead:
        out = "\\" + out
    return _defuse(html.escape(out, quote=False))


def md_text(text: str, limit: int = 0, *, in_table: bool = True) -> str:
    """Plain text as one line of Markdown that renders as exactly that text.

    Single-backticked parts (``"`user_id` was removed"``) become code spans, so a
    message that quotes a name reads as its author meant; everything else is escaped.
    ``in_table`` (the safe default) keeps a ``|`` in those spans from ending a cell.
    """
    flat = one_line(text, limit)
    parts: list[str] = []
    last = 0
    for match in _BACKTICKED.finditer(flat):
        parts.append(_md_plain(flat[last : match.start()]))
        parts.append(md_code(match.group(1), in_table=in_table))
        last = match.end()
    parts.append(_md_plain(flat[last:]))
    return "".join(parts)


def md_code(text: str, *, in_table: bool = True, limit: int = 300) -> str:
    """A code span showing ``text`` verbatim, whatever backticks it holds.

    In a table a ``|`` would end the cell even inside the span, so it is backslashed
    (GitHub removes that backslash again), and the backslashes before it doubled so that
    none can be read as escaping another backslash and leave the ``|`` bare.
    """
    flat = one_line(text, limit)
    if in_table and "|" in flat:
        flat = _table_pipes(flat)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space each side of a padded span, so padding keeps a leading
    # or trailing backtick apart from the fence and the text intact
    pad = " " if flat[:1] == "`" or flat[-1:] == "`" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _table_pipes(text: str) -> str:
    out: list[str] = []
    slashes = 0
    for char in text:
        if char == "\\":
            slashes += 1
            continue
        if char == "|":
            out.append("\\" * (2 * slashes) + "\\|")
        else:
            out.append("\\" * slashes + char)
        slashes = 0
    out.append("\\" * slashes)
    return "".join(out)


def md_html(text: str, limit: int = 0) -> str:
    """Text for inside an HTML element (a ``<summary>``): entities, no mention, one line."""
    return _defuse(html.escape(one_line(text, limit), quote=True))


def md_inline(text: Inline, *, in_table: bool = False, limit: int = 0) -> str:
    """A line of spans as Markdown; each span is escaped for its style, and the spaces
    around a span are kept (one each side) so spans join as they were written."""
    out = []
    for span in text:
        body = span.text.strip()
        if not body:
            out.append(" " if span.text else "")
            continue
        lead = " " if span.text[0].isspace() else ""
        trail = " " if span.text[-1].isspace() else ""
        if span.style is Style.CODE:
            body = md_code(body, in_table=in_table)
        elif span.style is Style.STRONG:
            body = f"**{md_text(body, limit, in_table=in_table)}**"
        else:
            body = md_text(body, limit, in_table=in_table)
        out.append(lead + body + trail)
    return "".join(out).strip()


def md_blocks(blocks: Sequence[Block], heading: str = "###") -> str:
    """A check's details as Markdown: every span escaped, so nothing the pull request
    wrote can become markup. Blocks are separated by blank lines."""
    return "\n\n".join(_block(b, heading) for b in blocks)


def _block(block: Block, heading: str) -> str:
    if isinstance(block, Heading):
        return f"{heading} {md_inline(block.text)}"
    if isinstance(block, Paragraph):
        return md_inline(block.text)
    if isinstance(block, BulletList):
        return "\n".join(_bullet(item) for item in block.items)
    return _table(block)


def _bullet(item: Bullet) -> str:
    lines = [f"- {md_inline(item.text)}"]
    lines += [f"  - {md_inline(child)}" for child in item.children]
    return "\n".join(lines)


def _table(table: Table) -> str:
    width = len(table.header)
    head = "| " + " | ".join(md_text(h) for h in table.header) + " |"
    rule = "|" + "|".join("---:" if i in table.numeric else "---" for i in range(width)) + "|"
    rows = [head, rule]
    for row in table.rows:
        cells = [md_inline(cell, in_table=True) or "—" for cell in row[:width]]
        cells += ["—"] * (width - len(cells))
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)
