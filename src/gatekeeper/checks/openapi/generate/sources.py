"""Point findings about a generated document at the code that made it.

A built-in generator also reports where each operation's handler and each component
schema's class are written (see ``child.py``). A finding located in the document (the
engine's usual line mapping) is moved to that code when its line falls inside an
operation or a component schema the generator placed: a property's own line when the
class assigns it, else the class or the handler. Its fingerprint stays the document's,
so the finding keeps its identity when code moves.

The locations come from the pull request's own process, so they are taken only when they
name a file the head commit holds, at a line that file has.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from gatekeeper.model import Finding, Location

_HTTP = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
#: more entries than this in a generator's sources are ignored (a bound on PR output)
MAX_ENTRIES = 100_000
_KEY_LINE = re.compile(r'^( *)("(?:[^"\\]|\\.)*"): ')
_PARAM = re.compile(r"\{[^}/]*\}")
# how the engine's messages name things (see openapi/group.py and rules/)
_SCHEMA_NAMED = re.compile(r"\bthe (?:request|response) schema ([\w.\-]+)")
_PROPERTY_NAMED = re.compile(r"\bproperty '([^']+)'")
_OPERATION_NAMED = re.compile(r"\b(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) (/\S*)")

Spot = tuple[str, int]


def template(path: str) -> str:
    """A path template without its parameter names (``/items/{}``), trailing slash dropped,
    as the engine keys endpoints."""
    return _PARAM.sub("{}", path).rstrip("/") or "/"


@dataclass(frozen=True)
class Sources:
    """Where the document's operations and component schemas are written."""

    operations: dict[tuple[str, str], Spot] = field(default_factory=dict)
    #: component name -> (class spot, property -> line)
    schemas: dict[str, tuple[Spot, dict[str, int]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any) -> Sources:
        """The sources from a generator's result, keeping only well-formed entries."""
        if not isinstance(raw, dict):
            return cls()
        ops: dict[tuple[str, str], Spot] = {}
        for item in _items(raw.get("operations")):
            if isinstance(item, list) and len(item) == 4:
                method, path, file, line = item
                spot = _spot(file, line)
                if isinstance(method, str) and isinstance(path, str) and spot:
                    ops.setdefault((method.lower(), template(path)), spot)
        schemas: dict[str, tuple[Spot, dict[str, int]]] = {}
        found = raw.get("schemas")
        for name, entry in list(found.items())[:MAX_ENTRIES] if isinstance(found, dict) else ():
            if isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], dict):
                spot = _spot(entry[0], entry[1])
                fields = {str(k): v for k, v in entry[2].items() if isinstance(v, int) and v > 0}
                if spot:
                    schemas[str(name)] = (spot, fields)
        return cls(ops, schemas)

    def to_json(self) -> dict[str, Any]:
        """The form :meth:`parse` reads (what the cache keeps)."""
        return {
            "operations": [[m, p, f, n] for (m, p), (f, n) in sorted(self.operations.items())],
            "schemas": {k: [s[0], s[1], fields] for k, (s, fields) in sorted(self.schemas.items())},
        }

    def named_in(self, message: str, pointer: tuple[str, ...]) -> Spot | None:
        """The code a finding's message names, when its line only reached a path item or
        a shared schema's use: "the response schema X" (a grouped finding), else the
        operation "GET /x" under the path item the line is in."""
        schema = _SCHEMA_NAMED.search(message)
        if schema and schema.group(1) in self.schemas:
            spot, fields = self.schemas[schema.group(1)]
            prop = _PROPERTY_NAMED.search(message)
            return (spot[0], fields[prop.group(1)]) if prop and prop.group(1) in fields else spot
        if len(pointer) >= 2 and pointer[0] == "paths":
            for method, path in _OPERATION_NAMED.findall(message):
                if template(path) == template(pointer[1]):
                    return self.operations.get((method.lower(), template(path)))
        return None

    def spot_for(self, pointer: tuple[str, ...]) -> Spot | None:
        """The code of the document node at ``pointer`` (keys from the root), if known."""
        if len(pointer) >= 3 and pointer[0] == "paths" and pointer[2] in _HTTP:
            return self.operations.get((pointer[2], template(pointer[1])))
        if len(pointer) >= 3 and pointer[:2] == ("components", "schemas"):
            known = self.schemas.get(pointer[2])
            if known is None:
                return None
            spot, fields = known
            if len(pointer) >= 5 and pointer[3] == "properties" and pointer[4] in fields:
                return spot[0], fields[pointer[4]]
            return spot
        return None


def _items(value: Any) -> list[Any]:
    return value[:MAX_ENTRIES] if isinstance(value, list) else []


def _spot(file: Any, line: Any) -> Spot | None:
    if not isinstance(file, str) or not isinstance(line, int) or isinstance(line, bool):
        return None
    path = posixpath.normpath(file)
    if line < 1 or path.startswith(("/", "../")) or path in (".", "..") or "\0" in path:
        return None
    return path, line


def pointers_by_line(text: str) -> list[tuple[str, ...]]:
    """For each line of an indented JSON text (``json.dumps(indent=2)``), the object keys
    leading to it from the root (array elements add no key)."""
    out: list[tuple[str, ...]] = []
    # one entry per indentation level; "" stands for an array element
    stack: list[str] = []
    for line in text.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        m = _KEY_LINE.match(line)
        if m:
            stack[max(0, depth - 1) :] = [json.loads(m.group(2))]
        elif line.lstrip().startswith(("}", "]")):
            del stack[depth:]
        else:
            stack[max(0, depth - 1) :] = [""]
        out.append(tuple(k for k in stack if k))
    return out


def relocate(
    findings: Iterable[Finding],
    document: str,
    text: str,
    sources: Sources,
    lines_of: Callable[[str], int | None],
) -> list[Finding]:
    """``findings`` with those located in ``document`` moved to their code, where known.

    ``lines_of(path)`` gives how many lines a file has at head (None: not a file there).
    """
    pointers: list[tuple[str, ...]] | None = None
    out = []
    for f in findings:
        loc = f.location
        if loc is None or loc.path != document or not loc.start_line:
            out.append(f)
            continue
        if pointers is None:
            pointers = pointers_by_line(text)
        index = loc.start_line - 1
        pointer = pointers[index] if 0 <= index < len(pointers) else ()
        spot = sources.spot_for(pointer) or sources.named_in(f.message, pointer)
        count = lines_of(spot[0]) if spot else None
        if spot is None or count is None or spot[1] > count:
            out.append(f)
            continue
        out.append(replace(f, location=Location(spot[0], spot[1], spot[1])))
    return out
