"""Where the effective policy's values came from: the small types ``Policy`` carries.

:mod:`gatekeeper.policy.provenance` finds each value's origin; :mod:`gatekeeper.policy.locks`
reads and enforces locks. Both are built from these frozen records, which import nothing
heavier than the key-path helpers, so the policy model can hold them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.policy.central import CentralFile
from gatekeeper.policy.yamlmarks import KeyPath, format_path

_ALLOWED = {
    "": "severities only up, the check stays on, the rest unchanged",
    "higher": "may only be raised",
    "lower": "may only be lowered",
    "more": "items may only be added",
    "fewer": "items may only be removed",
}


@dataclass(frozen=True)
class Lock:
    """One entry of a ``locked:`` list, and where it was written."""

    path: KeyPath
    allow: str
    source: str
    line: int

    @property
    def key(self) -> str:
        """The dotted key, as written."""
        return format_path(self.path)

    @property
    def rule(self) -> str:
        """What may still change under this lock, in words."""
        if self.path[0] == "waivers":
            which = f" for {self.path[1]}" if len(self.path) > 1 else ""
            return f"no waiver may be added{which}"
        return _ALLOWED[self.allow]


@dataclass(frozen=True)
class ValueOrigin:
    """Who set one value of the effective policy."""

    #: "default", "preset", "central", "file" (the policy file or a repository file it
    #: extends), or "override" (an override whose ``when`` matched this PR)
    kind: str
    source: str = ""
    line: int = 0
    #: for an override: its name (or ``overrides[i]``) and its ``when``
    override: str = ""
    when: Mapping[str, Any] = field(default_factory=dict)
    #: for a central file, or an override written in one
    central: CentralFile | None = None

    def describe(self) -> str:
        """One line for ``gatekeeper policy show``."""
        if self.kind == "default":
            return "default"
        where = f"{self.source}:{self.line}"
        if self.kind == "override":
            return f"override '{self.override}' (when {when_text(self.when)}), {where}"
        return where

    def as_json(self) -> dict[str, Any]:
        """The origin for ``gatekeeper policy show --format json``."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind != "default":
            out.update(source=self.source, line=self.line)
        if self.kind == "override":
            out.update(override=self.override, when=dict(self.when))
        if self.central is not None:
            out["central"] = {
                "repository": self.central.repo,
                "path": self.central.path,
                "ref": self.central.ref,
                "ref_kind": self.central.ref_kind,
                "commit": self.central.commit,
            }
        return out


def when_text(when: Mapping[str, Any]) -> str:
    """``{author: agent, labels: [x]}`` as ``author: agent, labels: x``."""
    parts = []
    for key in sorted(when):
        value = when[key]
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        parts.append(f"{key}: {shown}")
    return "; ".join(parts) or "always"
