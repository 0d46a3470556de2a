"""Just enough Markdown for PR descriptions: ATX headings, task-list items, comments.

Fenced code blocks are skipped (a heading or checkbox inside an example is not one) and
HTML comments are removed first (PR templates hide their hints in them).
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
# Each pattern is applied to one line of the PR's body and is linear in its length: no
# lazy group before a trailing run of blanks (a line of 60,000 spaces made the old task
# pattern quadratic: 85 s); the heading's text and closing #s are trimmed in code instead.
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
_TASK = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX])\][ \t]+(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def strip_comments(body: str) -> str:
    """``body`` without HTML comments (an unclosed one runs to the end)."""
    return _COMMENT.sub("", body)


def _heading(line: str) -> tuple[int, str] | None:
    """(level, text) of an ATX heading line, its closing ``#`` run removed, else None."""
    match = _HEADING.match(line)
    if match is None:
        return None
    text = (match.group(2) or "").rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1] in " \t"):  # "## Title ##": a closing run
        text = bare.rstrip(" \t")
    return len(match.group(1)), text


def heading_key(text: str) -> str:
    """How headings are compared: case-folded, spaces collapsed, trailing colon dropped."""
    return " ".join(text.strip().rstrip(":").split()).casefold()


def _lines(body: str) -> list[tuple[str, bool]]:
    """Each line of the comment-free body, with whether it is inside a fenced block."""
    out = []
    fence = ""
    for line in strip_comments(body).splitlines():
        match = _FENCE.match(line)
        if fence:
            out.append((line, True))
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
        elif match:
            fence = match.group(1)
            out.append((line, True))
        else:
            out.append((line, False))
    return out


def sections(body: str) -> dict[str, str]:
    """Heading key -> the text under it, up to the next heading of the same or a higher
    level (the first occurrence wins when a heading repeats)."""
    headings: list[tuple[int, int, str]] = []  # line index, level, key
    lines = _lines(body)
    for i, (line, fenced) in enumerate(lines):
        heading = None if fenced else _heading(line)
        if heading:
            headings.append((i, heading[0], heading_key(heading[1])))
    found: dict[str, str] = {}
    for n, (index, level, key) in enumerate(headings):
        end = len(lines)
        for later, later_level, _ in headings[n + 1 :]:
            if later_level <= level:
                end = later
                break
        content = [
            text
            for j, (text, fenced) in enumerate(lines[index + 1 : end], start=index + 1)
            if fenced or not any(h[0] == j for h in headings)
        ]
        found.setdefault(key, "\n".join(content))
    return found


def checklist(body: str) -> list[tuple[bool, str]]:
    """Task-list items in order: (ticked, text)."""
    items = []
    for line, fenced in _lines(body):
        match = None if fenced else _TASK.match(line)
        if match:
            items.append((match.group(1) in "xX", match.group(2).strip()))
    return items


def text_without_headings(body: str) -> str:
    """The description's prose: no comments, no headings, stripped (empty if none)."""
    kept = [line for line, fenced in _lines(body) if fenced or _heading(line) is None]
    return "\n".join(kept).strip()
