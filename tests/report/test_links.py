"""Links from a location to its lines on GitHub: exact URLs, and nothing for bad inputs."""

from __future__ import annotations

import pytest

from gatekeeper.model import Location
from gatekeeper.report.links import SourceLinks

SHA = "0123456789abcdef0123456789abcdef01234567"


def links() -> SourceLinks:
    made = SourceLinks.parse("https://github.com/", "acme/shop", SHA.upper())
    assert made is not None
    return made


def test_a_location_links_to_its_lines_at_the_commit() -> None:
    blob = f"https://github.com/acme/shop/blob/{SHA}"
    assert links().url(Location("src/a.py", 3, 5)) == f"{blob}/src/a.py#L3-L5"
    assert links().url(Location("src/a.py", 3, 3)) == f"{blob}/src/a.py#L3"
    assert links().url(Location("src/a.py", 3)) == f"{blob}/src/a.py#L3"
    assert links().url(Location("src/a.py")) == f"{blob}/src/a.py"
    assert links().url(Location("src/a.py", 0)) == f"{blob}/src/a.py"


def test_rendered_files_link_to_their_source_view() -> None:
    url = links().url(Location("docs/Guide.MD", 7))
    assert url.endswith("/docs/Guide.MD?plain=1#L7")
    assert "plain" not in links().url(Location("docs/guide.md"))  # no line, rendered view
    assert "plain" not in links().url(Location(".md", 1))  # a dot file, not an extension


def test_every_path_segment_is_percent_encoded() -> None:
    url = links().url(Location("a b/(c)[d]<e>#f?g&h%i/ü\n/../.", 1))
    assert url.endswith("/a%20b/%28c%29%5Bd%5D%3Ce%3E%23f%3Fg%26h%25i/%C3%BC%0A/%2E%2E/%2E#L1")
    # a name git could not decode is linked by its original bytes
    assert links().url(Location("caf\udce9.txt")).endswith("/caf%E9.txt")


@pytest.mark.parametrize(
    ("server", "repository", "commit"),
    [
        ("", "acme/shop", SHA),
        ("javascript:alert(1)", "acme/shop", SHA),
        ("https://github.com/x)y", "acme/shop", SHA),
        ("https://github.com", "", SHA),
        ("https://github.com", "acme", SHA),
        ("https://github.com", "acme/shop/extra", SHA),
        ("https://github.com", "../shop", SHA),
        ("https://github.com", "acme/..", SHA),
        ("https://github.com", "acme/sh op", SHA),
        ("https://github.com", "acme/shop", ""),
        ("https://github.com", "acme/shop", "HEAD"),
        ("https://github.com", "acme/shop", "worktree"),
        ("https://github.com", "acme/shop", SHA[:12]),
    ],
)
def test_no_links_when_any_part_is_unknown_or_malformed(
    server: str, repository: str, commit: str
) -> None:
    assert SourceLinks.parse(server, repository, commit) is None


def test_an_enterprise_server_with_a_port_and_a_path() -> None:
    made = SourceLinks.parse("https://git.example.com:8443/github", "o/r", SHA)
    assert made is not None
    assert (
        made.url(Location("a.py", 1))
        == f"https://git.example.com:8443/github/o/r/blob/{SHA}/a.py#L1"
    )
