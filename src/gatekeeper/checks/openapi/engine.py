"""The breaking-change engine: two loaded specs in, a sorted list of changes out."""

from __future__ import annotations

from gatekeeper.checks.openapi import served
from gatekeeper.checks.openapi.load import Reader, load
from gatekeeper.checks.openapi.locate import locate
from gatekeeper.checks.openapi.model import Spec, build
from gatekeeper.checks.openapi.rules.base import Change, Collector, Options
from gatekeeper.checks.openapi.rules.endpoints import check_global, check_operations, check_paths
from gatekeeper.checks.openapi.rules.payloads import check_payloads
from gatekeeper.checks.openapi.rules.properties import read_write_removals

__all__ = ["Change", "Options", "compare", "load_spec"]


def load_spec(path: str, reader: Reader, *, allow_external: bool = False) -> Spec:
    """Load and normalise one spec (raises ``SpecError`` when it cannot be used)."""
    return build(load(path, reader, allow_external=allow_external))


def compare(base: Spec, rev: Spec, options: Options | None = None) -> list[Change]:
    """Every change from ``base`` to ``rev``, sorted and without duplicates, each at the
    file and line of the head node it is about when known (else its operation's line)."""
    base, rev, served_alike = served.align(base, rev)
    c = Collector(base, rev, options or Options())
    c.served_alike = served_alike
    check_paths(c)
    check_operations(c)
    check_payloads(c)
    check_global(c)
    seen: set[tuple[str, str, str]] = set()
    out = []
    for change in sorted(c.changes):
        key = (change.operation, change.rule, change.evidence)
        if key not in seen:
            seen.add(key)
            out.append(change)
    return locate(rev.doc, read_write_removals(out, c.deprecated_removals))
