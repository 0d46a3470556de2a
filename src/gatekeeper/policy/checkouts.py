"""Central policies read from local checkouts, for the CLI (``--policy-repo``).

``gatekeeper run --policy-repo acme/policies=../policies`` reads
``github:acme/policies/...@v3`` from the clone in ``../policies``, through git: the tag
resolves to the commit it names in that clone and the file is read at that commit, so the
CLI judges with the same bytes the action reads through the API, whatever is checked out
or edited in the clone's working tree. A ref the clone lacks is an error saying to fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gatekeeper.changes.git import run_git, stderr_text
from gatekeeper.errors import GatekeeperError, UsageError
from gatekeeper.policy.central import OWNER_RE, REPO_RE, CentralUnavailable


def parse_policy_repos(values: tuple[str, ...] | list[str]) -> dict[str, Path]:
    """``owner/repo=PATH`` options as {owner/repo (lowercase): path}; a malformed or
    repeated one is a :class:`UsageError`."""
    out: dict[str, Path] = {}
    for value in values:
        name, eq, path = value.partition("=")
        owner, slash, repo = name.strip().partition("/")
        valid = OWNER_RE.fullmatch(owner) and REPO_RE.fullmatch(repo)
        if not eq or not path or not slash or not valid:
            raise UsageError(
                f"--policy-repo {value!r}: write OWNER/REPO=PATH, e.g. acme/policies=../policies"
            )
        key = f"{owner}/{repo}".lower()
        if key in out:
            raise UsageError(f"--policy-repo: {owner}/{repo} is given twice")
        out[key] = Path(path)
    return out


class LocalCheckouts:
    """A :class:`~gatekeeper.policy.central.PolicyRepos` over clones on disk."""

    def __init__(self, checkouts: Mapping[str, Path]) -> None:
        self.checkouts = {name.lower(): path for name, path in checkouts.items()}

    def hint(self, repo: str) -> str:
        """A ref or file missing from a clone may only be missing from that clone."""
        root = self.checkouts.get(repo.lower())
        return f" (as the checkout {root} has it; if it is behind: `git -C {root} fetch --tags`)"

    def _root(self, repo: str) -> Path:
        root = self.checkouts.get(repo.lower())
        if root is None:
            raise CentralUnavailable(
                f"no checkout of {repo} was given: pass --policy-repo {repo}=PATH (a clone "
                "of it that holds the ref)"
            )
        if not root.is_dir():
            raise CentralUnavailable(f"--policy-repo {repo}={root}: no such folder")
        return root

    def _git(self, repo: str, *args: str) -> tuple[int, bytes, str]:
        root = self._root(repo)
        try:
            done = run_git(root, *args, check=False, timeout=60)
        except GatekeeperError as exc:
            raise CentralUnavailable(f"the checkout {root}: {exc.format_message()}") from None
        if b"not a git repository" in done.stderr.lower():
            raise CentralUnavailable(f"--policy-repo {repo}={root} is not a git clone")
        return done.returncode, done.stdout, stderr_text(done)

    def commit_of(self, repo: str, ref: str) -> str | None:
        """The commit ``ref`` names in the clone (annotated tags peeled)."""
        code, out, _ = self._git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        return out.decode().strip() if code == 0 else None

    def read(self, repo: str, commit: str, path: str) -> str | None:
        """The file at ``commit`` from git's objects (never the working tree)."""
        code, _, _ = self._git(repo, "cat-file", "-e", f"{commit}^{{commit}}")
        if code != 0:
            root = self.checkouts[repo.lower()]
            raise CentralUnavailable(
                f"commit {commit[:12]} is not in the checkout {root}: fetch it first "
                "(`git fetch origin`)"
            )
        code, out, _ = self._git(repo, "ls-tree", "-z", commit, "--", path)
        if code != 0 or not out:
            return None
        mode, kind = out.split(b"\t", 1)[0].split()[:2]
        if kind != b"blob" or mode == b"120000":
            what = "a symlink" if mode == b"120000" else "not a file"
            raise CentralUnavailable(f"{path} is {what} in {repo} at commit {commit[:12]}")
        code, data, err = self._git(repo, "cat-file", "blob", f"{commit}:{path}")
        if code != 0:
            raise CentralUnavailable(f"git cannot read {path} at {commit[:12]}: {err}")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CentralUnavailable(f"{path} is not UTF-8 text ({exc.reason})") from None
