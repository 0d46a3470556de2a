"""The findings of a data step that destroys stored data while its down gives nothing back.

What is destroyed is read by :mod:`.djdata` (Django; literal SQL of Alembic too) and
:mod:`.railsdata` (Rails); this module words the findings, in the vocabulary the other
reversibility findings use: ``reverse-is-noop`` for Django, ``empty-down`` for a down that
is empty (or, in Rails, only raises ``IrreversibleMigration``). Each is an error that a
``gatekeeper:irreversible <reason>`` marker turns into ``irreversible`` (a marker the pull
request writes needs a human's approval, as any other: reversibility.at_head).
"""

from __future__ import annotations

import dataclasses

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import rails, railsdata
from gatekeeper.model import Finding

_KEEP = (
    "Keep a copy to restore from (a backup table the down reads), or declare it: "
    "gatekeeper:irreversible <reason>."
)


def noop_message(name: str, keyword: str, lost: list[str]) -> str:
    """The message of a Django RunPython or RunSQL with a no-op reverse that destroys
    ``lost``."""
    return (
        f"{name} with {keyword}=noop destroys stored data ({', '.join(lost[:4])}), which "
        "a rollback cannot give back (keep a copy to restore from, or declare it: "
        "gatekeeper:irreversible <reason>)"
    )


def destroys(check: BaseCheck, path: str, line: int | None, lost: list[str], down: str) -> Finding:
    """An empty down of an up that deletes rows or erases values (:mod:`.djdata`): an
    error, since the data is gone and nothing written later gives it back."""
    return check.finding(
        "empty-down",
        f"{down} of {path} does nothing, and the up destroys stored data "
        f"({', '.join(lost[:4])}): a rollback cannot give it back. {_KEEP}",
        path=path,
        line=line,
        evidence=path,
    )


def rails_destroys(
    check: BaseCheck, path: str, source: str, down: rails.Method, reason: str | None
) -> list[Finding] | None:
    """``def up`` deletes rows or erases values and ``def down`` is empty (railsdata.py):
    ``empty-down``, an error, unless a ``gatekeeper:irreversible`` marker says why. None
    when that is not the case. A down that raises ActiveRecord::IrreversibleMigration is
    Rails' own declaration that the step is one-way, as the marker is the gate's: shown
    as ``irreversible`` by the caller (lobsters 5ce02175b8 clears derived keystore rows
    that way)."""
    if rails.raises_only(down) or has_code(down):
        return None
    lost = railsdata.destroyed(source)
    if lost and reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    if lost:
        finding = destroys(check, path, down.line, lost, "def down")
        return [dataclasses.replace(finding, message=finding.message.replace(
            "does nothing", "is empty", 1))]  # fmt: skip
    return None


def has_code(method: rails.Method) -> bool:
    """Whether a Rails method holds a statement (not only blank lines and comments)."""
    return any(rails.code(t).strip() for _, t in method.body)
