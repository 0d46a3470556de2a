"""A platform team's policy repository, as a real git repository, for the central tests.

``acme/policies`` holds ``gatekeeper/base.yml`` (it extends the recommended preset and
``gatekeeper/common.yml`` of its own repository, and locks a few keys) at the annotated
tag ``v3``; ``v2`` (a lightweight tag) is an older commit with a looser base. The same
repository serves the CLI (``--policy-repo acme/policies=<root>``) and the fake GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.conftest import GitRepo

REPO = "acme/policies"
BASE_V3 = """\
version: 1
extends: [recommended, gatekeeper/common.yml]
locked:
  - checks.security.severity
  - {key: checks.coverage.diff_min, allow: higher}
  - waivers.security
checks:
  coverage: {diff_min: 80}
  cochange:
    - {when: ["src/**"], require: ["tests/**"], message: "code needs tests"}
"""
COMMON = """\
version: 1
checks:
  security:
    bandit: {min_severity: low}
"""
BASE_V2 = "version: 1\nchecks:\n  pr: {severity: warn}\n"
V3 = "github:acme/policies/gatekeeper/base.yml@v3"


@dataclass
class Central:
    """The central repository and the commits its tags name."""

    repo: GitRepo
    v2: str
    v3: str

    @property
    def root(self) -> Path:
        return self.repo.root


def make_central(root: Path) -> Central:
    """Build ``acme/policies`` at ``root``: v2 (lightweight), then v3 (annotated)."""
    repo = GitRepo(root)
    v2 = repo.commit({"gatekeeper/base.yml": BASE_V2}, "v2")
    repo.git("tag", "v2")
    v3 = repo.commit({"gatekeeper/base.yml": BASE_V3, "gatekeeper/common.yml": COMMON}, "v3")
    repo.git("tag", "-a", "v3", "-m", "release 3")
    return Central(repo, v2, v3)
