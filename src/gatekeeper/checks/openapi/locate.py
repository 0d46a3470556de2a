"""Point each change at the file and line of the head schema node it is about.

YAML mappings carry their file and line from the loader (:class:`LineDict`). JSON gives
no positions and tokenizing megabytes in Python is too slow, so JSON lines are found
lazily, only for nodes that have a change: one walk of the parsed tree finds each node's
JSON pointer, then the pointer is followed through the text by indentation. Pretty-printed
JSON gets the exact line of the node's key; where a container keeps its children on its
own line (minified JSON), the line of the nearest located ancestor is the honest answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gatekeeper.checks.openapi.load import Document, LineDict
from gatekeeper.checks.openapi.rules.base import Change

#: a JSON pointer as parts: object keys (str) and array indexes (int)
Pointer = tuple["str | int", ...]


def locate(doc: Document, changes: list[Change]) -> list[Change]:
    """``changes`` with ``path``/``line`` moved to the node each one carries, when found."""
    pending = [c for c in changes if c.node is not None]
    if not pending:
        return changes
    spots: dict[int, tuple[str, int]] = {}
    json_nodes = {}
    for c in pending:
        node = c.node
        if isinstance(node, LineDict):
            if node.token is doc.token and node.line is not None:
                spots[id(node)] = (node.file, node.line)
        elif isinstance(node, (dict, list)):
            json_nodes[id(node)] = node
    if json_nodes:
        spots.update(_json_spots(doc, set(json_nodes)))
    out = []
    for c in changes:
        spot = spots.get(id(c.node)) if c.node is not None else None
        # built directly: dataclasses.replace costs 20 µs a change on the big specs
        out.append(
            c
            if spot is None
            else Change(
                c.operation,
                c.rule,
                c.message,
                c.level,
                spot[0],
                spot[1],
                c.evidence,
                c.node,
                c.shared,
            )
        )
    return out


def _json_spots(doc: Document, wanted: set[int]) -> dict[int, tuple[str, int]]:
    """File and line of the wanted JSON nodes found in the document's JSON files."""
    out: dict[int, tuple[str, int]] = {}
    for path in sorted(doc.texts):
        root = doc.files.get(path)
        pointers = pointers_of(root, wanted - set(out))
        if not pointers:
            continue
        finder = JsonLines(doc.texts[path])
        lines = finder.lines(list(pointers.values()))
        for node_id, pointer in pointers.items():
            out[node_id] = (path, lines[pointer])
    return out


def pointers_of(root: Any, wanted: set[int]) -> dict[int, Pointer]:
    """The JSON pointer of each wanted node (by ``id``) found under ``root``.

    Each stack entry is ``(node, key, parent entry)``: one tuple per container and no
    pointer copied until a wanted node is met; the walk stops once all are found.
    """
    found: dict[int, Any] = {}
    stack: list[tuple[Any, Any, Any]] = [(root, None, None)]
    push, pop = stack.append, stack.pop
    while stack and len(found) < len(wanted):
        entry = pop()
        node = entry[0]
        if id(node) in wanted and id(node) not in found:
            found[id(node)] = entry
        if isinstance(node, dict):
            for k, v in node.items():
                if isinstance(v, (dict, list)):
                    push((v, k, entry))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, (dict, list)):
                    push((v, i, entry))
    return {node_id: _unlink(entry) for node_id, entry in found.items()}


def _unlink(entry: Any) -> Pointer:
    parts: list[str | int] = []
    while entry[2] is not None:
        parts.append(entry[1])
        entry = entry[2]
    return tuple(reversed(parts))


class JsonLines:
    """Lines of JSON pointers in one JSON text, found by indentation, memoised."""

    def __init__(self, text: str) -> None:
        self.text = text
        start = len(text) - len(text.lstrip())
        #: pointer -> offset of the node's key (or its first character at the root)
        self._offsets: dict[Pointer, int] = {(): start}
        #: container offset -> its children's offsets (by key, by index), built once each
        self._children: dict[int, tuple[dict[str, int], list[int]]] = {}

    def lines(self, pointers: list[Pointer]) -> dict[Pointer, int]:
        """The 1-based line of each node (or of its nearest located ancestor).

        Offsets are sorted first so newlines are counted in one pass over the text.
        """
        offsets = {pointer: self.offset(pointer) for pointer in pointers}
        line_of: dict[int, int] = {}
        line, last = 1, 0
        for pos in sorted(set(offsets.values())):
            line += self.text.count("\n", last, pos)
            line_of[pos] = line
            last = pos
        return {pointer: line_of[pos] for pointer, pos in offsets.items()}

    def offset(self, pointer: Pointer) -> int:
        """Offset of the deepest located node on ``pointer``'s way."""
        known = len(pointer)
        while pointer[:known] not in self._offsets:
            known -= 1
        pos = self._offsets[pointer[:known]]
        for depth in range(known, len(pointer)):
            child = self._child(pos, pointer[depth])
            if child is None:
                return pos
            pos = child
            self._offsets[pointer[: depth + 1]] = pos
        return pos

    def _child(self, pos: int, part: str | int) -> int | None:
        """Offset of ``part`` inside the container whose key or value starts at ``pos``."""
        index = self._children.get(pos)
        if index is None:
            index = self._children[pos] = _children(self.text, pos)
        if isinstance(part, int) and part < len(index[1]):
            return index[1][part]
        # validators may give an object key that looks like a number ("200") as an int
        return index[0].get(str(part))


def _opener(text: str, pos: int) -> int:
    """The ``{`` or ``[`` that opens the value of the key (or element) at ``pos``."""
    i = pos
    if text.startswith('"', i):  # a key: skip it and its colon
        m = _KEY.match(text, i)
        if m is None:
            return -1
        i = m.end()
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i if i < len(text) and text[i] in "{[" else -1


_KEY = re.compile(r'"(?:[^"\\]|\\.)*"\s*:')


def _children(text: str, pos: int) -> tuple[dict[str, int], list[int]]:
    """Offsets of the keys (or elements) of the container at ``pos``, found in one pass.

    Children of a pretty-printed container start lines at one indentation, deeper than
    the container's; the container ends at the first later line indented less.
    """
    keys: dict[str, int] = {}
    elements: list[int] = []
    opener = _opener(text, pos)
    if opener < 0:
        return keys, elements
    first = opener + 1
    while first < len(text) and text[first] in " \t\r":
        first += 1
    if first >= len(text) or text[first] != "\n":
        return keys, elements  # children share the opener's line (minified): no finer answer
    indent_end = first + 1
    while indent_end < len(text) and text[indent_end] in " \t":
        indent_end += 1
    indent = text[first + 1 : indent_end]
    if not indent:
        return keys, elements
    dedent = re.compile(rf"\n[ \t]{{0,{len(indent) - 1}}}(?![ \t\r\n])")
    m = dedent.search(text, first + 1)
    end = m.start() if m else len(text)
    if text[opener] == "[":
        start = re.compile("\n" + re.escape(indent) + r"(?![ \t\r\n\]}])")
        elements = [e.end() for e in start.finditer(text, first, end)]
        return keys, elements
    key = re.compile("\n" + re.escape(indent) + r'("(?:[^"\\\n]|\\.)*")\s*:')
    for k in key.finditer(text, first, end):
        raw = k.group(1)
        name = json.loads(raw) if "\\" in raw else raw[1:-1]
        keys[name] = k.start(1)  # a repeated key: the last wins, as when parsing
    return keys, elements
