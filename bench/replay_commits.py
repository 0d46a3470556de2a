"""The replay set: commits of public repositories with a reviewer's label, and its checks.

The file (``bench/replay/commits.yml``) is YAML::

    version: 1
    repositories:
      owner/name:
        stack: "Django; settings read from the environment"
        docs_repositories: [owner/docs]   # optional: where its configuration is documented
        commits:
          - sha: <40 hex digits>
            kind: env          # migration | env | openapi | deps | secret | code
            label: block       # block | pass: what a senior reviewer would do
            ground: env-vars   # for block: the check whose ground it is
            split: tune        # tune (may be tuned on) | holdout (never)
            reason: one line a reviewer would accept

Loading checks every field, so a typo fails loudly instead of skewing the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

LABELS = ("block", "pass")
SPLITS = ("tune", "holdout")
KINDS = ("migration", "env", "openapi", "deps", "secret", "code")
#: the check ids a block label may name as its ground
GROUNDS = ("migrations", "env-vars", "openapi", "security", "gate", "coverage")
SHA = re.compile(r"[0-9a-f]{40}")
REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
FIELDS = {"sha", "kind", "label", "ground", "split", "reason"}


class CommitsError(Exception):
    """The commits file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Commit:
    """One labelled commit: replayed as a PR from its first parent."""

    repo: str
    sha: str
    kind: str
    label: str
    split: str
    reason: str
    ground: str = ""
    #: repositories (owner/name) holding the project's documentation, replayed beside it
    docs_repos: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        """The first 10 hex digits, for tables."""
        return self.sha[:10]


def load_commits(path: Path) -> list[Commit]:
    """Every commit in ``path``, in file order; raises CommitsError on any bad field."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CommitsError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != 1:
        raise CommitsError(f"{path}: want a mapping with 'version: 1' and 'repositories'")
    repos = data.get("repositories")
    if not isinstance(repos, dict) or not repos:
        raise CommitsError(f"{path}: 'repositories' must map owner/name to its commits")
    out: list[Commit] = []
    seen: set[str] = set()
    for repo, body in repos.items():
        where = f"{path}: {repo}"
        if not isinstance(repo, str) or not REPO.fullmatch(repo):
            raise CommitsError(f"{where}: not an owner/name")
        if not isinstance(body, dict) or not isinstance(body.get("commits"), list):
            raise CommitsError(f"{where}: want 'stack' and a list of 'commits'")
        docs = _docs_repositories(where, body.get("docs_repositories", []))
        for index, entry in enumerate(body["commits"]):
            commit = replace(_commit(f"{where}: commit #{index + 1}", repo, entry), docs_repos=docs)
            if commit.sha in seen:
                raise CommitsError(f"{where}: {commit.sha} is listed twice")
            seen.add(commit.sha)
            out.append(commit)
    return out


def _docs_repositories(where: str, value: Any) -> tuple[str, ...]:
    """``docs_repositories``: a list of distinct owner/name strings."""
    if not isinstance(value, list):
        raise CommitsError(f"{where}: docs_repositories must be a list of owner/name")
    for item in value:
        if not isinstance(item, str) or not REPO.fullmatch(item):
            raise CommitsError(f"{where}: docs_repositories: {item!r} is not an owner/name")
    if len(set(value)) != len(value):
        raise CommitsError(f"{where}: docs_repositories lists a repository twice")
    return tuple(value)


def _commit(where: str, repo: str, entry: Any) -> Commit:
    if not isinstance(entry, dict):
        raise CommitsError(f"{where}: want a mapping of {', '.join(sorted(FIELDS))}")
    unknown = set(entry) - FIELDS
    if unknown:
        raise CommitsError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    sha = str(entry.get("sha", ""))
    if not SHA.fullmatch(sha):
        raise CommitsError(f"{where}: sha {sha!r} is not 40 lower-case hex digits")
    where = f"{where} ({sha[:10]})"
    values = {}
    for name, allowed in (("kind", KINDS), ("label", LABELS), ("split", SPLITS)):
        value = entry.get(name)
        if value not in allowed:
            raise CommitsError(f"{where}: {name} {value!r} is not one of {', '.join(allowed)}")
        values[name] = value
    ground = entry.get("ground", "")
    if values["label"] == "block" and ground not in GROUNDS:
        raise CommitsError(f"{where}: a block label needs a ground, one of {', '.join(GROUNDS)}")
    if ground and ground not in GROUNDS:
        raise CommitsError(f"{where}: ground {ground!r} is not one of {', '.join(GROUNDS)}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip() or "\n" in reason.strip():
        raise CommitsError(f"{where}: reason must be one non-empty line")
    return Commit(repo, sha, reason=reason.strip(), ground=ground or "", **values)
