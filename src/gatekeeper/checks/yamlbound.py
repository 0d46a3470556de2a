"""YAML from the pull request, read with a bound on what aliases can expand to.

A YAML alias (``*a``) repeats the node its anchor names. The parser shares that node, so
a 1 KB file of nested aliases (a "billion laughs") loads quickly, but everything that
walks the result — a spec comparison, a search for ``environment:`` keys — visits each
repeat, 10^9 of them. The policy loader bounds its own documents; the checks that read
the PR's YAML (OpenAPI specs, compose and Kubernetes files) count here, on the composed
node graph and before anything is built from it, how many values the aliases add, and
refuse the document when that is more than :data:`MAX_ALIAS_VALUES`. The count visits
each node of the graph once, so it costs what parsing the file cost.
"""

from __future__ import annotations

from typing import Any

import yaml

#: How many values aliases may add to what a document writes out. Real specs and compose
#: files reuse a schema or an environment block a few hundred times at most.
MAX_ALIAS_VALUES = 1_000_000

SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AliasBomb(ValueError):
    """A document whose aliases expand past the bound, or refer to themselves."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def check_aliases(root: yaml.Node, limit: int = MAX_ALIAS_VALUES) -> None:
    """Raise :class:`AliasBomb` when expanding ``root``'s aliases would add more than
    ``limit`` values to the nodes the document writes, or never end (an anchor inside
    itself)."""
    sizes: dict[int, int] = {}
    distinct = 0
    # iterative post-order walk: deep documents must not hit Python's recursion limit
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise AliasBomb("an anchor refers to itself (a recursive alias)", _line(node))
        open_nodes.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    added = sizes[id(root)] - distinct
    if added > limit:
        raise AliasBomb(
            f"its aliases expand it by {added:,} values, over the limit of {limit:,} "
            "(a 'billion laughs' document); write the repeated parts out or use $ref",
            _line(root),
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _line(node: yaml.Node) -> int | None:
    mark = node.start_mark
    return mark.line + 1 if mark is not None else None


def load_all(text: str) -> list[Any]:
    """Every document of ``text`` (``safe_load_all``), each checked by
    :func:`check_aliases` before it is built; raises :class:`AliasBomb` or
    :class:`yaml.YAMLError`."""
    loader = SafeLoader(text)
    try:
        docs = []
        while loader.check_node():
            node = loader.get_node()
            check_aliases(node)
            docs.append(loader.construct_document(node))
        return docs
    finally:
        loader.dispose()
