"""Group the per-operation copies of one shared-schema change into one gate finding.

The engine reports a change once per operation (``gatekeeper openapi diff`` keeps that:
its JSON names each change's operation). In the gate that drowns the reader: one property
removed from a shared ``Error`` schema is the same decision repeated for every operation
that answers with it. Changes found inside the same ``$ref`` schema, with the same rule and
the same message once the operation's site is left out, become one :class:`Group`, located
at the schema itself, whose identity is the rule and the ``$ref`` (never the operation
list, which grows as endpoints are added). Changes of one operation stay one group each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gatekeeper.checks.openapi.load import Document
from gatekeeper.checks.openapi.locate import locate
from gatekeeper.checks.openapi.rules.base import Change, Shared
from gatekeeper.model import Level

#: operations named in a grouped message before "... and N more"
SHOWN = 5
# stands for the operation's site while messages are compared; no spec text contains it
_SITE = "\x00site\x00"


@dataclass(frozen=True, slots=True)
class Group:
    """One gate finding: a single change, or the copies of one shared-schema change."""

    rule: str
    level: Level
    message: str
    #: file and line the finding points at
    path: str
    line: int | None
    #: what identifies the finding apart from its line (goes into the fingerprint)
    evidence: str
    #: the operations it concerns, sorted
    operations: tuple[str, ...]
    #: the engine's changes it stands for (one, unless grouped)
    changes: tuple[Change, ...]

    @property
    def grouped(self) -> bool:
        """True when this finding stands for more than one change."""
        return len(self.changes) > 1


def group(doc: Document, changes: Sequence[Change]) -> list[Group]:
    """One :class:`Group` per shared-schema change and per other change, sorted.

    ``doc`` is the head document (to locate a shared schema); a change with no operation
    or no ``path`` points at the spec itself.
    """
    buckets: dict[tuple[str, ...], list[Change]] = {}
    out: list[Group] = []
    for c in changes:
        key = _key(c)
        if key is None:
            out.append(_single(c, doc.path))
        else:
            buckets.setdefault(key, []).append(c)
    for members in buckets.values():
        if len(members) == 1:
            out.append(_single(members[0], doc.path))
        else:
            out.append(_merged(doc, members))
    return sorted(out, key=lambda g: (g.path, g.line or 0, g.rule, g.message, g.evidence))


def _key(c: Change) -> tuple[str, ...] | None:
    """Copies share a key: the same rule, the same schema (its ``$ref``, or else the head
    node the change is about, as when inline arrays hold the same component), and the same
    message and evidence once the operation's site is left out."""
    s = c.shared
    if s is None or not s.where or s.where not in c.message:
        return None
    if s.ref:
        anchor = "ref:" + s.ref
    elif c.node is not None:
        anchor = f"node:{id(c.node)}"
    else:
        return None
    return (c.rule, anchor, s.side, relative(c.message, s), relative(c.evidence, s, evidence=True))


def relative(text: str, s: Shared, placeholder: str = _SITE, *, evidence: bool = False) -> str:
    """A change's message (or evidence) told from the shared schema instead of the
    operation's payload: the site becomes ``placeholder`` and property paths start at
    the schema (``'data/items/reason'`` under ``refund`` becomes ``'reason'``)."""
    if s.prefix:
        if evidence:
            text = text.replace(f"{s.where}|{s.prefix}|", f"{s.where}||")
            text = text.replace(f"{s.where}|{s.prefix}/", f"{s.where}|")
        else:
            # the change is about the schema itself, or about a path inside it
            text = text.replace(f"'{s.prefix}' in {s.where}", s.where)
            text = text.replace(f"'{s.prefix}' of {s.where}", s.where)
            text = text.replace(f"'{s.prefix}/", "'")
    return text.replace(s.where, placeholder)


def _single(c: Change, spec: str) -> Group:
    """A change as its own finding: the message names its operation."""
    message = (
        f"{c.operation}: {c.message}" if c.operation and c.operation not in c.message else c.message
    )
    ops = (c.operation,) if c.operation else ()
    return Group(
        c.rule, c.level, message, c.path or spec, c.line, f"{c.operation}|{c.evidence}", ops, (c,)
    )


def _merged(doc: Document, members: list[Change]) -> Group:
    first = members[0]
    shared = first.shared
    assert shared is not None  # only shared changes are bucketed
    schema = f"the {shared.side} schema {shared.name}" if shared.ref else f"the {shared.side} body"
    ops = tuple(sorted({c.operation for c in members if c.operation}))
    shown = ", ".join(ops[:SHOWN]) + (
        f", ... and {len(ops) - SHOWN} more" if len(ops) > SHOWN else ""
    )
    noun = "operation" if len(ops) == 1 else "operations"
    message = f"{relative(first.message, shared, schema)}, used by {len(ops)} {noun} ({shown})"
    path, line = _spot(doc, members, shared)
    evidence = f"{shared.ref}|{relative(first.evidence, shared, '*', evidence=True)}"
    return Group(first.rule, first.level, message, path, line, evidence, ops, tuple(members))


def _spot(doc: Document, members: list[Change], shared: Shared) -> tuple[str, int | None]:
    """Where a group points: the changed node when every copy has the same one (an added
    property), else the shared schema's own line, else the spec."""
    nodes = {id(c.node) for c in members}
    first = members[0]
    if first.node is not None and len(nodes) == 1 and first.path and first.line is not None:
        return first.path, first.line
    if shared.node is not None:
        probe = Change("", first.rule, "", first.level, "", None, "", shared.node)
        found = locate(doc, [probe])[0]
        if found.path:
            return found.path, found.line
    return doc.path, None
