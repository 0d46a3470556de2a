"""What every rule module shares: the Change record and the collector that emits it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.checks.openapi.diff import SchemaComparer
from gatekeeper.checks.openapi.load import LineDict
from gatekeeper.checks.openapi.model import Operation, Spec
from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.model import Level

STABILITY_ORDER = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


@dataclass(frozen=True, slots=True, order=True)
class Change:
    """One difference between two specs, named by a catalog rule id."""

    operation: str
    rule: str
    message: str
    level: Level = field(compare=False)
    path: str = ""
    line: int | None = field(default=None, compare=False)
    evidence: str = ""
    #: the head schema node the change is about; :func:`locate` turns it into path/line
    node: Any = field(default=None, compare=False, repr=False)
    #: the shared ``$ref`` schema the change was found in, when there is one
    shared: Shared | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Shared:
    """A change found inside a ``$ref`` schema that other operations may use as well.

    The gate groups the per-operation copies of such a change into one finding.
    """

    #: the ``$ref`` as written (``#/components/schemas/Error``, ``common.yaml#/Error``);
    #: "" for an inline payload schema (whose nested nodes may still be shared)
    ref: str
    #: how the operation's site is named in the change's message and evidence
    where: str
    #: "request" or "response"
    side: str
    #: the head schema the ``$ref`` resolves to, to locate the group at
    node: Any = field(default=None, compare=False)
    #: the path from the payload to the ``$ref`` schema ("" when it is the payload's own
    #: schema): messages name properties from the payload, a group from the schema
    prefix: str = ""

    @property
    def name(self) -> str:
        """The schema's name: the last segment of its pointer, or its file's path."""
        file, _, pointer = self.ref.partition("#")
        segment = pointer.rstrip("/").rpartition("/")[2]
        return segment.replace("~1", "/").replace("~0", "~") if segment else file


@dataclass
class Options:
    """Tunables of the comparison (oasdiff's defaults: no minimum notice period)."""

    today: dt.date = field(default_factory=dt.date.today)
    deprecation_days_beta: int = 0
    deprecation_days_stable: int = 0
    #: called once per operation; raises to stop a comparison that ran out of time
    tick: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Scope:
    """The innermost named schema (``$ref``) a schema change was found in."""

    ref: str
    #: path from the payload's schema to it ("" for the payload's schema itself)
    prefix: str
    #: its head node, to locate a group at
    node: Any = field(default=None, compare=False)


#: a change worked out once for a shared schema: (rule, message, evidence, node, scope,
#: level when it differs from the rule's)
Record = tuple[str, str, str, Any, "Scope | None", "Level | None"]


class Collector:
    """Holds both specs and the comparer; rule modules call :meth:`emit`."""

    def __init__(self, base: Spec, rev: Spec, options: Options) -> None:
        self.base = base
        self.rev = rev
        self.options = options
        self.schemas = SchemaComparer(base.deref, rev.deref)
        self.changes: list[Change] = []
        #: schema findings already worked out, keyed by diff and site, replayed per operation
        self.schema_records: dict[tuple[Any, ...], list[Record]] = {}
        self._recording: list[Record] | None = None
        #: while a schema is walked: the named schema the node being judged is in
        self.scope: Scope | None = None
        #: evidence of the removed properties the base had marked ``deprecated: true``
        self.deprecated_removals: set[str] = set()
        #: the specs are keyed by served URL: their prefixes differ, the URLs do not
        self.served_alike = False

    @contextmanager
    def recording(self, into: list[Record]) -> Iterator[None]:
        """Collect records (rule, message, evidence, node, scope) instead of changes while
        the block runs."""
        previous, self._recording = self._recording, into
        try:
            yield
        finally:
            self._recording = previous

    def emit(
        self,
        rule: str,
        message: str,
        op: Operation | None = None,
        *,
        evidence: str = "",
        at: Any = None,
        shared: Shared | None = None,
        level: Level | None = None,
    ) -> bool:
        """Record a change when ``rule`` is a catalog id; return whether it was.

        ``at`` is the head node the change is about (from :meth:`at`); the change points
        at the operation's line until :func:`~gatekeeper.checks.openapi.locate.locate`
        moves it to that node's own file and line. ``shared`` names the ``$ref`` schema
        the change was found in, so the gate can group its copies. ``level`` overrides the
        rule's own where the context makes the change worse (a removal that is a rename).
        """
        if rule not in LEVELS:
            return False
        level = level or LEVELS[rule]
        if self._recording is not None:
            self._recording.append((rule, message, evidence or message, at, self.scope, level))
            return True
        label = op.label if op is not None else ""
        line = op.line if op is not None else None
        self.changes.append(
            Change(
                label,
                rule,
                message,
                level,
                self.rev.doc.path,
                line,
                evidence or message,
                at,
                shared,
            )
        )
        return True

    def at(self, node: Any) -> Any:
        """``node`` when it may be a node of the head spec (any of its files), else None.

        YAML nodes say which load made them; a JSON node is kept and looked up in the
        head's JSON files only if the change survives, which keeps the comparison fast.
        """
        if isinstance(node, LineDict):
            return node if node.token is self.rev.doc.token else None
        return node if isinstance(node, dict) and node else None

    def known(self, rule: str) -> bool:
        """True when ``rule`` is in the catalog."""
        return rule in LEVELS


def sunset_date(value: Any) -> dt.date | None:
    """Parse an ``x-sunset`` value (a date or an RFC 3339 timestamp); None if unparseable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return (
            dt.date.fromisoformat(text)
            if len(text) == 10
            else dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        )
    except ValueError:
        return None


def stability(node: dict[str, Any]) -> str | None:
    """The ``x-stability-level`` value; "" when absent, None when invalid."""
    value = node.get("x-stability-level")
    if value is None:
        return ""
    return value if isinstance(value, str) and value in STABILITY_ORDER else None


def notice_days(options: Options, level: str) -> int:
    """The minimum sunset notice for a stability level."""
    if level in ("draft", "alpha"):
        return 0
    if level == "beta":
        return options.deprecation_days_beta
    return options.deprecation_days_stable
