"""Central policies through the GitHub API, read with the action's token.

``extends: ["github:acme/policies/gatekeeper/base.yml@v3"]`` in a repository's policy
makes the action resolve ``v3`` (``GET /repos/{owner}/{repo}/git/ref/tags/v3``, an
annotated tag peeled through ``git/tags/{sha}``) and read the file at that commit
(``GET /repos/{owner}/{repo}/contents/{path}?ref=<sha>``). The policy layer only sees a
:class:`~gatekeeper.policy.central.PolicyRepos`; the token stays inside the client.

Files are immutable per commit, so they may be kept on disk between runs
(:class:`CommitCache`), but only where the pull request's code cannot write: a folder
owned by the gate's user, readable by nobody else, used only when PR code runs as
another user (the container action as root), opened without following links and
checked after opening. Anything else and the file is fetched again. Each answer is held
to the blob sha GitHub sent with it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gatekeeper.github.client import GitHubClient, GitHubError
from gatekeeper.pipeline import GateOptions
from gatekeeper.policy.central import MAX_BYTES, CentralUnavailable
from gatekeeper.sandbox import untrusted_identity

#: annotated tags may point at tags; more levels than this is not a policy repository
_MAX_TAG_DEPTH = 4
_DOCS = "docs/github-action.md#central-policies"


#: what a run without any token says when its policy names another repository
NEEDS_TOKEN = (
    "the action reads other repositories through the GitHub API, and it has no token "
    "(set the token input, or policy-token for a token that may read the central repository)"
)


def with_central_policies(
    options: GateOptions, reader: GitHubClient | None, env: Mapping[str, str]
) -> GateOptions:
    """``options`` reading ``github:`` names in ``extends`` through ``reader`` (the client
    of the policy-token input, else of the token input), never without one."""
    if reader is None:
        return replace(options, policy_repos_missing=NEEDS_TOKEN)
    cache = CommitCache.for_action(env, options.root)
    return replace(options, policy_repos=GitHubPolicyRepos(reader, cache))


def blob_sha(data: bytes) -> str:
    """git's object id of a file with these bytes (what the contents API calls ``sha``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class GitHubPolicyRepos:
    """A :class:`~gatekeeper.policy.central.PolicyRepos` over the REST API."""

    def __init__(self, client: GitHubClient, cache: CommitCache | None = None) -> None:
        self.client = client
        self.cache = cache

    def hint(self, repo: str) -> str:
        """GitHub answers 404 for a private repository the token may not read."""
        return (
            f" (GitHub answers the same when the token may not read {repo}: the workflow's "
            "GITHUB_TOKEN reads no other private repository; give the action a GitHub App "
            f"token or a fine-grained token with Contents: read on it, see {_DOCS})"
        )

    def _get(self, repo: str, path: str, params: Mapping[str, str] | None = None) -> Any:
        owner, name = repo.split("/", 1)
        where = f"repos/{quote(owner, safe='')}/{quote(name, safe='')}/{path}"
        try:
            return self.client.request("GET", where, params=params)
        except GitHubError as exc:
            if exc.status == 404:
                return None
            raise CentralUnavailable(_reason(exc, repo)) from None

    def commit_of(self, repo: str, ref: str) -> str | None:
        """The commit ``ref`` names (``refs/tags/x`` or ``refs/heads/x``), tags peeled."""
        body = self._get(repo, "git/ref/" + quote(ref.removeprefix("refs/"), safe="/"))
        if body is None:
            return None
        target = body.get("object") if isinstance(body, dict) else None
        for _ in range(_MAX_TAG_DEPTH):
            if not isinstance(target, dict) or not isinstance(target.get("sha"), str):
                raise CentralUnavailable(f"GitHub's answer for {ref} in {repo} names no object")
            if target.get("type") == "commit":
                return str(target["sha"])
            if target.get("type") != "tag":
                raise CentralUnavailable(
                    f"{ref} in {repo} names a {target.get('type')}, not a commit"
                )
            tag = self._get(repo, "git/tags/" + quote(target["sha"], safe=""))
            target = tag.get("object") if isinstance(tag, dict) else None
        raise CentralUnavailable(f"{ref} in {repo} is a tag of a tag nested too deep")

    def read(self, repo: str, commit: str, path: str) -> str | None:
        """The file at ``commit``; None when GitHub has no such file there."""
        if self.cache is not None:
            cached = self.cache.get(repo, commit, path)
            if cached is not None:
                return cached
        body = self._get(repo, "contents/" + quote(path, safe="/"), {"ref": commit})
        if body is None:
            return None
        data, blob = _file_bytes(body, repo, path)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CentralUnavailable(f"{path} is not UTF-8 text ({exc.reason})") from None
        if self.cache is not None:
            self.cache.put(repo, commit, path, text, blob)
        return text


def _file_bytes(body: Any, repo: str, path: str) -> tuple[bytes, str]:
    """The bytes a contents answer holds, checked against the blob sha it names."""
    if not isinstance(body, dict) or body.get("type") != "file":
        kind = "a folder" if isinstance(body, list) else f"a {body.get('type', '?')}"
        raise CentralUnavailable(f"{path} in {repo} is {kind}, not a file")
    size = body.get("size")
    if (isinstance(size, int) and size > MAX_BYTES) or body.get("encoding") != "base64":
        raise CentralUnavailable(f"{path} in {repo} is larger than {MAX_BYTES:,} bytes")
    try:
        data = base64.b64decode(str(body.get("content", "")), validate=False)
    except ValueError:
        raise CentralUnavailable(f"GitHub's answer for {path} is not base64") from None
    blob = str(body.get("sha", ""))
    if blob_sha(data) != blob:
        raise CentralUnavailable(
            f"GitHub's answer for {path} in {repo} does not match its own sha; try again"
        )
    return data, blob


def _reason(exc: GitHubError, repo: str) -> str:
    if exc.unreachable:
        return f"GitHub could not be reached ({exc})"
    if exc.status == 401:
        return f"GitHub refused the token ({exc}): check the token or policy-token input"
    if exc.status == 403:
        return (
            f"the token may not read {repo} ({exc}): it needs Contents: read on that "
            f"repository, from a GitHub App installation token or a fine-grained token; see {_DOCS}"
        )
    return f"GitHub could not answer ({exc}); run the job again"


class CommitCache:
    """Central files by (repository, commit, path) in a folder only the gate can write."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def for_action(cls, env: Mapping[str, str], checkout: Path) -> CommitCache | None:
        """The action's cache, or None when PR code runs as the gate's own user (then no
        folder is out of its reach, and every run reads GitHub)."""
        if untrusted_identity(checkout) is None:
            return None
        base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or "/root") / ".cache")
        return cls(Path(base) / "gatekeeper" / "central-policies")

    @staticmethod
    def _name(repo: str, commit: str, path: str) -> str:
        key = f"{repo.lower()}\0{commit}\0{path}".encode()
        return hashlib.sha256(key).hexdigest() + ".json"

    def _open_dir(self, create: bool) -> int | None:
        """The folder, opened without following links, if only this user may write it."""
        if create:
            with contextlib.suppress(OSError):
                self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return None
        if not _private(os.fstat(fd)):
            os.close(fd)
            return None
        return fd

    def get(self, repo: str, commit: str, path: str) -> str | None:
        """The cached text, or None (absent, or anything about it is not as written)."""
        fd = self._open_dir(create=False)
        if fd is None:
            return None
        try:
            entry = os.open(self._name(repo, commit, path), os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
            with os.fdopen(entry, "rb") as handle:
                if not _private(os.fstat(handle.fileno())):
                    return None
                data = json.loads(handle.read(4 * MAX_BYTES))
        except (OSError, ValueError):
            return None
        finally:
            os.close(fd)
        wanted = {"repo": repo.lower(), "commit": commit, "path": path}
        if not isinstance(data, dict) or any(data.get(k) != v for k, v in wanted.items()):
            return None
        text = data.get("text")
        if not isinstance(text, str) or blob_sha(text.encode("utf-8")) != data.get("blob"):
            return None
        return text

    def put(self, repo: str, commit: str, path: str, text: str, blob: str) -> None:
        """Keep a file read from GitHub; a failure to keep it costs nothing but a fetch."""
        fd = self._open_dir(create=True)
        if fd is None:
            return
        record = {"repo": repo.lower(), "commit": commit, "path": path, "blob": blob, "text": text}
        name = self._name(repo, commit, path)
        temp = f".{name}.{os.getpid()}.tmp"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            out = os.open(temp, flags, 0o600, dir_fd=fd)
            with os.fdopen(out, "w", encoding="utf-8") as handle:
                json.dump(record, handle)
            os.replace(temp, name, src_dir_fd=fd, dst_dir_fd=fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temp, dir_fd=fd)
        finally:
            os.close(fd)


def _private(info: os.stat_result) -> bool:
    """Owned by this process's user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
