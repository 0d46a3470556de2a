"""Links from a finding to its line on GitHub: ``<server>/<owner>/<repo>/blob/<sha>/<path>#L3-L5``.

The reporters never read the environment: whoever knows where the repository lives (the
action: ``GITHUB_SERVER_URL``, the repository, the head sha) builds :class:`SourceLinks`
and hands it to the renderer. Without it (a local run) locations are shown as plain
``path:line``.

The path comes from the pull request, so every segment is percent-encoded: no file name
can end the URL, add a query, leave the repository with ``..`` or smuggle Markdown
(``)``, ``]``, ``<``, a space, a line break) into the link around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from gatekeeper.model import Location

_SERVER = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~-]+)*")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: files GitHub shows rendered, where a ``#L`` anchor only works in the source view
_RENDERED = frozenset(
    [
        ".md",
        ".markdown",
        ".mdown",
        ".mkdn",
        ".mkd",
        ".rst",
        ".adoc",
        ".asciidoc",
        ".org",
        ".textile",
        ".rdoc",
        ".creole",
        ".mediawiki",
        ".wiki",
        ".pod",
        ".ipynb",
        ".csv",
        ".tsv",
        ".geojson",
        ".topojson",
        ".stl",
    ]
)


@dataclass(frozen=True, slots=True)
class SourceLinks:
    """Where files of the judged commit can be opened in a browser."""

    server: str
    owner: str
    repo: str
    commit: str

    @classmethod
    def parse(cls, server: str, repository: str, commit: str) -> SourceLinks | None:
        """Links for ``owner/repo`` at ``commit`` on ``server``, or None when any part is
        missing or not of the form GitHub gives it (no link beats a wrong one)."""
        owner, _, repo = repository.partition("/")
        server = server.rstrip("/")
        commit = commit.lower()
        if not (_SERVER.fullmatch(server) and _SHA.fullmatch(commit)):
            return None
        if not (_NAME.fullmatch(owner) and _NAME.fullmatch(repo)) or {owner, repo} & {".", ".."}:
            return None
        return cls(server, owner, repo, commit)

    def url(self, location: Location) -> str:
        """The blob view of ``location``'s file at the commit, anchored at its lines."""
        segments = "/".join(_segment(part) for part in location.path.split("/"))
        url = f"{self.server}/{self.owner}/{self.repo}/blob/{self.commit}/{segments}"
        if location.start_line is None or location.start_line < 1:
            return url
        if _suffix(location.path) in _RENDERED:
            url += "?plain=1"
        end = location.end_line
        anchor = f"#L{location.start_line}"
        if end is not None and end > location.start_line:
            anchor += f"-L{end}"
        return url + anchor


def _segment(part: str) -> str:
    """One path segment, every byte but the unreserved ones percent-encoded; a name that
    git could not decode (kept as surrogate escapes) is encoded as its original bytes, and
    ``.``/``..`` are encoded so no browser resolves them away."""
    if part in (".", ".."):
        return part.replace(".", "%2E")
    return quote(part, safe="", encoding="utf-8", errors="surrogateescape")


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""
