"""Safe YAML with line marks: every mapping key and sequence item keeps its line.

Policy errors must name the file and line of the offending key, so the loader keeps a
map from key paths (``("checks", "coverage", "diff_min")``, with ``int`` indexes for
sequence items) to 1-based lines. It also refuses what plain ``yaml.safe_load`` lets
through silently: duplicate keys (the last one would win unseen) and non-JSON values.

Booleans follow YAML 1.2: only ``true``/``false`` are booleans, so ``severity: off``
and ``on_error: warn`` stay the strings a policy author meant (YAML 1.1 would read
``off``, ``on``, ``yes`` and ``no`` as booleans).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from gatekeeper.errors import PolicyError

#: A key path into a document: mapping keys are strings, sequence indexes are ints.
KeyPath = tuple["str | int", ...]

#: Alias expansion can blow a small file up exponentially; no real policy comes close.
MAX_NODES = 100_000

_BOOL_1_2 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


class _Loader(yaml.SafeLoader):
    """SafeLoader whose booleans are YAML 1.2's (``off``/``on``/``yes``/``no`` are strings)."""


# Drop the YAML 1.1 bool resolver and put back a 1.2 one, and leave unquoted dates as
# the strings the schema checks (the policy layer parses them and says which is wrong).
# The table is copied so that the shared SafeLoader resolvers stay untouched.
_DROPPED = ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in _DROPPED]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL_1_2, list("tTfF"))


@dataclass(frozen=True)
class Marked:
    """A parsed YAML document with the line of each key path."""

    source: str
    data: Any
    lines: Mapping[KeyPath, int] = field(default_factory=dict)

    def line(self, path: KeyPath) -> int:
        """The line of ``path``, or of its nearest ancestor that has one (1 at worst)."""
        return nearest_line(self.lines, path)


def nearest_line(lines: Mapping[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path`` in ``lines``, or of its nearest ancestor there (1 at worst):
    a value a default or a merge put in place has no line of its own."""
    for end in range(len(path), -1, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return 1


def format_path(path: KeyPath) -> str:
    """``("checks", "cochange", 0, "when")`` -> ``checks.cochange[0].when``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def load(text: str, source: str) -> Marked:
    """Parse one YAML document into JSON-compatible data plus line marks.

    Raises :class:`PolicyError` (``source:line: message``) for malformed YAML, several
    documents, duplicate keys, non-scalar keys and values JSON cannot hold.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise PolicyError(_yaml_error(source, exc)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - pyyaml marks nearly everything
        raise PolicyError(f"{source}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    if node is None:
        return Marked(source, None, {(): 1})
    walker = _Walker(loader, source)
    data = walker.value(node, ())
    walker.lines.setdefault((), node.start_mark.line + 1)
    return Marked(source, data, walker.lines)


def _yaml_error(source: str, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    message = exc.problem or "unreadable"
    if exc.context:
        message = f"{exc.context}, {message}"
    start = exc.context_mark
    if start is not None and exc.problem_mark is not None and start.line + 1 != line:
        message += f" (the construct starts at line {start.line + 1})"
    return f"{source}:{line}: not valid YAML: {message}"


# A tagged collection (!!set, !!omap, a custom !tag) is refused rather than read as a
# plain one; scalars go through the constructors, which refuse unknown tags themselves.
_PLAIN_TAGS: Mapping[type, str] = {
    yaml.MappingNode: "tag:yaml.org,2002:map",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
}


class _Walker:
    """Builds Python values from the node graph, recording lines as it goes."""

    def __init__(self, loader: _Loader, source: str) -> None:
        self.loader = loader
        self.source = source
        self.lines: dict[KeyPath, int] = {}
        self.count = 0
        self.active: set[int] = set()  # nodes on the current path, to refuse recursion

    def fail(self, node: yaml.Node, message: str) -> PolicyError:
        return PolicyError(f"{self.source}:{node.start_mark.line + 1}: {message}")

    def value(self, node: yaml.Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"document too large (more than {MAX_NODES} values)")
        if id(node) in self.active:
            raise self.fail(node, "recursive alias: an anchor may not contain itself")
        plain = _PLAIN_TAGS.get(type(node))
        if plain is not None and node.tag != plain:
            raise self.fail(node, f"unsupported YAML tag {node.tag} (use a plain list or mapping)")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return self.sequence(node, path)
            return self.scalar(node)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        explicit = self.explicit_keys(node)
        try:
            self.loader.flatten_mapping(node)  # resolve "<<" merge keys like safe_load does
        except yaml.MarkedYAMLError as exc:
            raise PolicyError(_yaml_error(self.source, exc)) from None
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "a key must be a plain string, not a list or mapping")
            key = str(key_node.value)
            if key in explicit and explicit[key] is not key_node:
                continue  # a key written here overrides the one merged in with "<<"
            self.lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = self.value(value_node, (*path, key))
        return out

    def explicit_keys(self, node: yaml.MappingNode) -> dict[str, yaml.Node]:
        """The keys written in this mapping itself (not merged in), refusing duplicates."""
        seen: dict[str, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = str(key_node.value)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise self.fail(key_node, f"duplicate key '{key}' (first defined at line {first})")
            seen[key] = key_node
        return seen

    def sequence(self, node: yaml.SequenceNode, path: KeyPath) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            self.lines[(*path, index)] = item.start_mark.line + 1
            items.append(self.value(item, (*path, index)))
        return items

    def scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise PolicyError(_yaml_error(self.source, exc)) from None
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. an explicit !!timestamp
            raise self.fail(node, f"cannot read {node.value!r}: {exc}") from None
        if isinstance(value, dt.date):  # only an explicit !!timestamp tag gets here
            return value.isoformat()
        if isinstance(value, float) and not math.isfinite(value):
            # JSON has no NaN or infinity, and "timeout: .nan" would disable a limit
            raise self.fail(node, f"{node.value!r} is not a finite number")
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        raise self.fail(node, f"unsupported YAML value of type {type(value).__name__}")
