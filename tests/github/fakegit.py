"""The fake GitHub's git side: refs, annotated tags and file contents of real repositories.

A test builds a real git repository (tags, branches, commits) and hands it to
:attr:`FakeGitHub.repositories`; these functions answer ``git/get-ref``, ``git/get-tag``
and ``repos/get-content`` from it with ``git`` itself, in the shapes GitHub's REST
description gives (404 ``Not Found`` for what does not exist, the file base64-encoded in
lines of 60 characters).
"""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

Answer = tuple[int, Any, dict[str, str]]
NOT_FOUND: Answer = (404, {"message": "Not Found"}, {})


def _git(root: Path, *args: str) -> bytes | None:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


def _text(root: Path, *args: str) -> str | None:
    out = _git(root, *args)
    return out.decode("utf-8").strip() if out is not None else None


def answer(
    repositories: dict[str, Path], op: str, path: str, query: dict[str, list[str]], url: str
) -> Answer:
    """The answer to one git-side operation; ``path`` is the request's (quoted) path."""
    parts = path.strip("/").split("/")  # repos/{owner}/{repo}/...
    full = f"{parts[1]}/{parts[2]}".lower()
    root = repositories.get(full)
    if root is None:
        return NOT_FOUND
    api = f"{url}/repos/{parts[1]}/{parts[2]}"
    # repos/{o}/{r}/contents/{path...} or repos/{o}/{r}/git/{ref|tags}/{rest...}
    rest = unquote("/".join(parts[5:] if parts[3] == "git" else parts[4:]))
    if op == "git/get-ref":  # .../git/ref/{ref}
        return _ref(root, api, rest)
    if op == "git/get-tag":  # .../git/tags/{tag_sha}
        return _tag(root, api, rest)
    return _content(root, api, rest, query.get("ref", ["HEAD"])[0])


def _ref(root: Path, api: str, ref: str) -> Answer:
    if not ref.startswith(("heads/", "tags/")):
        return NOT_FOUND
    sha = _text(root, "rev-parse", "--verify", "--quiet", f"refs/{ref}")
    if not sha:
        return NOT_FOUND
    kind = _text(root, "cat-file", "-t", sha)
    body = {
        "ref": f"refs/{ref}",
        "node_id": "REF_" + sha[:10],
        "url": f"{api}/git/refs/{ref}",
        "object": {"type": kind, "sha": sha, "url": f"{api}/git/{kind}s/{sha}"},
    }
    return 200, body, {}


def _tag(root: Path, api: str, sha: str) -> Answer:
    if _text(root, "cat-file", "-t", sha) != "tag":
        return NOT_FOUND
    raw = _text(root, "cat-file", "tag", sha) or ""
    header, _, message = raw.partition("\n\n")
    fields = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
    target = fields["object"]
    body = {
        "node_id": "TAG_" + sha[:10],
        "tag": fields.get("tag", ""),
        "sha": sha,
        "url": f"{api}/git/tags/{sha}",
        "message": message,
        "tagger": {"name": "t", "email": "t@example.com", "date": "2026-01-01T00:00:00Z"},
        "object": {"type": fields["type"], "sha": target, "url": f"{api}/git/x/{target}"},
        "verification": {"verified": False, "reason": "unsigned", "signature": None},
    }
    return 200, body, {}


def _content(root: Path, api: str, path: str, ref: str) -> Answer:
    commit = _text(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if not commit:
        return 404, {"message": f"No commit found for the ref {ref}"}, {}
    listing = _text(root, "ls-tree", commit, "--", path)
    if not listing:
        return NOT_FOUND
    mode, kind, sha = listing.split("\t", 1)[0].split()
    name = path.rsplit("/", 1)[-1]
    common = {"name": name, "path": path, "sha": sha, "url": f"{api}/contents/{path}"}
    if kind == "tree":
        return 200, [], {}  # a directory: GitHub lists its entries
    data = _git(root, "cat-file", "blob", sha) or b""
    if mode == "120000":
        return 200, {**common, "type": "symlink", "target": data.decode(), "size": len(data)}, {}
    encoded = base64.b64encode(data).decode("ascii")
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)) + "\n"
    body = {**common, "type": "file", "encoding": "base64", "size": len(data), "content": wrapped}
    return 200, body, {}
