"""Suppression markers a pull request wrote itself, and what a check does about them.

Checks honour comment markers that hide a finding: ``# nosec``, ``pragma: allowlist
secret``, ``gatekeeper:ignore <rule>``, ``gatekeeper:irreversible``, a tool's in-source
suppression in SARIF. A marker vouches for the code it covered when it was written; so:

* a marker the base commit already had, over lines the pull request did not change, is
  honoured as before;
* a marker the pull request added, or one whose covered lines it changed, is the author's
  own say-so: the finding is still reported, its message saying "suppressed in this PR" and
  by which marker, and it blocks (at the finding's own level) until a human approves the
  latest push, with the same rule as the ``review`` check (:func:`approving_humans`:
  not the author, not a bot, not a commit author; an approval of an older push does not
  count);
* unless the policy trusts such markers (each part's ``trust_pr_suppressions: true``).

A check makes one :class:`Suppressions` per run and asks it about each finding a marker
would hide (:meth:`Suppressions.review`), or, when the marker changes what the check does
rather than hiding one finding, whether to honour it (:meth:`Suppressions.honours`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from gatekeeper.changes.changeset import ChangeSet
from gatekeeper.changes.pullrequest import PullRequest, approving_humans
from gatekeeper.model import Finding

#: how many markers the summary names before "and N more"
_LISTED = 10
#: the policy key, under each part that honours markers, that trusts PR-written ones
TRUST_KEY = "trust_pr_suppressions"
TRUST_SCHEMA = {
    "type": "boolean",
    "default": False,
    "description": "Honour suppression markers (# nosec, pragmas, gatekeeper:ignore...) that "
    "the pull request itself wrote. Off by default: the finding is reported, marked "
    "'suppressed in this PR', and blocks until a human approves the latest push.",
}


@dataclass(frozen=True, slots=True)
class Marker:
    """A suppression marker: what it says, where it is, and the lines it covers."""

    text: str
    path: str
    line: int
    #: inclusive (first, last) lines of the code the marker hides; () for its own line
    covers: tuple[int, int] | tuple[()] = ()

    @property
    def where(self) -> str:
        """``path:line`` of the marker."""
        return f"{self.path}:{self.line}"


@dataclass
class Suppressions:
    """One check's judge of the suppression markers it meets during one run."""

    changes: ChangeSet
    pr: PullRequest
    #: the policy trusts markers the PR wrote (``trust_pr_suppressions: true``)
    trusted: bool = False
    #: the policy key to name in messages, e.g. "security.bandit.trust_pr_suppressions"
    setting: str = TRUST_KEY
    honoured_at_base: int = 0
    trusted_markers: list[Marker] = field(default_factory=list)
    approved_markers: list[Marker] = field(default_factory=list)
    reported_markers: list[Marker] = field(default_factory=list)
    _approvers: list[str] | None = None

    def written_by_pr(self, marker: Marker) -> bool:
        """True when the PR added the marker's line or changed a line it covers."""
        added = self.changes.added_lines(marker.path)
        if marker.line in added:
            return True
        if marker.covers:
            first, last = marker.covers
            return any(n in added for n in range(first, last + 1))
        return False

    def approvers(self) -> list[str]:
        """Humans whose approval covers the latest push (computed once)."""
        if self._approvers is None:
            self._approvers = approving_humans(self.pr, self.changes.head)
        return self._approvers

    def honours(self, marker: Marker) -> bool:
        """True when ``marker`` may suppress: from base, trusted by the policy, or approved."""
        if not self.written_by_pr(marker):
            self.honoured_at_base += 1
            return True
        if self.trusted:
            self.trusted_markers.append(marker)
            return True
        if self.approvers():
            self.approved_markers.append(marker)
            return True
        self.reported_markers.append(marker)
        return False

    def review(self, finding: Finding, marker: Marker) -> Finding | None:
        """None when ``marker`` may hide ``finding``; else the finding, marked."""
        return None if self.honours(marker) else self.mark(finding, marker)

    def mark(self, finding: Finding, marker: Marker) -> Finding:
        """``finding`` with its message saying which marker this PR used to hide it."""
        local = (
            ""
            if self.pr.number is not None
            else "; reviews are known only on GitHub, so this stays blocked in a local run"
        )
        message = (
            f"{finding.message} [suppressed in this PR by `{marker.text}` at {marker.where}: "
            f"a suppression the pull request wrote needs a human's approval of the latest "
            f"push{local}]"
        )
        remedy = (
            "If the suppression is justified, a human who did not write the change approves "
            "the latest push (an approval of an earlier push does not count); otherwise fix "
            f"the code and drop the marker. {finding.remedy}".strip()
            + f" A base policy that trusts such markers sets `{self.setting}: true`."
        )
        return replace(finding, message=message, remedy=remedy)

    def summary(self) -> str:
        """One line for the check's details, or "" when no marker the PR wrote was met."""
        parts = []
        if self.reported_markers:
            parts.append(f"{len(self.reported_markers)} reported, awaiting a human's approval")
        if self.approved_markers:
            who = ", ".join(self.approvers())
            parts.append(f"{len(self.approved_markers)} honoured, approved by {who}")
        if self.trusted_markers:
            parts.append(f"{len(self.trusted_markers)} honoured because `{self.setting}` is on")
        if not parts:
            return ""
        seen = (*self.reported_markers, *self.approved_markers, *self.trusted_markers)
        listed = ", ".join(f"`{m.text}` at {m.where}" for m in seen[:_LISTED])
        more = f" and {len(seen) - _LISTED} more" if len(seen) > _LISTED else ""
        return f"Suppressions written in this PR: {'; '.join(parts)} ({listed}{more})."
