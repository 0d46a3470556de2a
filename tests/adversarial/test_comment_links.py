"""A file name cannot turn the comment's links into its own: every location link points at
the file in this repository at the head commit, whatever the PR named the file."""

from __future__ import annotations

from urllib.parse import quote

from gatekeeper.report import SourceLinks, render
from tests.adversarial.conftest import AttackFactory, assert_blocked
from tests.adversarial.rendered import render_markdown

SECRET = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC01XM6Ea"
POLICY = "version: 1\nchecks:\n  security: {bandit: false, dependencies: false, secrets: block}\n"
#: closes the link text and the URL, opens its own link and HTML, adds a query, a fragment
#: and an escape, and breaks the line
HOSTILE = "docs/a) ](javascript:alert(1)) <img src=y> `q`/?page=1&%41#L9 ü\n@org.py"


def test_a_file_name_cannot_escape_its_link(attack: AttackFactory) -> None:
    case = attack(POLICY, {"README.md": "a\n"}, {HOSTILE: f'token = "{SECRET}"\n'})
    verdict = case.judge()
    assert_blocked(verdict, "security/secret-github-token")
    links = SourceLinks.parse("https://github.com", "o/r", case.head)
    assert links is not None
    doc = render_markdown(render("markdown", verdict, links=links))

    encoded = "/".join(quote(part, safe="") for part in HOSTILE.split("/"))
    expected = f"https://github.com/o/r/blob/{case.head}/{encoded}#L1"
    assert doc.links and set(doc.links) == {expected}, doc.links
    assert not any(link.startswith("javascript") for link in doc.links)
    assert doc.foreign_html == [], doc.foreign_html
    assert doc.mentions == [], doc.mentions
    # the link's text is the file's name as code, its line break shown as an escape
    assert any(c.startswith("docs/a) ](javascript:alert(1))") for c in doc.code), doc.code
    assert any("\\x0a@org.py:1" in c for c in doc.code), doc.code
