"""Central policies: one file in a platform team's repository, extended by many.

``extends: ["github:acme/policies/gatekeeper/base.yml@v3"]`` names a file in another
repository at a ref: a tag, a branch, or a commit by its full sha. The policy layer
never talks to GitHub itself: a :class:`PolicyRepos` is handed in (the action's reads the
contents API with its token, in ``gatekeeper.github.central``; the CLI's reads local
checkouts, :mod:`gatekeeper.policy.checkouts`). What is decided here, once for both:

- the reference's syntax, and that a ref is never guessed: no ref is an error, a name
  that is both a tag and a branch is an error (write ``refs/tags/v3``), a short sha is
  not a commit;
- a tag or branch is resolved to a commit once per run, so every pass over the policy
  (plugins first, then the whole policy) reads the same commit, and the verdict says
  which (:class:`CentralFile`);
- a file is read once per commit;
- whatever goes wrong is a :class:`CentralUnavailable` whose message says what to do;
  the loader turns it into a policy error at the ``extends`` entry: never a fallback.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Protocol

PREFIX = "github:"
OWNER_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
REPO_RE = re.compile(r"[A-Za-z0-9._-]{1,100}")
FULL_SHA = re.compile(r"[0-9a-f]{40}")
_SHORT_SHA = re.compile(r"[0-9a-f]{4,39}")
EXAMPLE = "github:acme/policies/gatekeeper/base.yml@v3"
#: a central policy larger than this is a mistake (the contents API stops at 1 MB too)
MAX_BYTES = 1_000_000


class CentralUnavailable(Exception):
    """A central policy could not be read; the message says why and what to do."""


class PolicyRepos(Protocol):
    """Where central policy files come from (the GitHub API, or local checkouts)."""

    def hint(self, repo: str) -> str:
        """Appended to "not found" messages: what else a missing thing may mean here."""

    def commit_of(self, repo: str, ref: str) -> str | None:
        """The commit ``ref`` (``refs/tags/<name>`` or ``refs/heads/<name>``) points at in
        ``repo`` (``owner/name``), annotated tags peeled; None when there is no such ref.
        Raises :class:`CentralUnavailable` when the answer cannot be had."""

    def read(self, repo: str, commit: str, path: str) -> str | None:
        """The text of ``path`` at ``commit`` of ``repo``; None when there is no such file.
        Raises :class:`CentralUnavailable` when it cannot be read."""


@dataclass(frozen=True)
class CentralRef:
    """``github:<owner>/<repo>/<path>@<ref>`` taken apart."""

    repo: str
    path: str
    ref: str


@dataclass(frozen=True)
class CentralFile:
    """A central file as read: its repository, path, the ref written and its commit."""

    repo: str
    path: str
    ref: str
    commit: str
    #: "tag", "branch" or "commit": what the ref named
    ref_kind: str

    @property
    def name(self) -> str:
        """The reference as a policy writes it."""
        return f"{PREFIX}{self.repo}/{self.path}@{self.ref}"

    @property
    def source(self) -> str:
        """How messages name the file: the reference and the commit read."""
        return f"{self.name} (commit {self.commit[:12]})"

    @property
    def key(self) -> str:
        """One file at one commit, whatever the ref was called (for cycles)."""
        return f"{PREFIX}{self.repo.lower()}/{self.path}@{self.commit}"

    def sibling(self, path: str) -> CentralFile:
        """Another file of the same repository at the same commit."""
        return CentralFile(self.repo, path, self.ref, self.commit, self.ref_kind)


def is_central(name: str) -> bool:
    """True for an ``extends`` entry that names a file in another repository."""
    return name.startswith(PREFIX)


def parse_ref(name: str) -> CentralRef:
    """Take ``github:owner/repo/path@ref`` apart; :class:`CentralUnavailable` says what is
    wrong with a malformed one. The ref is what follows the last ``@``."""
    body = name[len(PREFIX) :]
    where, at, ref = body.rpartition("@")
    if not at or not ref:
        raise CentralUnavailable(
            "names no ref: pin a tag (@v3) or a commit (@<40-hex sha>), or follow a branch "
            f"(@main); e.g. {EXAMPLE}. A ref is never guessed"
        )
    parts = where.split("/")
    if len(parts) < 3 or not OWNER_RE.fullmatch(parts[0]) or not REPO_RE.fullmatch(parts[1]):
        raise CentralUnavailable(f"is not github:<owner>/<repo>/<path>@<ref>, e.g. {EXAMPLE}")
    if parts[1] in (".", ".."):
        raise CentralUnavailable(f"'{parts[1]}' is not a repository name")
    path = normal_path("/".join(parts[2:]))
    if path is None or not path.endswith((".yml", ".yaml")):
        raise CentralUnavailable(
            "the path must be a .yml or .yaml file inside the repository, e.g. " + EXAMPLE
        )
    if any(c.isspace() for c in ref) or ".." in ref or ref.endswith("/"):
        raise CentralUnavailable(f"'{ref}' is not a tag, branch or commit name")
    return CentralRef(f"{parts[0]}/{parts[1]}", path, ref)


def normal_path(name: str) -> str | None:
    """``name`` as a normalized repository-relative path, or None when it escapes."""
    if not name or name.startswith("/") or "\\" in name:
        return None
    path = posixpath.normpath(name)
    if path in (".", "..") or path.startswith("../"):
        return None
    return path


class CentralPolicies:
    """Reads central files for one run: each ref resolved once, each file read once.

    ``repos`` None: this run has no way to read them (the CLI without ``--policy-repo``,
    the action without a token), and ``missing`` says how to give it one.
    """

    def __init__(self, repos: PolicyRepos | None, missing: str = "") -> None:
        self.repos = repos
        self.missing = missing or (
            "this run has no way to read another repository: the action reads it through "
            "the GitHub API with its token, the CLI from a checkout "
            "(--policy-repo owner/repo=PATH)"
        )
        self._commits: dict[tuple[str, str], tuple[str, str]] = {}
        self._texts: dict[tuple[str, str, str], str] = {}
        #: every file read, in order (the verdict names them with their commits)
        self.read_files: list[CentralFile] = []

    def open(self, ref: CentralRef) -> tuple[CentralFile, str]:
        """The file ``ref`` names, at the commit its ref points at, and its text."""
        commit, kind = self._resolve(ref.repo, ref.ref)
        found = CentralFile(ref.repo, ref.path, ref.ref, commit, kind)
        return found, self.text(found)

    def text(self, file: CentralFile) -> str:
        """The text of ``file`` at its commit (read once per run)."""
        key = (file.repo.lower(), file.commit, file.path)
        if key not in self._texts:
            repos = self._source()
            text = repos.read(file.repo, file.commit, file.path)
            if text is None:
                raise CentralUnavailable(
                    f"{file.path} does not exist in {file.repo} at commit {file.commit[:12]}"
                    f"{repos.hint(file.repo)}"
                )
            if len(text.encode("utf-8")) > MAX_BYTES:
                raise CentralUnavailable(f"larger than {MAX_BYTES:,} bytes; not a policy")
            self._texts[key] = text
        if file not in self.read_files:
            self.read_files.append(file)
        return self._texts[key]

    def _source(self) -> PolicyRepos:
        if self.repos is None:
            raise CentralUnavailable(self.missing)
        return self.repos

    def _resolve(self, repo: str, ref: str) -> tuple[str, str]:
        key = (repo.lower(), ref)
        if key not in self._commits:
            self._commits[key] = self._lookup(repo, ref)
        return self._commits[key]

    def _lookup(self, repo: str, ref: str) -> tuple[str, str]:
        if FULL_SHA.fullmatch(ref.lower()):
            return ref.lower(), "commit"  # reading the file proves the commit exists
        repos = self._source()
        for prefix, kind in (("refs/tags/", "tag"), ("refs/heads/", "branch")):
            if ref.startswith(prefix):
                commit = repos.commit_of(repo, ref)
                if commit is None:
                    name = ref[len(prefix) :]
                    raise CentralUnavailable(f"{repo} has no {kind} '{name}'{repos.hint(repo)}")
                return commit, kind
        tag = repos.commit_of(repo, f"refs/tags/{ref}")
        branch = repos.commit_of(repo, f"refs/heads/{ref}")
        if tag is not None and branch is not None:
            raise CentralUnavailable(
                f"'{ref}' is both a tag and a branch in {repo}: write @refs/tags/{ref} or "
                f"@refs/heads/{ref}, so that the policy never depends on which one wins"
            )
        if tag is not None:
            return tag, "tag"
        if branch is not None:
            return branch, "branch"
        short = (
            "; a commit is named by its full 40-character sha"
            if _SHORT_SHA.fullmatch(ref.lower())
            else ""
        )
        raise CentralUnavailable(f"{repo} has no tag or branch '{ref}'{short}{repos.hint(repo)}")
