"""Cut a base file down to the statements that could hold a given bandit finding.

A head finding is pre-existing only if the base file has a finding of the same test on
the same (normalised) code. So the base scan needs only the top-level statements whose
text contains one of those code snippets, plus every import (bandit resolves call names
through them). The other lines are blanked, not removed, so line numbers and the text
of kept lines stay exactly as they were; bandit then parses and walks a fraction of the
file, which is what keeps the base scan cheap when many changed files have findings.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Collection

#: compound statements that may hide imports (``try: import x``) and are kept when they do
_MAY_IMPORT = (ast.Try, ast.If, ast.With)


def normalise(text: str) -> str:
    """Whitespace collapsed, so code compares equal across re-indentation and wrapping."""
    return " ".join(text.split())


def reduce_source(source: str, codes: Collection[str]) -> str | None:
    """``source`` with only the statements that could hold ``codes``; None if unparseable."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    lines = source.splitlines(keepends=True)
    keep = [False] * len(lines)
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno, *(d.lineno for d in decorators)])
        end = node.end_lineno or node.lineno
        if _wanted(node, normalise("".join(lines[start - 1 : end])), codes):
            keep[start - 1 : end] = [True] * (end - start + 1)
    return "".join(line if kept else _blank(line) for line, kept in zip(lines, keep, strict=True))


def _wanted(node: ast.stmt, segment: str, codes: Collection[str]) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if any(code in segment for code in codes):
        return True
    return isinstance(node, _MAY_IMPORT) and any(
        isinstance(inner, (ast.Import, ast.ImportFrom)) for inner in ast.walk(node)
    )


def _blank(line: str) -> str:
    return "\n" if line.endswith(("\n", "\r")) else ""


#: files shorter than this are scanned whole: cutting them saves less than it costs
MIN_LINES_TO_REDUCE = 200


def reduce_pair(head: str, base: str) -> tuple[str, str] | None:
    """Both sides of a changed file cut to the statements the change touched, for bandit;
    None: scan both whole.

    A statement is untouched when the same text is a statement on the other side (counted:
    a third copy of a statement the base had twice is touched). Bandit's tests look at one
    statement and the names the module imports, so an untouched statement has the same
    findings on both sides, which would cancel anyway; dropping it from both keeps the
    head-minus-base difference exact, copies included. Comparing text (not the diff's
    added lines) also catches a statement changed only by a deleted line (``timeout=5,``
    removed from a call). Kept on each side: every import (and any block holding one),
    each top-level statement not matched on the other side (a class keeps its header and
    its unmatched members), and every statement using a name whose import changed
    (``from os import system`` rebinding ``system``). Both sides are scanned whole when
    the head is short, when either side does not parse, or when a ``*`` import changed."""
    if head.count("\n") < MIN_LINES_TO_REDUCE:
        return None
    try:
        head_tree, base_tree = ast.parse(head), ast.parse(base)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    head_names, base_names = _bound_names(head_tree), _bound_names(base_tree)
    rebound = {
        n for n in head_names.keys() | base_names.keys() if head_names.get(n) != base_names.get(n)
    }
    if "*" in rebound:
        return None
    uses = (
        re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(rebound))) + r")\b")
        if rebound
        else None
    )
    head_lines, base_lines = head.splitlines(keepends=True), base.splitlines(keepends=True)
    head_cut = _cut(head_tree, head_lines, _Texts(base_tree, base_lines), uses)
    base_cut = _cut(base_tree, base_lines, _Texts(head_tree, head_lines), uses)
    try:
        ast.parse(head_cut)
        ast.parse(base_cut)
    except (SyntaxError, ValueError):  # pragma: no cover - a shape the cut did not foresee
        return None
    return head_cut, base_cut


class _Texts:
    """The other side's statements by text, counted, consumed as they are matched."""

    def __init__(self, tree: ast.Module, lines: list[str]) -> None:
        self.top: Counter[str] = Counter(_text(n, lines) for n in tree.body)
        self.members: Counter[str] = Counter(
            _text(m, lines) for n in tree.body if isinstance(n, ast.ClassDef) for m in n.body
        )

    def match(self, text: str, counter: Counter[str]) -> bool:
        if counter[text] > 0:
            counter[text] -= 1
            return True
        return False


def _cut(tree: ast.Module, lines: list[str], other: _Texts, uses: re.Pattern[str] | None) -> str:
    keep = [False] * len(lines)
    stubs: list[int] = []  # lines that become ``pass``: a class kept with no member

    def touched(node: ast.stmt, counter: Counter[str]) -> bool:
        text = _text(node, lines)
        used = uses is not None and uses.search(text) is not None
        return not other.match(text, counter) or used

    for node in tree.body:
        if _wanted(node, "", ()):  # an import, or a block holding one, is kept whole
            spans = [_span(node)]
        else:
            spans, stub = _touched_spans(node, touched, other)
            stubs += [stub] if stub else []
        for start, end in spans:
            keep[start - 1 : end] = [True] * (end - start + 1)
    out = [line if k else _blank(line) for line, k in zip(lines, keep, strict=True)]
    for number in stubs:
        line = lines[number - 1]
        indent = line[: len(line) - len(line.lstrip())]
        out[number - 1] = f"{indent}pass" + ("\n" if line.endswith(("\n", "\r")) else "")
    return "".join(out)


def _touched_spans(
    node: ast.stmt,
    touched: Callable[[ast.stmt, Counter[str]], bool],
    other: _Texts,
) -> tuple[list[tuple[int, int]], int | None]:
    """The line spans of ``node`` to keep (none if it is untouched; a class keeps its
    header and its touched members), and a line to turn into ``pass`` when a class keeps
    its header alone (its members all match: only the header, or the member count, moved)."""
    if not touched(node, other.top):
        return [], None
    start, end = _span(node)
    if not isinstance(node, ast.ClassDef) or not node.body or node.body[0].lineno == node.lineno:
        return [(start, end)], None
    first = _span(node.body[0])[0]
    header = (start, max(start, first - 1))
    members = [_span(m) for m in node.body if touched(m, other.members)]
    return [header, *members], (None if members else first)


def _bound_names(tree: ast.Module) -> dict[str, str]:
    """Every name an import binds anywhere in the module -> what it binds it to."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                names[bound] = alias.name if alias.asname else bound
        elif isinstance(node, ast.ImportFrom):
            source = "." * node.level + (node.module or "")
            for alias in node.names:
                key = "*" if alias.name == "*" else alias.asname or alias.name
                names[key] = names.get(key, "") + f"{source}.{alias.name};"
    return names


def _span(node: ast.stmt) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)]), node.end_lineno or node.lineno


def _text(node: ast.stmt, lines: list[str]) -> str:
    start, end = _span(node)
    return "".join(lines[start - 1 : end])


def cut_pair(head: bytes, base: bytes | None) -> tuple[bytes, bytes | None]:
    """The bytes bandit should scan on each side of a changed file: :func:`reduce_pair`
    when the file existed at base and both sides are UTF-8, else both unchanged."""
    if base is None:
        return head, base
    try:
        pair = reduce_pair(head.decode("utf-8"), base.decode("utf-8"))
    except UnicodeDecodeError:
        return head, base
    if pair is None:
        return head, base
    return pair[0].encode("utf-8"), pair[1].encode("utf-8")
