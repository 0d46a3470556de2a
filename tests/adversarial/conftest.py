"""Attacks on the gate by the pull request it judges.

Each case is a real git repository: a base commit whose policy blocks something, and a
head commit that carries that thing *and* tries to turn the verdict green. A case asserts
the verdict (still blocked, naming the rule) and, where it matters, that nothing leaked.
The threat model these cases prove is written down in ``docs/security.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import pytest

from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import Verdict, plain_text
from gatekeeper.pipeline import GateOptions, run_gate
from tests.conftest import GitRepo
from tests.github.conftest import github, validators  # noqa: F401 (attacks through the action)

Files = Mapping[str, str | bytes | None]


#: a policy that runs only the secrets part of the security check
SECRETS_ONLY = """\
version: 1
checks:
  security: {bandit: false, dependencies: false, sensitive: false}
"""
#: a base commit with nothing for any check to say
README_ONLY = {"README.md": "x\n"}
#: the generic (name and entropy) secret rule, as the verdict names it
GENERIC_SECRET = "security/secret-high-entropy"


@dataclass
class Attack:
    """A base commit that sets the rules and a head commit that attacks them."""

    repo: GitRepo
    base: str
    head: str
    pr: PullRequest = field(default_factory=PullRequest)

    def judge(self, **options: object) -> Verdict:
        """Run the whole gate (policy read at base) on base..head."""
        opts = GateOptions(root=self.repo.root, base=self.base, head=self.head, pr=self.pr)
        return run_gate(replace(opts, **options))


def make_attack(
    repo: GitRepo,
    policy: str | None,
    base: Files,
    head: Files,
    *,
    pr: PullRequest | None = None,
) -> Attack:
    """Commit ``base`` (with ``policy`` as ``.github/gatekeeper.yml``), then ``head``."""
    files: dict[str, str | bytes | None] = dict(base)
    if policy is not None:
        files[".github/gatekeeper.yml"] = policy
    base_sha = repo.commit(files, "base")
    head_sha = repo.commit(head, "the attack")
    return Attack(repo, base_sha, head_sha, pr or PullRequest())


AttackFactory = Callable[..., Attack]


@pytest.fixture
def attack(git_repo: GitRepo) -> AttackFactory:
    """``attack(policy, base_files, head_files, pr=...)`` -> :class:`Attack`."""

    def build(
        policy: str | None, base: Files, head: Files, pr: PullRequest | None = None
    ) -> Attack:
        return make_attack(git_repo, policy, base, head, pr=pr)

    return build


def make_unreleased_edit(
    repo: GitRepo, policy: str, released: Files, merged: Files, head: Files
) -> Attack:
    """``released`` (with ``policy``) committed and tagged ``v1.0.0``, then ``merged``
    (migrations no release holds yet) as the base, then ``head``, the pull request."""
    repo.commit({**released, ".github/gatekeeper.yml": policy}, "released")
    repo.git("tag", "v1.0.0")
    base_sha = repo.commit(merged, "merged after the release")
    return Attack(repo, base_sha, repo.commit(head, "the edit"), PullRequest())


UnreleasedEdit = Callable[[str, Files, Files, Files], Attack]


@pytest.fixture
def unreleased_edit(git_repo: GitRepo) -> UnreleasedEdit:
    """``unreleased_edit(policy, released, merged, head)`` -> :class:`Attack` editing
    migrations merged since the newest release."""

    def build(policy: str, released: Files, merged: Files, head: Files) -> Attack:
        return make_unreleased_edit(git_repo, policy, released, merged, head)

    return build


def blocking_rules(verdict: Verdict) -> list[str]:
    """``check/rule`` of every finding that blocks, sorted."""
    return sorted(r.finding.qualified_rule for r in verdict.results if r.blocking)


def assert_blocked(verdict: Verdict, *rules: str) -> None:
    """The verdict is 'not met' and each of ``rules`` (``check/rule``) is among the blockers."""
    found = blocking_rules(verdict)
    assert not verdict.met, f"the attack turned the gate green; results: {found}"
    missing = [r for r in rules if r not in found]
    assert not missing, f"expected {missing} to block; blocking: {found}"


def text_of(verdict: Verdict) -> str:
    """Every message, remedy, summary and note of a verdict, for leak assertions."""
    parts: list[str] = list(verdict.notes)
    for outcome in verdict.outcomes:
        parts += [outcome.summary, plain_text(outcome.details), outcome.error]
        for r in outcome.results:
            parts += [r.finding.message, r.finding.remedy]
    return "\n".join(parts)
